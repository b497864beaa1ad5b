// The coordinator at fleet scale on a real etcd (issue 16's acceptance):
// 50,000 nodes registered through Fleet/Register go into one rollout;
// `rollout create`, `rollout status` and `nodes list` work, and a FleetLock
// acquire is answered while the coordinator holds them. Nothing here asserts a
// time: the timeout only bounds a hang; the figures are printed.
//
// The coordinator runs as its own process (as shipped), the registering client
// and hostpilotctl in others. HOSTPILOT_SCALE_NODES sets the fleet size
// (default 50,000).
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hostpilotProto } from '../../common/proto.js';
import type { FleetClient } from '../../proto/generated/hostpilot/v1/Fleet.js';
import { describeWith } from '../support/components.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { freePort, runProgram, spawnProgram, type Spawned } from '../support/programs.js';

const NODES = Number(process.env.HOSTPILOT_SCALE_NODES ?? 50_000);
const RACKS = Math.max(1, Math.round(NODES / 100));
/** Register calls in flight at once. */
const CONCURRENCY = 128;
/** Tries of one Register answered UNAVAILABLE (the store busy on a loaded machine), as an agent would retry. */
const MAX_ATTEMPTS = 10;
/** FleetLock acquire+release pairs measured once the fleet is in the rollout. */
const LOCK_SAMPLES = 20;

const say = (line: string) => process.stderr.write(`etcd-${NODES}: ${line}\n`);

describeWith(['etcd'], `${NODES} nodes in one rollout on a real etcd`, () => {
  let etcd: EtcdServer;
  let coordinator: Spawned;
  let grpcAddress = '';
  let httpPort = 0;

  beforeAll(async () => {
    etcd = await startEtcd();
    const grpcPort = await freePort();
    httpPort = await freePort();
    grpcAddress = `127.0.0.1:${grpcPort}`;
    coordinator = spawnProgram('coordinator', [
      '--store', `etcd:${etcd.endpoint}`,
      '--grpc-listen', grpcAddress,
      '--http-listen', `127.0.0.1:${httpPort}`,
      '--group', 'default=2',
      '--log-level', 'warn',
    ]);
    await waitForReady(httpPort, coordinator);
  }, 120_000);

  afterAll(async () => {
    await coordinator?.kill();
    await etcd?.destroy();
  });

  // A generous deadline per call: the machine may be loaded; the test asserts answers, not their speed.
  const ctl = (...args: string[]) => runProgram('ctl', ['--coordinator', grpcAddress, '--timeout', '120s', ...args]);

  it(`registers ${NODES} nodes, puts them in one rollout and still answers FleetLock`, async () => {
    const t0 = performance.now();
    const retries = await registerAll(grpcAddress);
    say(`${NODES} nodes registered in ${((performance.now() - t0) / 1000).toFixed(1)} s (${retries} retries after UNAVAILABLE)`);

    const t1 = performance.now();
    const created = await ctl('rollout', 'create', '--id', 'big', '--target', '2', '--strategy', 'by-label:rack', '--pool-label', 'rack', '--max-unavailable', '1', '-o', 'json');
    say(`rollout create: exit ${created.code} in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);

    const t2 = performance.now();
    const status = await ctl('rollout', 'status', 'big', '-o', 'json');
    say(`rollout status: exit ${status.code} in ${((performance.now() - t2) / 1000).toFixed(1)} s, ${status.stdout.length} bytes`);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    const rollout = JSON.parse(status.stdout) as { spec: { id: string; target: string }; phase: string };
    expect(rollout.spec).toMatchObject({ id: 'big', target: '2' });
    expect(['running', 'paused']).toContain(rollout.phase);

    const t3 = performance.now();
    const listed = await ctl('nodes', 'list', '-o', 'json');
    say(`nodes list: exit ${listed.code} in ${((performance.now() - t3) / 1000).toFixed(1)} s, ${listed.stdout.length} bytes`);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const nodes = JSON.parse(listed.stdout) as unknown[] | { nodes: unknown[] };
    expect(Array.isArray(nodes) ? nodes.length : nodes.nodes.length).toBe(NODES);

    // FleetLock (Zincati's protocol) while the coordinator holds the fleet and steps the rollout.
    const lock = async (path: string) => {
      const s = performance.now();
      const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'fleet-lock-protocol': 'true' },
        body: JSON.stringify({ client_params: { id: 'zincati-1', group: 'default' } }),
      });
      return { status: res.status, body: await res.text(), ms: performance.now() - s };
    };
    const acquireMs: number[] = [];
    for (let i = 0; i < LOCK_SAMPLES; i++) {
      const acquired = await lock('/v1/pre-reboot');
      expect(acquired.status, acquired.body).toBe(200);
      acquireMs.push(acquired.ms);
      const released = await lock('/v1/steady-state');
      expect(released.status, released.body).toBe(200);
    }
    acquireMs.sort((a, b) => a - b);
    say(`FleetLock pre-reboot: ${LOCK_SAMPLES} answered 200, min ${acquireMs[0]!.toFixed(1)} ms, p50 ${acquireMs[LOCK_SAMPLES >> 1]!.toFixed(1)} ms, max ${acquireMs.at(-1)!.toFixed(1)} ms`);
    expect(coordinator.child.exitCode).toBeNull();
  }, 1_500_000);
});

/** Registers every node as agents do: concurrently, and again after an UNAVAILABLE (a busy store). Returns the retries. */
async function registerAll(address: string): Promise<number> {
  const proto = hostpilotProto().hostpilot.v1;
  const client = new proto.Fleet(address, grpc.credentials.createInsecure()) as FleetClient;
  let retries = 0;
  const register = (i: number) => {
    const id = `scale-${String(i).padStart(6, '0')}`;
    return new Promise<grpc.ServiceError | undefined>((resolve) =>
      client.Register(
        { node_id: id, hostname: id, labels: { rack: `r${i % RACKS}` }, os: { distro: 'testos', release: '1', kernel: '6.0.0', arch: 'x86_64', boot_id: '' }, agent_version: 'test' },
        { deadline: Date.now() + 60_000 },
        (err) => resolve(err ?? undefined),
      ),
    );
  };
  try {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < NODES; i = next++) {
        for (let attempt = 1; ; attempt++) {
          const err = await register(i);
          if (!err) break;
          if (err.code !== grpc.status.UNAVAILABLE || attempt >= MAX_ATTEMPTS) throw new Error(`Register node ${i}: ${err.message}`);
          retries++;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return retries;
  } finally {
    client.close();
  }
}

/** /readyz answers 200 (the store takes writes), or the coordinator exited (its output says why). */
async function waitForReady(port: number, coordinator: Spawned): Promise<void> {
  for (;;) {
    if (coordinator.child.exitCode !== null) throw new Error(`coordinator exited: ${coordinator.output()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
