// End to end: a NodeConfig applied with hostpilotctl, rendered by a real
// coordinator and rolled out to real agent processes (sandbox hosts on real
// OSTree sysroots, each converging under its own node root): a file and a
// sysctl go out rack by rack without a reboot and without the lock; a second
// version that adds a kernel argument goes through the reboot flow under the
// lock (real `ostree admin kargs` on each sysroot), one node at a time; a hand
// edit is reported as ConfigDrift (and, with driftPolicy repair, put back); a
// config that fails on a node fails its health, and the rollout pauses and
// rolls the node back to the previous rendered config.
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SandboxFleet } from '../../demo/sandbox-fleet.js';
import type { RolloutStatus__Output } from '../../proto/generated/hostpilot/v1/RolloutStatus.js';
import { describeWith } from '../support/components.js';
import { distPath } from '../support/programs.js';
import { makeTempDir, sleep } from '../support/tmp.js';

const NODES = [
  { id: 'a1', labels: { pool: 'workers', rack: 'r1' } },
  { id: 'a2', labels: { pool: 'workers', rack: 'r1' } },
  { id: 'b1', labels: { pool: 'workers', rack: 'r2' } },
  { id: 'b2', labels: { pool: 'workers', rack: 'r2' } },
];

const config = (extra = '') => `apiVersion: hostpilot.io/v1
kind: NodeConfig
metadata:
  name: 10-base
spec:
  selector: {pool: [workers]}
  files:
    - {path: /etc/hostpilot-e2e/motd, mode: "0640", contents: "managed\\n"}
  sysctls: {vm.swappiness: "10"}
${extra}`;

