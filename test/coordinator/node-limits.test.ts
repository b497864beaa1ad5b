// Node records are bounded and ListNodes pages: a node cannot make the fleet
// unlistable (issue 15: three 2 MB hostnames made ListNodes 6 MB, over gRPC's
// 4 MiB default, and `hostpilotctl nodes list` failed for every operator).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CtlClient } from '../../ctl/client.js';
import { nodesList } from '../../ctl/commands/nodes.js';
import { MAX_PAGE_SIZE } from '../../coordinator/grpc/node-pages.js';
import type { ListNodesReply__Output } from '../../proto/generated/hostpilot/v1/ListNodesReply.js';
import type { NodeReport, NodeReport__Output } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import type { RegisterRequest } from '../../proto/generated/hostpilot/v1/RegisterRequest.js';
import { withCoordinator } from '../support/coordinator.js';

describe('limits on what a node sends', () => {
  let c: Awaited<ReturnType<typeof withCoordinator>>;
  let client: CtlClient;
  beforeAll(async () => {
    c = await withCoordinator();
    client = new CtlClient(`127.0.0.1:${c.grpcPort}`, undefined, 30_000);
  });
  afterAll(async () => {
    client?.close();
    await c?.cleanup();
  });

  const register = (req: RegisterRequest) => client.call((o, cb) => client.fleet.Register(req, o, cb));

  it('refuses a 2 MB hostname with INVALID_ARGUMENT naming the field, and keeps nothing', async () => {
    for (let i = 0; i < 3; i++) {
      await expect(register({ node_id: `big-${i}`, hostname: 'h'.repeat(2 * 1024 * 1024) })).rejects.toMatchObject({
        kind: 'invalid_argument',
        message: expect.stringMatching(/^hostname: /),
      });
    }
    expect(c.fleet.list().map((n) => n.nodeId)).toEqual([]);
    // Nothing was stored either: a restarted registry would not see them.
    expect(await c.store.list('nodes/')).toEqual([]);
  });

  it('accepts a real hostname', async () => {
    await register({ node_id: 'n1', hostname: 'worker-1.rack-12.example.com', labels: { pool: 'workers' } });
    expect(c.fleet.view('n1')).toMatchObject({ hostname: 'worker-1.rack-12.example.com' });
  });

  it('refuses oversized reports field by field, naming the field', async () => {
    const base: NodeReport = { node_id: 'n1', hostname: 'n1', flow_state: 'idle' };
    const bad: Array<[Partial<NodeReport>, RegExp]> = [
      [{ deployments: Array.from({ length: 17 }, (_, i) => ({ id: `d${i}`, checksum: 'a'.repeat(64) })) }, /^deployments: /],
      [{ deployments: [{ id: 'd', version: 'v'.repeat(300) }] }, /^deployments\[0\]\.version: /],
      [{ deployments: [{ id: 'd', origin: 'o'.repeat(2000) }] }, /^deployments\[0\]\.origin: /],
      [{ conditions: Array.from({ length: 65 }, (_, i) => ({ type: `C${i}` })) }, /^conditions: /],
      [{ conditions: [{ type: 'KernelDeadlock', message: 'm'.repeat(5000) }] }, /^conditions\[0\]\.message: /],
      [{ flow_error: 'e'.repeat(100_000) }, /^flow_error: /],
      [{ flow_target: 't'.repeat(2000) }, /^flow_target: /],
      [{ hostname: 'bad\nname' }, /^hostname: .*control/],
      [{ os: { kernel: 'k'.repeat(1000) } }, /^os\.kernel: /],
      [{ labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) }, /^labels: /],
      [{ labels: { pool: 'x'.repeat(100) } }, /^labels\.pool: /],
    ];
    for (const [change, field] of bad) {
      const err = await c.fleet.report(withDefaults({ ...base, ...change })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, JSON.stringify(Object.keys(change))).toMatchObject({ kind: 'invalid_argument', message: expect.stringMatching(field) });
    }
    expect(c.fleet.view('n1')).toMatchObject({ hostname: 'worker-1.rack-12.example.com', deployments: [], conditions: [] });
  });

  it('refuses a page size over the maximum and a forged page token', async () => {
    await expect(client.call((o, cb) => client.fleet.ListNodes({ page_size: MAX_PAGE_SIZE + 1 }, o, cb))).rejects.toMatchObject({ kind: 'invalid_argument', message: expect.stringMatching(/^page_size: /) });
    await expect(client.call((o, cb) => client.fleet.ListNodes({ page_token: '!!!' }, o, cb))).rejects.toMatchObject({ kind: 'invalid_argument', message: expect.stringMatching(/^page_token: /) });
  });
});

