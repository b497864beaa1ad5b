// End to end: a NodeConfig applied with hostpilotctl, rendered by a real
// coordinator and rolled out to real agent processes (sandbox hosts on real
// OSTree sysroots, each converging under its own node root): a file and a
// sysctl go out rack by rack without a reboot and without the lock; a second
// version that adds a kernel argument goes through the reboot flow under the
// lock (real `ostree admin kargs` on each sysroot), one node at a time.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
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

describeWith(['ostree', 'root'], 'node config end to end', () => {
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

  /** Polls the rollout until it ends, recording the most lock holders and nodes in flight seen at once. */
  async function follow(id: string) {
    let maxHolders = 0;
    let maxUpdating = 0;
    const started = new Map<string, number>();
    const done = new Map<string, number>();
    const deadline = Date.now() + 240_000;
    for (;;) {
      const [r, holders] = await Promise.all([get(id), fleet.lockHolders()]);
      const now = Date.now();
      for (const n of r.nodes) {
        if (n.phase === 'updating' && !started.has(n.node_id)) started.set(n.node_id, now);
        if (n.phase === 'done' && !done.has(n.node_id)) done.set(n.node_id, now);
      }
      maxHolders = Math.max(maxHolders, holders.length);
      maxUpdating = Math.max(maxUpdating, r.nodes.filter((n) => n.phase === 'updating').length);
      if (r.phase !== 'running') return { r, maxHolders, maxUpdating, started, done };
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
    const { r, maxHolders, maxUpdating, started, done } = await follow('cfg-1');
    expect(r.phase).toBe('completed');
    expect(maxHolders).toBe(0);
    expect(maxUpdating).toBeLessThanOrEqual(2);
    expect(Math.min(started.get('b1')!, started.get('b2')!)).toBeGreaterThanOrEqual(Math.max(done.get('a1')!, done.get('a2')!));
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
});
