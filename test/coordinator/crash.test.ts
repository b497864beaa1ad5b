// A granted lock survives kill -9 of the coordinator: SQLite WAL with synchronous=FULL,
// and with group commit (many grants sharing one transaction) no acknowledged one is lost.
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, runProgram, spawnProgram, type Spawned } from '../support/programs.js';
import { makeTempDir } from '../support/tmp.js';

describe('coordinator crash durability', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('keeps every acknowledged holder after SIGKILL and a restart', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    const args = ['--store', `sqlite:${tmp.dir}/c.db`, '--group', 'default=3', '--group', 'zincati=1', '--grpc-listen', `127.0.0.1:${grpcPort}`, '--http-listen', `127.0.0.1:${httpPort}`];
    const start = async (): Promise<Spawned> => {
      const p = spawnProgram('coordinator', args);
      cleanups.push(() => p.kill('SIGKILL'));
      await p.waitForOutput('coordinator serving');
      return p;
    };
    const first = await start();
    const granted: string[] = [];
    // Acknowledged over both APIs, right before the kill.
    for (const node of ['n1', 'n2']) {
      const res = await fetch(`http://127.0.0.1:${httpPort}/v1/pre-reboot`, {
        method: 'POST',
        headers: { 'fleet-lock-protocol': 'true' },
        body: JSON.stringify({ client_params: { id: node, group: 'default' } }),
      });
      expect(res.status).toBe(200);
      granted.push(node);
    }
    const z = await fetch(`http://127.0.0.1:${httpPort}/v1/pre-reboot`, {
      method: 'POST',
      headers: { 'fleet-lock-protocol': 'true' },
      body: JSON.stringify({ client_params: { id: 'z1', group: 'zincati' } }),
    });
    expect(z.status).toBe(200);
    await first.kill('SIGKILL');

    await start();
    const list = await runProgram('ctl', ['locks', 'list', '-o', 'json', '--coordinator', `127.0.0.1:${grpcPort}`]);
    expect(list.code).toBe(0);
    const groups = JSON.parse(list.stdout).groups as Array<{ name: string; holders: Array<{ node_id: string }> }>;
    expect(groups.find((g) => g.name === 'default')!.holders.map((h) => h.node_id)).toEqual(granted);
    expect(groups.find((g) => g.name === 'zincati')!.holders.map((h) => h.node_id)).toEqual(['z1']);
    // And the semaphore still counts them: z2 is refused.
    const z2 = await fetch(`http://127.0.0.1:${httpPort}/v1/pre-reboot`, {
      method: 'POST',
      headers: { 'fleet-lock-protocol': 'true' },
      body: JSON.stringify({ client_params: { id: 'z2', group: 'zincati' } }),
    });
    expect(z2.status).toBe(409);
  });

  it('loses no grant acknowledged from a group commit when killed mid-stream', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    const slots = 400;
    const args = ['--store', `sqlite:${tmp.dir}/c.db`, '--group', `default=${slots}`, '--grpc-listen', `127.0.0.1:${grpcPort}`, '--http-listen', `127.0.0.1:${httpPort}`];
    const start = async (): Promise<Spawned> => {
      const p = spawnProgram('coordinator', args);
      cleanups.push(() => p.kill('SIGKILL'));
      await p.waitForOutput('coordinator serving');
      return p;
    };
    const first = await start();
    const acknowledged: string[] = [];
    const preReboot = (id: string) =>
      fetch(`http://127.0.0.1:${httpPort}/v1/pre-reboot`, {
        method: 'POST',
        headers: { 'fleet-lock-protocol': 'true' },
        body: JSON.stringify({ client_params: { id, group: 'default' } }),
      });
    // 16 clients acquire concurrently, so grants share commits; the kill lands while
    // requests are in flight, right after the 100th acknowledgement.
    let next = 0;
    let killed: Promise<void> | undefined;
    const client = async () => {
      while (next < slots && !killed) {
        const id = `n${next++}`;
        const res = await preReboot(id).catch(() => undefined);
        if (res?.status === 200) acknowledged.push(id);
        if (acknowledged.length >= 100) killed ??= first.kill('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: 16 }, client));
    await killed;
    expect(acknowledged.length).toBeGreaterThanOrEqual(100);

    await start();
    const list = await runProgram('ctl', ['locks', 'list', '-o', 'json', '--coordinator', `127.0.0.1:${grpcPort}`]);
    expect(list.code).toBe(0);
    const held = (JSON.parse(list.stdout).groups as Array<{ name: string; holders: Array<{ node_id: string }> }>).find((g) => g.name === 'default')!.holders.map((h) => h.node_id);
    for (const id of acknowledged) expect(held).toContain(id);
    expect(held.length).toBeLessThanOrEqual(slots);
  });
});