describe('a 50,000-node fleet', () => {
  const NODES = 50_000;
  let c: Awaited<ReturnType<typeof withCoordinator>>;
  let client: CtlClient;
  beforeAll(async () => {
    // An in-memory SQLite store: 50,000 registrations through the real registry, without 50,000 fsyncs.
    c = await withCoordinator({ store: 'sqlite::memory:' });
    client = new CtlClient(`127.0.0.1:${c.grpcPort}`, undefined, 60_000);
    // Long (valid) hostnames and several labels: the whole fleet is far over one 4 MiB message.
    const labels = { pool: 'workers', rack: 'rack-0123456789', zone: 'zone-a', 'hostpilot.io/role': 'kubernetes-worker' };
    for (let i = 0; i < NODES; i++) {
      const id = `node-${String(i).padStart(5, '0')}`;
      await c.fleet.register({ node_id: id, hostname: `${id}.${'r'.repeat(200)}`, labels, os: null, agent_version: '1.0.0' });
    }
  }, 900_000);
  afterAll(async () => {
    client?.close();
    await c?.cleanup();
  });

  it('pages ListNodes: every reply within the message limit, each node once, in order', async () => {
    const first = await client.call<ListNodesReply__Output>((o, cb) => client.fleet.ListNodes({}, o, cb));
    expect(first.nodes.length).toBeGreaterThan(0);
    expect(first.nodes.length).toBeLessThanOrEqual(MAX_PAGE_SIZE);
    expect(first.next_page_token).not.toBe('');
    const small = await client.call<ListNodesReply__Output>((o, cb) => client.fleet.ListNodes({ page_size: 7, page_token: first.next_page_token }, o, cb));
    expect(small.nodes.map((n) => n.node_id)[0]).toBe(`node-${String(first.nodes.length).padStart(5, '0')}`);
    expect(small.nodes).toHaveLength(7);
  });

  it('hostpilotctl nodes list follows the pages and lists all 50,000 nodes', async () => {
    let out = '';
    const code = await nodesList.run({ client, output: 'json', format: 'json', out: (t) => (out += t), now: Date.now }, [], {});
    expect(code).toBe(0);
    expect(Buffer.byteLength(out)).toBeGreaterThan(4 * 1024 * 1024);
    const ids = (JSON.parse(out) as { nodes: Array<{ node_id: string }> }).nodes.map((n) => n.node_id);
    expect(ids).toHaveLength(NODES);
    expect(new Set(ids).size).toBe(NODES);
    expect(ids[0]).toBe('node-00000');
    expect(ids.at(-1)).toBe(`node-${NODES - 1}`);
    // The bound only catches a hang: 50 pages take about 15 s on an idle 2-core machine, many times that on a loaded one.
  }, 900_000);
});

// What grpc-js hands the registry: every field present.
function withDefaults(r: NodeReport): NodeReport__Output {
  return {
    node_id: r.node_id ?? '',
    hostname: r.hostname ?? '',
    labels: r.labels ?? {},
    os: r.os ? { distro: '', release: '', kernel: '', arch: '', boot_id: '', ...r.os } : null,
    deployments: (r.deployments ?? []).map((d) => ({ id: '', osname: '', checksum: '', version: '', origin: '', booted: false, staged: false, pinned: false, index: 0, ...d, timestamp_unix: 0 })),
    flow_state: r.flow_state ?? '',
    flow_target: r.flow_target ?? '',
    flow_error: r.flow_error ?? '',
    resolved_target: r.resolved_target ?? '',
    config_hash: r.config_hash ?? '',
    remediation: null,
    conditions: (r.conditions ?? []).map((x) => ({ type: '', status: false, reason: '', message: '', ...x, transition_unix_ms: 0 })),
  };
}
