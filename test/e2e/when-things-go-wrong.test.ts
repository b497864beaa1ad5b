// End to end, when things go wrong (issue 14): real coordinator and agent
// processes on real OSTree sysroots with the sandbox rebooter. A rollout that
// fails is aborted and takes its target with it (an agent restarted after the
// abort does not move toward the broken version), an operator resets the node,
// a rollout to what every node runs completes without a reboot, a target that
// exists nowhere fails fast with the agent's error, a closed window and the
// budget explain themselves, and a stopped node can be removed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SandboxFleet, bootedVersion } from '../../demo/sandbox-fleet.js';
import type { RolloutStatus__Output } from '../../proto/generated/hostpilot/v1/RolloutStatus.js';
import { describeWith } from '../support/components.js';
import { distPath } from '../support/programs.js';
import { makeTempDir, sleep } from '../support/tmp.js';

const IDS = ['a1', 'a2', 'b1'];

describeWith(['ostree', 'root'], 'when things go wrong, end to end', () => {
  let fleet: SandboxFleet;
  let tmp: ReturnType<typeof makeTempDir>;

  beforeAll(async () => {
    distPath('agent');
    tmp = makeTempDir('hostpilot-e2e-wrong-');
    fleet = await SandboxFleet.start({
      dir: `${tmp.dir}/fleet`,
      nodes: [
        { id: 'a1', labels: { pool: 'workers', rack: 'r1' } },
        { id: 'a2', labels: { pool: 'workers', rack: 'r1' } },
        { id: 'b1', labels: { pool: 'workers', rack: 'r2' } },
      ],
      slots: 3,
      healthTimeout: '3s',
    });
    await until(async () => {
      const nodes = await fleet.nodes();
      return nodes.length === 3 && nodes.every((n) => n.connected && bootedVersion(n) === '1');
    }, 'the agents to connect');
  }, 180_000);
  afterAll(async () => {
    await fleet?.close();
    tmp?.remove();
  }, 60_000);

  /** Polls `check` until it holds; the deadline only bounds a hang. */
  async function until(check: () => Promise<boolean>, what: string, deadlineMs = 150_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(250);
    }
  }

  async function status(id: string): Promise<RolloutStatus__Output & { message: string }> {
    const r = await fleet.hostpilotctl(['rollout', 'status', id, '-o', 'json']);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as RolloutStatus__Output & { message: string };
  }

  async function ctlOk(args: string[]): Promise<string> {
    const r = await fleet.hostpilotctl(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout;
  }

  const node = async (id: string) => (await fleet.nodes()).find((n) => n.node_id === id)!;

  it('completes a rollout to v2', async () => {
    await fleet.commit('2');
    await ctlOk(['rollout', 'create', '--id', 'to-v2', '--target', '2', '--selector', 'pool=workers', '--strategy', 'size:3', '--max-unavailable', '3']);
    await until(async () => (await status('to-v2')).phase === 'completed', 'to-v2 to complete');
    const nodes = await fleet.nodes();
    expect(nodes.map((n) => [n.node_id, bootedVersion(n), n.flow_state])).toEqual(IDS.map((id) => [id, '2', 'idle']));
    // A completed rollout takes its targets with it.
    expect(nodes.map((n) => n.desired)).toEqual([null, null, null]);
  }, 200_000);

  it('pauses a rollout to a v3 whose own health check fails after one failure, with the node rolled back', async () => {
    await fleet.commit('3', { 'usr/lib/hostpilot/health.d/50-kubelet': { content: '#!/bin/sh\necho "kubelet does not start"\nexit 1\n', mode: 0o755 } });
    await ctlOk(['rollout', 'create', '--id', 'to-v3', '--target', '3', '--selector', 'pool=workers', '--strategy', 'size:3', '--max-unavailable', '1', '--pause-after', '1']);
    await until(async () => (await status('to-v3')).phase === 'paused', 'to-v3 to pause');
    const r = await status('to-v3');
    expect(r.paused_by).toBe('failure');
    expect(r.message).toMatch(/^paused by failure: 1 node\(s\) failed: a1 \(.*kubelet does not start/);
    expect(r.nodes.filter((n) => n.phase === 'failed').map((n) => n.node_id)).toEqual(['a1']);
    const a1 = await node('a1');
    expect([bootedVersion(a1), a1.flow_state, a1.desired?.target]).toEqual(['2', 'failed', '3']);
    expect(await fleet.lockHolders()).toEqual([]);
  }, 200_000);

  it('rollout abort clears the target; a1 restarted after that does not move toward v3', async () => {
    await ctlOk(['rollout', 'abort', 'to-v3']);
    await until(async () => (await fleet.nodes()).every((n) => n.desired === null), 'the aborted rollout to clear its targets');
    const reboots = fleet.reboots('a1');
    await fleet.killAgent('a1');
    fleet.restartAgent('a1');
    await until(async () => (await node('a1')).connected, 'a1 to reconnect');
    // An observation window, not a timed assertion: for 20 s a1 takes no lock, boots nothing and stays on v2.
    const until20s = Date.now() + 20_000;
    while (Date.now() < until20s) {
      const [a1, holders] = await Promise.all([node('a1'), fleet.lockHolders()]);
      expect(holders).toEqual([]);
      expect(bootedVersion(a1)).toBe('2');
      expect(['idle', 'failed']).toContain(a1.flow_state);
      expect(a1.desired).toBeNull();
      await sleep(500);
    }
    expect(fleet.reboots('a1')).toBe(reboots);
  }, 120_000);

  it('nodes reset brings the failed node back to ready', async () => {
    await ctlOk(['nodes', 'reset', 'a1']);
    await until(async () => {
      const a1 = await node('a1');
      return a1.state === 'ready' && a1.flow_state === 'idle' && a1.flow_error === '';
    }, 'a1 to report ready');
  }, 60_000);

  it('a new rollout to v2, which every node runs, completes at once without a reboot', async () => {
    const before = IDS.map((id) => fleet.reboots(id));
    await ctlOk(['rollout', 'create', '--id', 'to-v2-again', '--target', '2', '--selector', 'pool=workers', '--max-unavailable', '1']);
    await until(async () => (await status('to-v2-again')).phase === 'completed', 'to-v2-again to complete');
    expect(IDS.map((id) => fleet.reboots(id))).toEqual(before);
  }, 60_000);

  it('a target that exists nowhere fails the node with its agent error, and the rollout pauses', async () => {
    await ctlOk(['rollout', 'create', '--id', 'to-nowhere', '--target', '9.9', '--selector', 'pool=workers', '--max-unavailable', '1', '--pause-after', '1']);
    await until(async () => (await status('to-nowhere')).phase === 'paused', 'to-nowhere to pause');
    const r = await status('to-nowhere');
    const failed = r.nodes.filter((n) => n.phase === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toMatch(/target "9\.9" matches no version/);
    expect(r.message).toMatch(/paused by failure: .*matches no version/);
    await ctlOk(['rollout', 'abort', 'to-nowhere']);
    // Looking for 9.9 upgraded from the mirror (the broken v3): what that staged is undeployed
    // with the failure, so no later reboot boots it; the node leaves its failed state with the abort.
    const a1 = failed[0]!.node_id;
    await until(async () => {
      const n = await node(a1);
      return n.flow_state === 'idle' && n.state === 'ready';
    }, `${a1} to be ready after the abort`);
    const n = await node(a1);
    expect(n.deployments.map((d) => [d.version, d.booted])).toEqual([['2', true], ...n.deployments.slice(1).map((d) => [d.version, false])]);
    expect(n.deployments.some((d) => d.version === '3' && d.index === 0)).toBe(false);
  }, 120_000);

  it('a rollout whose window is closed says so in its message', async () => {
    // A one-minute window twelve hours from now: closed now, whatever the time of day.
    const at = new Date(Date.now() + 12 * 3_600_000);
    const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    const window = `Mon-Sun ${hhmm(at)}-${hhmm(new Date(at.getTime() + 60_000))} UTC`;
    await ctlOk(['rollout', 'create', '--id', 'closed', '--target', '3', '--selector', 'pool=workers', '--max-unavailable', '1', '--window', window]);
    await until(async () => /outside the reboot windows/.test((await status('closed')).message), 'the window message');
    const r = await status('closed');
    expect(r.message).toMatch(/^outside the reboot windows \(.*\): the next opens at \d{4}-\d\d-\d\dT\d\d:\d\d:00Z; \d node\(s\) of \S+ wait$/);
    expect(r.nodes.map((n) => n.phase)).toEqual(['waiting', 'waiting', 'waiting']);
    await ctlOk(['rollout', 'abort', 'closed']);
  }, 60_000);

  it('nodes remove drops a stopped node and refuses a connected one without --force', async () => {
    await fleet.killAgent('b1');
    const refused = await fleet.hostpilotctl(['nodes', 'remove', 'a2']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/a2 is connected.*--force/);
    // b1's stream closes when its process dies.
    await until(async () => !(await node('b1')).connected, 'b1 to disconnect');
    await ctlOk(['nodes', 'remove', 'b1']);
    expect((await fleet.nodes()).map((n) => n.node_id)).toEqual(['a1', 'a2']);
    const pools = JSON.parse(await ctlOk(['pools', 'list', '-o', 'json'])) as { pools: Array<{ name: string; nodes: number; ready: number; versions: Record<string, number> }> };
    expect(pools.pools.map((p) => [p.name, p.nodes, p.ready, p.versions])).toEqual([['workers', 2, 2, { '2': 2 }]]);
  }, 60_000);
});
