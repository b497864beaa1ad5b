import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CtlClient } from '../../ctl/client.js';
import type { LockReply__Output } from '../../proto/generated/hostpilot/v1/LockReply.js';
import type { ListLocksReply__Output } from '../../proto/generated/hostpilot/v1/ListLocksReply.js';
import * as grpc from '@grpc/grpc-js';
import { hostpilotProto } from '../../common/proto.js';
import { withCoordinator } from '../support/coordinator.js';

type Coordinator = Awaited<ReturnType<typeof withCoordinator>>;

describe('gRPC Locks', () => {
  let c: Coordinator;
  let client: CtlClient;
  let raw: InstanceType<ReturnType<typeof hostpilotProto>['hostpilot']['v1']['Locks']>;
  beforeAll(async () => {
    c = await withCoordinator({ groups: new Map([['default', 1], ['workers', 5]]) });
    client = new CtlClient(`127.0.0.1:${c.grpcPort}`, undefined, 10_000);
    raw = new (hostpilotProto().hostpilot.v1.Locks)(`127.0.0.1:${c.grpcPort}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    raw.close();
    await c.cleanup();
  });

  const call = (method: 'Acquire' | 'Release' | 'ForceRelease', node_id: string, group: string) =>
    new Promise<LockReply__Output>((resolve, reject) => raw[method]({ node_id, group }, (err, r) => (err ? reject(err) : resolve(r!))));

  it('grants, is re-entrant, replies granted=false with holders when full, releases idempotently', async () => {
    expect(await call('Acquire', 'n1', 'default')).toMatchObject({ granted: true, holders: ['n1'] });
    expect(await call('Acquire', 'n1', 'default')).toMatchObject({ granted: true, holders: ['n1'] });
    expect(await call('Acquire', 'n2', 'default')).toMatchObject({ granted: false, holders: ['n1'], reason: expect.stringMatching(/full/) });
    expect(await call('Release', 'n2', 'default')).toMatchObject({ granted: true, holders: ['n1'] });
    expect(await call('Release', 'n1', 'default')).toMatchObject({ granted: true, holders: [] });
    expect(await call('Release', 'n1', 'default')).toMatchObject({ granted: true, reason: 'not held' });
  });

  it.each([
    ['Acquire', '', 'default', status.INVALID_ARGUMENT],
    ['Acquire', 'n1', 'bad group!', status.INVALID_ARGUMENT],
    ['Release', '', 'default', status.INVALID_ARGUMENT],
    ['Release', 'n1', 'x_y', status.INVALID_ARGUMENT],
    ['Acquire', 'n1', 'unknown', status.NOT_FOUND],
    ['Release', 'n1', 'unknown', status.NOT_FOUND],
  ] as const)('%s(%j, %j) fails with code %i and changes nothing', async (method, node, group, code) => {
    const before = JSON.stringify(await c.locks.list());
    await expect(call(method, node, group)).rejects.toMatchObject({ code });
    expect(JSON.stringify(await c.locks.list())).toBe(before);
  });

  it('never overbooks under 200 concurrent acquires over gRPC', async () => {
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => call('Acquire', `c-${i}`, 'workers')));
    expect(replies.filter((r) => r.granted)).toHaveLength(5);
    const list = await client.call<ListLocksReply__Output>((o, cb) => client.locks.List({ group: 'workers' }, o, cb));
    expect(list.groups[0]!.holders).toHaveLength(5);
    for (const r of replies.filter((x) => x.granted)) expect(r.holders.length).toBeLessThanOrEqual(5);
  });

  it('lists holders with since and via, and force-releases', async () => {
    await call('Acquire', 'n9', 'default');
    const list = await client.call<ListLocksReply__Output>((o, cb) => client.locks.List({ group: '' }, o, cb));
    const def = list.groups.find((g) => g.name === 'default')!;
    expect(def.holders[0]).toMatchObject({ node_id: 'n9', via: 'grpc', expires_unix_ms: 0 });
    expect(Number(def.holders[0]!.since_unix_ms)).toBeGreaterThan(0);
    expect(await call('ForceRelease', 'n9', 'default')).toMatchObject({ reason: 'released', holders: [] });
  });
});
