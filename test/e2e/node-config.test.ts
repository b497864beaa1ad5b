// End to end, both sides of #20: real coordinator and agent processes (sandbox
// hosts on real OSTree sysroots), hostpilotctl. A NodeConfig with files and a
// sysctl is rolled out to the pool bucket by bucket without a reboot and
// written on every node, which reports its hash; a hand edit shows as
// ConfigDrift; a second version that adds a kernel argument goes through the
// reboot flow under the lock, with real `ostree admin kargs` on each sysroot,
// and repairs drift.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SandboxFleet, bootedVersion } from '../../demo/sandbox-fleet.js';
import type { RolloutStatus__Output } from '../../proto/generated/hostpilot/v1/RolloutStatus.js';
import { describeWith } from '../support/components.js';
import { distPath } from '../support/programs.js';
import { makeTempDir, sleep } from '../support/tmp.js';

const NODES = ['a1', 'b1'];
const config = (motd: string, kargs = '') => `apiVersion: hostpilot.io/v1
kind: NodeConfig
metadata:
  name: 10-base
spec:
  selector: {pool: [workers]}
  files:
    - {path: /etc/hp-e2e/motd, mode: "0644", contents: "${motd}\\n"}
    - {path: /var/lib/hp-e2e/token, mode: "0600", owner: "daemon:daemon", contents: "t0ken\\n"}
  sysctls: {vm.swappiness: "10"}
${kargs}`;

