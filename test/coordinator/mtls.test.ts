// mTLS: node identity comes from the client certificate; a node acts only as itself.
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent, request } from 'node:https';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/log.js';
import { loadTls } from '../../common/tls.js';
import { CtlClient } from '../../ctl/client.js';
import type { LockReply__Output } from '../../proto/generated/hostpilot/v1/LockReply.js';
import type { ListLocksReply__Output } from '../../proto/generated/hostpilot/v1/ListLocksReply.js';
import { TestPki, type CertFiles } from '../support/certs.js';
import { describeWith } from '../support/components.js';
import { withCoordinator } from '../support/coordinator.js';
import { makeTempDir } from '../support/tmp.js';

describeWith(['openssl'], 'coordinator with mTLS', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let pki: TestPki;
  let c: Awaited<ReturnType<typeof withCoordinator>>;
  const certs: Record<string, CertFiles> = {};
  const clients: CtlClient[] = [];

  beforeAll(async () => {
    tmp = makeTempDir();
    pki = await TestPki.create(tmp.dir);
    const server = await pki.issue('server', 'coordinator', ['DNS:localhost', 'IP:127.0.0.1']);
    certs.n1 = await pki.issue('n1', 'node-1');
    certs.n2 = await pki.issue('n2', 'other', ['DNS:node-2']);
    certs.admin = await pki.issue('admin', 'ops-admin');
    c = await withCoordinator({
      groups: new Map([['default', 2]]),
      tls: { cert: server.cert, key: server.key, ca: pki.ca },
      fleetLockClientCerts: true,
      adminIdentities: ['ops-admin'],
    });
  });
  afterAll(async () => {
    for (const cl of clients) cl.close();
    await c?.cleanup();
    tmp?.remove();
  });

  const client = (who: string) => {
    const cl = new CtlClient(`localhost:${c.grpcPort}`, loadTls({ cert: certs[who]!.cert, key: certs[who]!.key, ca: pki.ca }), 5000);
    clients.push(cl);
    return cl;
  };
  const lock = (cl: CtlClient, method: 'Acquire' | 'Release' | 'ForceRelease', node_id: string) =>
    cl.call<LockReply__Output>((o, cb) => cl.locks[method]({ node_id, group: 'default' }, o, cb));

  it('lets a node take and release its own lock, named by CN or SAN', async () => {
    expect(await lock(client('n1'), 'Acquire', 'node-1')).toMatchObject({ granted: true });
    expect(await lock(client('n2'), 'Acquire', 'node-2')).toMatchObject({ granted: true });
    expect(await lock(client('n2'), 'Release', 'node-2')).toMatchObject({ granted: true, holders: ['node-1'] });
  });

  it("refuses a node releasing another node's lock, and the lock stays", async () => {
    await expect(lock(client('n2'), 'Release', 'node-1')).rejects.toMatchObject({ kind: 'permission_denied' });
    await expect(lock(client('n2'), 'Acquire', 'node-1')).rejects.toMatchObject({ kind: 'permission_denied' });
    expect((await c.locks.list('default'))[0]!.holders.map((h) => h.nodeId)).toEqual(['node-1']);
  });

  it('keeps admin calls for admin identities', async () => {
    const n1 = client('n1');
    await expect(n1.call<ListLocksReply__Output>((o, cb) => n1.locks.List({ group: '' }, o, cb))).rejects.toMatchObject({ kind: 'permission_denied' });
    await expect(lock(n1, 'ForceRelease', 'node-2')).rejects.toMatchObject({ kind: 'permission_denied' });
    // Declared resources and the git source change what the fleet does: admin only.
    const doc = { where: 'g.yaml: document 1', json: JSON.stringify({ apiVersion: 'hostpilot.io/v1', kind: 'LockGroup', metadata: { name: 'extra' }, spec: { slots: 2 } }) };
    await expect(n1.call((o, cb) => n1.resources.Apply({ documents: [doc], dry_run: false }, o, cb))).rejects.toMatchObject({ kind: 'permission_denied' });
    await expect(n1.call((o, cb) => n1.resources.Get({ kind: 'rollouts', name: '' }, o, cb))).rejects.toMatchObject({ kind: 'permission_denied' });
    await expect(n1.call((o, cb) => n1.resources.GitStatus({}, o, cb))).rejects.toMatchObject({ kind: 'permission_denied' });
    const admin = client('admin');
    await expect(admin.call((o, cb) => admin.resources.Apply({ documents: [doc], dry_run: false }, o, cb))).resolves.toMatchObject({ changes: [{ kind: 'LockGroup', name: 'extra', action: 'created' }] });
    const list = await admin.call<ListLocksReply__Output>((o, cb) => admin.locks.List({ group: '' }, o, cb));
    expect(list.groups[0]!.holders.map((h) => h.node_id)).toEqual(['node-1']);
  });

  it('keeps node lifecycle calls for admin identities, and counts each', async () => {
    const n1 = client('n1');
    const refused = [
      n1.call((o, cb) => n1.fleet.ResetNode({ node_id: 'node-2' }, o, cb)),
      n1.call((o, cb) => n1.fleet.RemoveNode({ node_id: 'node-2', force: true }, o, cb)),
      n1.call((o, cb) => n1.fleet.ExcludeNode({ node_id: 'node-2', reason: 'x' }, o, cb)),
      n1.call((o, cb) => n1.fleet.IncludeNode({ node_id: 'node-2' }, o, cb)),
      n1.call((o, cb) => n1.fleet.ListPools({ pool_label: '' }, o, cb)),
    ];
    for (const call of refused) await expect(call).rejects.toMatchObject({ kind: 'permission_denied' });
    const admin = client('admin');
    // An unknown node is NOT_FOUND for an admin, and nothing is counted for a refused call.
    await expect(admin.call((o, cb) => admin.fleet.ExcludeNode({ node_id: 'node-9', reason: 'x' }, o, cb))).rejects.toMatchObject({ kind: 'not_found' });
    await expect(admin.call((o, cb) => admin.fleet.ExcludeNode({ node_id: 'node-9', reason: '' }, o, cb))).rejects.toMatchObject({ kind: 'invalid_argument' });
    expect(await c.registry.getSingleMetricAsString('hostpilot_node_operations_total')).toMatch(/operation="exclude"} 0/);
  });

  it('refuses a client without a certificate at the TLS handshake', async () => {
    const { credentials } = await import('@grpc/grpc-js');
    const { hostpilotProto } = await import('../../common/proto.js');
    const stub = new (hostpilotProto().hostpilot.v1.Locks)(`localhost:${c.grpcPort}`, credentials.createSsl(readFileSync(pki.ca)));
    const err = await new Promise<{ code: number }>((resolve) =>
      stub.Acquire({ node_id: 'node-1', group: 'default' }, { deadline: new Date(Date.now() + 5000) }, (e) => resolve(e as unknown as { code: number })),
    );
    stub.close();
    expect(err).toBeTruthy();
    expect([status.UNAVAILABLE, status.UNAUTHENTICATED]).toContain(err.code);
    expect((await c.locks.list('default'))[0]!.holders.map((h) => h.nodeId)).toEqual(['node-1']);
  });

  const fleetlock = (path: string, id: string, who?: string, port = c.httpPort) =>
    new Promise<{ status: number; body: { kind?: string } }>((resolve, reject) => {
      const agent = new HttpsAgent({
        ca: readFileSync(pki.ca),
        ...(who ? { cert: readFileSync(certs[who]!.cert), key: readFileSync(certs[who]!.key) } : {}),
      });
      const req = request({ host: 'localhost', port, path, method: 'POST', agent, headers: { 'fleet-lock-protocol': 'true' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ client_params: { id, group: 'default' } }));
    });

  it('binds FleetLock ids to certificates with --fleetlock-client-certs', async () => {
    expect(await fleetlock('/v1/pre-reboot', 'node-1')).toMatchObject({ status: 401, body: { kind: 'unauthenticated' } });
    expect(await fleetlock('/v1/steady-state', 'node-1', 'n2')).toMatchObject({ status: 403, body: { kind: 'permission_denied' } });
    expect(await fleetlock('/v1/pre-reboot', 'node-2', 'n2')).toMatchObject({ status: 200 });
    expect((await c.locks.list('default'))[0]!.holders.map((h) => h.nodeId)).toEqual(['node-1', 'node-2']);
  });

  describe('FleetLock by default and with --fleetlock-anonymous', () => {
    let plain: Awaited<ReturnType<typeof withCoordinator>>;
    let open: Awaited<ReturnType<typeof withCoordinator>>;
    const warnings: string[] = [];
    beforeAll(async () => {
      const server = await pki.issue('server2', 'coordinator', ['DNS:localhost', 'IP:127.0.0.1']);
      const tls = { cert: server.cert, key: server.key, ca: pki.ca };
      plain = await withCoordinator({ groups: new Map([['default', 3]]), tls });
      const log = createLogger({ component: 'test', level: 'warn', write: (line) => warnings.push(line) });
      open = await withCoordinator({ groups: new Map([['default', 3]]), tls, fleetLockAnonymous: true }, { log });
    });
    afterAll(async () => {
      await plain?.cleanup();
      await open?.cleanup();
    });
    const grpcLock = async (port: number, who: string, method: 'Acquire' | 'Release', node_id: string) => {
      const cl = new CtlClient(`localhost:${port}`, loadTls({ cert: certs[who]!.cert, key: certs[who]!.key, ca: pki.ca }), 5000);
      clients.push(cl);
      return lock(cl, method, node_id);
    };
    const holders = async (co: typeof open) => (await co.locks.list('default'))[0]!.holders.map((h) => h.nodeId);

    it('with --tls-ca alone, FleetLock without a certificate is refused (no flag needed)', async () => {
      expect(await fleetlock('/v1/pre-reboot', 'zincati-1', undefined, plain.httpPort)).toMatchObject({ status: 401, body: { kind: 'unauthenticated' } });
      expect(await fleetlock('/v1/pre-reboot', 'node-1', 'n1', plain.httpPort)).toMatchObject({ status: 200 });
      expect(await holders(plain)).toEqual(['node-1']);
    });

    it('warns at start that FleetLock admits clients without certificates', () => {
      expect(warnings.some((line) => line.includes('--fleetlock-anonymous'))).toBe(true);
    });

    it("refuses an anonymous FleetLock release of a certificate holder's slot, and the slot stays", async () => {
      expect(await grpcLock(open.grpcPort, 'n2', 'Acquire', 'node-2')).toMatchObject({ granted: true });
      expect(await fleetlock('/v1/steady-state', 'node-2', undefined, open.httpPort)).toMatchObject({ status: 403, body: { kind: 'permission_denied' } });
      expect(await holders(open)).toEqual(['node-2']);
    });

    it('refuses an anonymous FleetLock acquire in the name of a node that registered with its certificate', async () => {
      const n1 = new CtlClient(`localhost:${open.grpcPort}`, loadTls({ cert: certs.n1!.cert, key: certs.n1!.key, ca: pki.ca }), 5000);
      clients.push(n1);
      await n1.call((o, cb) => n1.fleet.Register({ node_id: 'node-1', hostname: 'node-1', labels: {} }, o, cb));
      expect(await fleetlock('/v1/pre-reboot', 'node-1', undefined, open.httpPort)).toMatchObject({ status: 403, body: { kind: 'permission_denied' } });
      expect(await holders(open)).toEqual(['node-2']);
    });

    it('lets an anonymous client take and release its own slot, and a certificate holder release it too', async () => {
      expect(await fleetlock('/v1/pre-reboot', 'zincati-1', undefined, open.httpPort)).toMatchObject({ status: 200 });
      expect(await fleetlock('/v1/pre-reboot', 'zincati-1', undefined, open.httpPort)).toMatchObject({ status: 200 });
      expect(await fleetlock('/v1/steady-state', 'zincati-1', undefined, open.httpPort)).toMatchObject({ status: 200 });
      // A client showing its certificate is still bound to it on FleetLock.
      expect(await fleetlock('/v1/steady-state', 'node-2', 'n1', open.httpPort)).toMatchObject({ status: 403 });
      expect(await fleetlock('/v1/steady-state', 'node-2', 'n2', open.httpPort)).toMatchObject({ status: 200 });
      expect(await holders(open)).toEqual([]);
    });
  });
});