describeWith(['ostree', 'root', 'getent'], 'node config end to end', () => {
  let fleet: SandboxFleet;
  let tmp: ReturnType<typeof makeTempDir>;
  const reboots = new Map<string, number>();
  const nodeDir = (id: string) => join(tmp.dir, 'fleet/nodes', id);
  // A sandbox host converges under <state-dir>/node-root; its /proc/sys is a stand-in there.
  const nodeRoot = (id: string) => join(nodeDir(id), 'state/node-root');

  beforeAll(async () => {
    distPath('agent');
    tmp = makeTempDir('hostpilot-e2e-config-');
    fleet = await SandboxFleet.start({ dir: join(tmp.dir, 'fleet'), nodes: NODES, slots: 1, onReboot: (id) => reboots.set(id, (reboots.get(id) ?? 0) + 1) });
    for (const { id } of NODES) {
      mkdirSync(join(nodeRoot(id), 'proc/sys/vm'), { recursive: true });
      writeFileSync(join(nodeRoot(id), 'proc/sys/vm/swappiness'), '60\n');
    }
    for (;;) {
      const nodes = await fleet.nodes();
      if (nodes.length === NODES.length && nodes.every((n) => n.connected)) break;
      await sleep(300);
    }
  }, 180_000);
  afterAll(async () => {
    await fleet?.close();
    tmp?.remove();
  }, 60_000);

  const get = (id: string) => fleet.ctl.call<RolloutStatus__Output>((o, cb) => fleet.ctl.rollouts.Get({ id }, o, cb));

  /** Polls the rollout until it ends, recording the most lock holders and nodes in flight seen at once (what a 200 ms poll can see). */
  async function follow(id: string) {
    let maxHolders = 0;
    let maxUpdating = 0;
    const deadline = Date.now() + 240_000;
    for (;;) {
      const [r, holders] = await Promise.all([get(id), fleet.lockHolders()]);
      const now = Date.now();
      maxHolders = Math.max(maxHolders, holders.length);
      maxUpdating = Math.max(maxUpdating, r.nodes.filter((n) => n.phase === 'updating').length);
      if (r.phase !== 'running') return { r, maxHolders, maxUpdating };
      if (now > deadline) throw new Error(`rollout ${id} stuck: ${r.message} ${JSON.stringify(r.nodes)}`);
      await sleep(200);
    }
  }

  it('rolls a file and a sysctl out rack by rack without a reboot or the lock', async () => {
    writeFileSync(join(tmp.dir, 'v1.yaml'), config());
    const ok = await fleet.hostpilotctl(['apply', '-f', join(tmp.dir, 'v1.yaml')]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('NodeConfig/10-base created\n');
    const rendered = JSON.parse((await fleet.hostpilotctl(['config', 'rendered', 'workers', '-o', 'json'])).stdout) as { hash: string };

    const created = await fleet.hostpilotctl(['rollout', 'create', '--id', 'cfg-1', '--node-config', 'workers', '--strategy', 'by-label:rack', '--max-unavailable', '2']);
    expect(created.stderr).toBe('');
    const { r, maxHolders, maxUpdating } = await follow('cfg-1');
    expect(r.phase).toBe('completed');
    expect(maxHolders).toBe(0);
    expect(maxUpdating).toBeLessThanOrEqual(2);
    // Rack by rack: rack b's agents wrote the file only after the coordinator marked rack a done.
    // From the rollout's own record and the files, not from what a poll happened to see (a
    // config-only node can pass through "updating" between two polls). The 20 ms allow for the
    // file system's coarse timestamps, not for timing.
    const doneAt = (id: string) => Number(r.nodes.find((n) => n.node_id === id)!.since_unix_ms);
    const appliedAt = (id: string) => statSync(join(nodeRoot(id), 'etc/hostpilot-e2e/motd')).mtimeMs;
    expect(Math.min(appliedAt('b1'), appliedAt('b2'))).toBeGreaterThanOrEqual(Math.max(doneAt('a1'), doneAt('a2')) - 20);
    expect([...reboots.values()].reduce((a, b) => a + b, 0)).toBe(0);
    for (const { id } of NODES) {
      expect(readFileSync(join(nodeRoot(id), 'etc/hostpilot-e2e/motd'), 'utf8')).toBe('managed\n');
      expect(readFileSync(join(nodeRoot(id), 'proc/sys/vm/swappiness'), 'utf8').trim()).toBe('10');
    }
    const nodes = await fleet.nodes();
    expect(nodes.map((n) => n.config_hash)).toEqual(NODES.map(() => rendered.hash));
  }, 300_000);

  it('rolls a kernel argument out through the reboot flow, one node at a time under the lock', async () => {
    writeFileSync(join(tmp.dir, 'v2.yaml'), config('  kernelArguments: {append: [hostpilot.e2e=1]}\n'));
    expect((await fleet.hostpilotctl(['apply', '-f', join(tmp.dir, 'v2.yaml')])).stdout).toBe('NodeConfig/10-base configured (spec.kernelArguments: {"append":[],"delete":[]} -> {"append":["hostpilot.e2e=1"],"delete":[]})\n');
    const rendered = JSON.parse((await fleet.hostpilotctl(['config', 'rendered', 'workers', '-o', 'json'])).stdout) as { hash: string };
    const created = await fleet.hostpilotctl(['rollout', 'create', '--id', 'cfg-2', '--node-config', 'workers', '--strategy', 'size:4', '--max-unavailable', '1']);
    expect(created.stderr).toBe('');
    const { r, maxHolders, maxUpdating } = await follow('cfg-2');
    expect(r.phase).toBe('completed');
    expect(maxHolders).toBeLessThanOrEqual(1);
    expect(maxUpdating).toBe(1);
    for (const { id } of NODES) {
      expect(reboots.get(id)).toBe(1);
      // The boot entry of the deployment it booted carries the argument (written by ostree admin kargs).
      const entries = join(nodeDir(id), 'sysroot/boot/loader/entries');
      const options = readdirSync(entries).map((f) => readFileSync(join(entries, f), 'utf8')).join('\n');
      expect(options).toMatch(/^options .*\bhostpilot\.e2e=1\b/m);
    }
    expect((await fleet.nodes()).map((n) => n.config_hash)).toEqual(NODES.map(() => rendered.hash));
  }, 300_000);

  // The kernel argument of the test above, so the configs below need no reboot after it (alone, they take one).
  const KARGS = '  kernelArguments: {append: [hostpilot.e2e=1]}\n';
  async function rollOut(id: string, yaml: string, extra: string[] = []) {
    writeFileSync(join(tmp.dir, `${id}.yaml`), yaml);
    expect((await fleet.hostpilotctl(['apply', '-f', join(tmp.dir, `${id}.yaml`)])).stderr).toBe('');
    const { hash } = JSON.parse((await fleet.hostpilotctl(['config', 'rendered', 'workers', '-o', 'json'])).stdout) as { hash: string };
    const created = await fleet.hostpilotctl(['rollout', 'create', '--id', id, '--node-config', 'workers', '--strategy', 'by-label:rack', '--max-unavailable', '1', ...extra]);
    expect(created.stderr).toBe('');
    return { hash, ...(await follow(id)) };
  }
  async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
      await sleep(250);
    }
  }
  const node = async (id: string) => (await fleet.nodes()).find((n) => n.node_id === id)!;

  it('reports a hand edit as ConfigDrift (the node is degraded until it is put back), and repairs it under driftPolicy repair', async () => {
    expect((await rollOut('cfg-drift-1', config(KARGS))).r.phase).toBe('completed');
    const motd = (id: string) => join(nodeRoot(id), 'etc/hostpilot-e2e/motd');
    writeFileSync(motd('a1'), 'edited by hand\n');
    const drift = await until('ConfigDrift on a1', async () => (await node('a1')).conditions.find((c) => c.type === 'ConfigDrift' && c.status));
    expect(drift.message).toContain('file /etc/hostpilot-e2e/motd: contents differ');
    expect(readFileSync(motd('a1'), 'utf8')).toBe('edited by hand\n');
    // A drifted node has a problem condition: no rollout starts on it. Put back by hand, it is ready again.
    writeFileSync(motd('a1'), 'managed\n');
    await until('a1 without problems', async () => ((await node('a1')).conditions.some((c) => c.status) ? undefined : true));

    expect((await rollOut('cfg-drift-2', config(`${KARGS}  driftPolicy: repair\n`))).r.phase).toBe('completed');
    writeFileSync(motd('b1'), 'edited by hand\n');
    await until('the edit on b1 put back', async () => (readFileSync(motd('b1'), 'utf8') === 'managed\n' ? true : undefined));
  }, 300_000);

  it('a config that fails on a node fails its health: the rollout pauses and rolls the node back to the previous rendered config', async () => {
    const base = config(`${KARGS}  driftPolicy: repair\n`);
    const good = await rollOut('cfg-fail-1', base);
    expect(good.r.phase).toBe('completed');
    // The same plus a file owned by a user no node has: that change fails, the node reports ConfigApplyFailed.
    const bad = await rollOut('cfg-fail-2', base.replace('  sysctls:', '    - {path: /etc/hostpilot-e2e/owned, mode: "0644", owner: no-such-user-hp, contents: "x\\n"}\n  sysctls:'), ['--health-timeout', '5s', '--rollback-on-failure']);
    expect(bad.hash).not.toBe(good.hash);
    expect(bad.r).toMatchObject({ phase: 'paused', paused_by: 'failure' });
    // Paused at once; the node counts as failed once it has been sent back.
    const settled = await until('the failed node reverted', async () => {
      const x = await get('cfg-fail-2');
      return x.nodes.some((n) => n.phase === 'reverting') ? undefined : x;
    });
    const failed = settled.nodes.filter((n) => n.phase === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.previous_config).toBe(good.hash);
    expect(failed[0]!.error).toMatch(/not steady on config .* \(state degraded\); reverted to config/);
    const back = await until('the failed node healthy on the previous config', async () => {
      const n = await node(failed[0]!.node_id);
      return n.config_hash === good.hash && !n.conditions.some((c) => c.status) ? n : undefined;
    });
    expect(back.config_hash).toBe(good.hash);
    // Nobody else was moved.
    expect((await fleet.nodes()).map((n) => n.config_hash)).toEqual(NODES.map(() => good.hash));
  }, 300_000);
});