describeWith(['ostree', 'root', 'getent'], 'node config end to end', () => {
  let fleet: SandboxFleet;
  let tmp: ReturnType<typeof makeTempDir>;

  beforeAll(async () => {
    distPath('agent');
    tmp = makeTempDir('hostpilot-e2e-cfg-');
    fleet = await SandboxFleet.start({
      dir: `${tmp.dir}/fleet`,
      nodes: [
        { id: 'a1', labels: { pool: 'workers', rack: 'r1' } },
        { id: 'b1', labels: { pool: 'workers', rack: 'r2' } },
      ],
      slots: 1,
    });
    // A sandbox host's /proc/sys stand-in, under its node-config root.
    for (const id of NODES) {
      const dir = join(fleet.nodeConfigRoot(id), 'proc/sys/vm');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'swappiness'), '60\n');
    }
    for (;;) {
      const nodes = await fleet.nodes();
      if (nodes.length === 2 && nodes.every((n) => n.connected && bootedVersion(n) === '1')) break;
      await sleep(300);
    }
  }, 180_000);
  afterAll(async () => {
    await fleet?.close();
    tmp?.remove();
  }, 60_000);

  const get = (id: string) => fleet.ctl.call<RolloutStatus__Output>((o, cb) => fleet.ctl.rollouts.Get({ id }, o, cb));
  async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + 150_000;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
      await sleep(250);
    }
  }
  async function apply(yaml: string): Promise<string> {
    writeFileSync(join(tmp.dir, 'nodeconfig.yaml'), yaml);
    const applied = await fleet.hostpilotctl(['apply', '-f', join(tmp.dir, 'nodeconfig.yaml')]);
    expect(applied.stderr).toBe('');
    const rendered = JSON.parse((await fleet.hostpilotctl(['config', 'rendered', 'workers', '-o', 'json'])).stdout) as { hash: string };
    return rendered.hash;
  }
  async function rollout(id: string, maxUnavailable: number, extra: string[] = []): Promise<RolloutStatus__Output> {
    const created = await fleet.hostpilotctl(['rollout', 'create', '--id', id, '--node-config', 'workers', '--strategy', 'by-label:rack', '--max-unavailable', String(maxUnavailable), ...extra]);
    expect(created.stderr).toBe('');
    let maxMoving = 0;
    return until(`rollout ${id}`, async () => {
      const r = await get(id);
      maxMoving = Math.max(maxMoving, r.nodes.filter((n) => n.phase === 'updating').length);
      expect(maxMoving).toBeLessThanOrEqual(maxUnavailable);
      return r.phase === 'completed' || r.phase === 'paused' ? r : undefined;
    });
  }

  it('rolls a NodeConfig out bucket by bucket without a reboot: files written, sysctl set, hash reported; a hand edit is drift', async () => {
    const hash = await apply(config('hello'));
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const r = await rollout('cfg-1', 1);
    expect(r.phase).toBe('completed');
    for (const id of NODES) {
      const root = fleet.nodeConfigRoot(id);
      expect(readFileSync(join(root, 'etc/hp-e2e/motd'), 'utf8')).toBe('hello\n');
      expect(readFileSync(join(root, 'var/lib/hp-e2e/token'), 'utf8')).toBe('t0ken\n');
      expect(readFileSync(join(root, 'etc/sysctl.d/90-hostpilot.conf'), 'utf8')).toContain('vm.swappiness = 10\n');
      expect(readFileSync(join(root, 'proc/sys/vm/swappiness'), 'utf8').trim()).toBe('10');
      expect(fleet.reboots(id)).toBe(0);
    }
    const nodes = await fleet.nodes();
    expect(nodes.map((n) => [n.node_id, n.config_hash])).toEqual(NODES.map((id) => [id, hash]));
    expect(await fleet.lockHolders()).toEqual([]);

    // A hand edit on a1: reported as ConfigDrift (driftPolicy report: not put back).
    writeFileSync(join(fleet.nodeConfigRoot('a1'), 'etc/hp-e2e/motd'), 'edited by hand\n');
    const drift = await until('ConfigDrift on a1', async () => {
      const a1 = (await fleet.nodes()).find((n) => n.node_id === 'a1')!;
      return a1.conditions.find((c) => c.type === 'ConfigDrift' && c.status);
    });
    expect(drift.message).toContain('file /etc/hp-e2e/motd: contents differ');
    expect(readFileSync(join(fleet.nodeConfigRoot('a1'), 'etc/hp-e2e/motd'), 'utf8')).toBe('edited by hand\n');
    // A drifted node is degraded (a problem condition): no rollout starts on it. Put back by hand, it is ready again.
    writeFileSync(join(fleet.nodeConfigRoot('a1'), 'etc/hp-e2e/motd'), 'hello\n');
    await until('a1 ready again', async () => ((await fleet.nodes()).find((n) => n.node_id === 'a1')!.conditions.some((c) => c.status) ? undefined : true));
  }, 240_000);

  it('a second version that adds a kernel argument goes through the reboot flow under the lock (real ostree admin kargs)', async () => {
    const hash = await apply(config('hello', '  kernelArguments: {append: [hp.e2e=1]}\n  driftPolicy: repair\n'));
    let maxHolders = 0;
    const watch = setInterval(() => void fleet.lockHolders().then((h) => (maxHolders = Math.max(maxHolders, h.length))).catch(() => undefined), 100);
    let r: RolloutStatus__Output;
    try {
      r = await rollout('cfg-2', 1);
    } finally {
      clearInterval(watch);
    }
    expect(r.phase).toBe('completed');
    expect(maxHolders).toBe(1);
    for (const id of NODES) {
      expect(fleet.reboots(id)).toBe(1);
      const entries = join(fleet.sysroot(id), 'boot/loader/entries');
      const options = readdirSync(entries).map((f) => readFileSync(join(entries, f), 'utf8')).join('\n');
      expect(options).toMatch(/^options .*\bhp\.e2e=1\b/m);
    }
    const nodes = await fleet.nodes();
    expect(nodes.map((n) => [n.node_id, n.config_hash, n.flow_state])).toEqual(NODES.map((id) => [id, hash, 'idle']));
    expect(await fleet.lockHolders()).toEqual([]);

    // driftPolicy repair: a hand edit is put back by the agent, and counted.
    const motd = join(fleet.nodeConfigRoot('b1'), 'etc/hp-e2e/motd');
    writeFileSync(motd, 'edited by hand\n');
    await until('the edit repaired', async () => (readFileSync(motd, 'utf8') === 'hello\n' ? true : undefined));
  }, 240_000);

  it('a config that fails on a node fails its health: the rollout pauses and rolls the node back to the previous rendered config', async () => {
    const kargs = '  kernelArguments: {append: [hp.e2e=1]}\n  driftPolicy: repair\n';
    const good = await apply(config('hello', kargs));
    expect((await rollout('cfg-3a', 1)).phase).toBe('completed');
    // The same, plus a file owned by a user no node has: the change fails, the node reports ConfigApplyFailed.
    const bad = await apply(config('hello', kargs).replace('  sysctls:', '    - {path: /etc/hp-e2e/owned, mode: "0644", owner: no-such-user-hp, contents: "x\\n"}\n  sysctls:'));
    expect(bad).not.toBe(good);
    const r = await rollout('cfg-3b', 1, ['--health-timeout', '5s', '--rollback-on-failure']);
    expect(r).toMatchObject({ phase: 'paused', paused_by: 'failure' });
    // Paused at once; the node is failed once it has been sent back (reverting, then failed).
    const settled = await until('a1 failed and reverted', async () => {
      const x = await get('cfg-3b');
      return x.nodes.some((n) => n.phase === 'reverting') ? undefined : x;
    });
    const failed = settled.nodes.filter((n) => n.phase === 'failed');
    expect(failed.map((n) => [n.node_id, n.previous_config])).toEqual([['a1', good]]);
    expect(failed[0]!.error).toMatch(/not steady on config .* \(state degraded\); reverted to config/);
    // Rolled back: a1 applies the previous config again and is healthy on it; b1 was never moved.
    const a1 = await until('a1 back on the previous config, healthy', async () => {
      const n = (await fleet.nodes()).find((x) => x.node_id === 'a1')!;
      return n.config_hash === good && !n.conditions.some((c) => c.status) ? n : undefined;
    });
    expect(a1.config_hash).toBe(good);
    expect((await fleet.nodes()).find((n) => n.node_id === 'b1')!.config_hash).toBe(good);
  }, 300_000);
});
