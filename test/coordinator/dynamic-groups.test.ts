// Groups created on first use (--allow-new-groups) are capped (--max-groups)
// and deleted, with their metric series, once nobody holds them (issue 15:
// 20,000 groups took /metrics from 14 KB to 1.5 MB and stayed after every
// slot was released; `.`, `..` and `-` were accepted as group names).
import { afterEach, describe, expect, it } from 'vitest';
import { CtlClient } from '../../ctl/client.js';
import { silentLogger } from '../../common/log.js';
import { startCoordinator } from '../../coordinator/app.js';
import { openStore, parseStoreSpec } from '../../coordinator/store/open.js';
import { coordinatorConfig, withCoordinator } from '../support/coordinator.js';
import { makeTempDir } from '../support/tmp.js';
import { httpRequest as http } from '../support/http.js';

/** Series lines with a group label on a /metrics page. */
const groupSeries = (text: string) => text.split('\n').filter((l) => l.includes('group="')).length;
const fleetlock = (port: number, op: 'pre-reboot' | 'steady-state', id: string, group: string) =>
  http(port, 'POST', `/v1/${op}`, JSON.stringify({ client_params: { id, group } }));

describe('groups created on first use', () => {
  let c: Awaited<ReturnType<typeof withCoordinator>> | undefined;
  afterEach(async () => {
    await c?.cleanup();
    c = undefined;
  });

  it('20,000 groups created then released: group count, stored keys, series and /metrics back down', async () => {
    const GROUPS = 20_000;
    // In-memory SQLite: 40,000 lock writes without 40,000 fsyncs.
    c = await withCoordinator({ store: 'sqlite::memory:', allowNewGroups: true, maxGroups: GROUPS });
    const metricsSize = async () => (await http(c!.httpPort, 'GET', '/metrics')).text.length;
    const before = await metricsSize();
    const groupSeriesBefore = groupSeries((await http(c.httpPort, 'GET', '/metrics')).text);
    const name = (i: number) => `g${i}`;
    for (let i = 0; i < GROUPS; i++) expect((await c.locks.acquire(`node-${i % 50}`, name(i), 'fleetlock')).granted).toBe(true);
    expect(c.locks.dynamicGroups).toBe(GROUPS);
    expect((await c.store.list('locks/')).length).toBe(GROUPS);
    const full = await metricsSize();
    expect(full).toBeGreaterThan(before + GROUPS * 40);

    for (let i = 0; i < GROUPS; i++) await c.locks.release(`node-${i % 50}`, name(i), 'fleetlock');
    expect(c.locks.dynamicGroups).toBe(0);
    expect(await c.store.list('locks/')).toEqual([]);
    expect((await c.locks.list()).map((g) => g.name)).toEqual(['default']);
    const after = await http(c.httpPort, 'GET', '/metrics');
    expect(after.text).not.toMatch(/hostpilot_lock_(slots|holders)\{group="g\d+"\}/);
    // Back to the size it had: only counters and process figures grew (longer numbers, not more series).
    expect(groupSeries(after.text)).toBe(groupSeriesBefore);
    expect(after.text.length).toBeLessThan(before + 4096);
  }, 900_000);

  it('caps how many exist at once (--max-groups), and a released one makes room', async () => {
    c = await withCoordinator({ allowNewGroups: true, maxGroups: 3 });
    for (const g of ['a1', 'a2', 'a3']) expect(await fleetlock(c.httpPort, 'pre-reboot', 'n1', g)).toMatchObject({ status: 200 });
    const refused = await fleetlock(c.httpPort, 'pre-reboot', 'n1', 'a4');
    expect(refused.status).toBe(404);
    expect(JSON.parse(refused.text)).toMatchObject({ kind: 'unknown_group', value: expect.stringContaining('--max-groups 3') });
    const client = new CtlClient(`127.0.0.1:${c.grpcPort}`, undefined, 5000);
    await expect(client.call((o, cb) => client.locks.Acquire({ node_id: 'n2', group: 'a5' }, o, cb))).rejects.toMatchObject({ kind: 'not_found' });
    client.close();
    // A group that exists takes more holders; configured groups never count.
    expect(await fleetlock(c.httpPort, 'pre-reboot', 'n1', 'default')).toMatchObject({ status: 200 });
    // Releasing a group nobody holds creates nothing.
    expect(await fleetlock(c.httpPort, 'steady-state', 'n1', 'never-used')).toMatchObject({ status: 200 });
    expect(c.locks.dynamicGroups).toBe(3);
    expect(await fleetlock(c.httpPort, 'steady-state', 'n1', 'a2')).toMatchObject({ status: 200 });
    expect(await fleetlock(c.httpPort, 'pre-reboot', 'n1', 'a4')).toMatchObject({ status: 200 });
    expect((await c.store.list('locks/')).map((e) => e.key)).toEqual(['locks/a1', 'locks/a3', 'locks/a4', 'locks/default']);
  });

  it('deletes stored dynamic groups nobody holds when it starts, and keeps held ones', async () => {
    const tmp = makeTempDir('hostpilot-groups-');
    const config = coordinatorConfig(tmp.dir, { allowNewGroups: true });
    try {
      const store = await openStore(parseStoreSpec(config.store));
      await store.put('locks/stale', { holders: [] });
      await store.put('locks/expired', { holders: [{ nodeId: 'n1', since: 1, expiresAt: 2, via: 'grpc' }] });
      await store.put('locks/held', { holders: [{ nodeId: 'n1', since: 1, via: 'grpc' }] });
      await store.put('locks/default', { holders: [] });
      await store.close();
      const running = await startCoordinator(config, { log: silentLogger });
      try {
        expect((await running.store.list('locks/')).map((e) => e.key)).toEqual(['locks/default', 'locks/held']);
        expect(running.locks.dynamicGroups).toBe(1);
        expect((await http(running.httpPort, 'GET', '/metrics')).text).toContain('hostpilot_lock_holders{group="held"} 1');
      } finally {
        await running.close();
      }
    } finally {
      tmp.remove();
    }
  });

  it.each(['.', '..', '-', '-a', 'a-', '.a', 'a.'])('refuses the group name %j on FleetLock and gRPC', async (group) => {
    c ??= await withCoordinator({ allowNewGroups: true });
    const r = await fleetlock(c.httpPort, 'pre-reboot', 'n1', group);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toMatchObject({ kind: 'invalid_client_identity', value: expect.stringContaining('start and end with a letter or digit') });
    await expect(c.locks.acquire('n1', group, 'grpc')).rejects.toMatchObject({ kind: 'invalid_argument' });
    expect(c.locks.dynamicGroups).toBe(0);
  });

  it('accepts names that start and end with a letter or digit', async () => {
    c = await withCoordinator({ allowNewGroups: true });
    for (const group of ['a', 'A-1', 'rack.12', 'x'.repeat(63)]) expect(await fleetlock(c.httpPort, 'pre-reboot', 'n1', group)).toMatchObject({ status: 200 });
  });
});
