// End to end, every part real: a coordinator process with a RemediationPolicy
// applied through hostpilotctl, agent processes on real OSTree sysroots with
// the sandbox rebooter, a real systemd in nspawn whose unit the agents restart
// over D-Bus, and node-problem-detector custom-plugin monitors whose check
// script reads a flag file. A node goes unhealthy; the coordinator orders a
// unit restart (a restart that clears the cause ends the remediation there);
// a condition that persists escalates to a reboot through the sandbox flow
// under the reboot lock, and then to reprovision (cordon, needs-reprovision).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SandboxFleet, bootedVersion } from '../../demo/sandbox-fleet.js';
import { UnitManager } from '../../agent/systemd/unit-manager.js';
import { describeWith } from '../support/components.js';
import { distPath } from '../support/programs.js';
import { makeTempDir, waitFor } from '../support/tmp.js';
import { bootSystemd, type BootedSystemd } from '../systemd/nspawn.js';
import { invocation } from '../remediation/unit-invocation.js';

interface Entry {
  node_id: string;
  condition: string;
  step: string;
  order_id: string;
  result: string;
  needs_reprovision: boolean;
}
interface History {
  history: Array<{ event: string; action: string; order_id: string; message: string }>;
  needs_reprovision: boolean;
}
interface AgentRecord {
  id: string;
  action: string;
  unit: string;
  condition: string;
  state: string;
  message: string;
}

describeWith(['ostree', 'systemd-nspawn', 'root'], 'remediation end to end', () => {
  let sd: BootedSystemd;
  let units: UnitManager;
  let fleet: SandboxFleet;
  let tmp: ReturnType<typeof makeTempDir>;
  let flags: string;
  const logs: Array<{ who: string; line: string }> = [];

  /** The node's monitor: FlagProblem while its flag file exists (exit 1 is "problem" in NPD's plugin protocol). */
  function nodeFiles(node: string): Record<string, string | { content: string; mode: number }> {
    const check = `#!/bin/sh\nif [ -e ${flags}/${node} ]; then echo "flag file ${node} present"; exit 1; fi\necho "no flag"; exit 0\n`;
    return {
      'etc/agent.json': JSON.stringify({ remediation: { units: ['hp-web.service'], restartTimeout: '20s' } }),
      'check-flag.sh': { content: check, mode: 0o755 },
      'monitors.d/flag.json': JSON.stringify({
        plugin: 'custom',
        pluginConfig: { invoke_interval: '1s', timeout: '5s' },
        source: 'flag-monitor',
        conditions: [{ type: 'FlagProblem', reason: 'NoFlag', message: 'no flag file' }],
        rules: [{ type: 'permanent', condition: 'FlagProblem', reason: 'FlagSet', path: join(tmp.dir, 'fleet/nodes', node, 'check-flag.sh'), timeout: '3s' }],
      }),
    };
  }

  beforeAll(async () => {
    distPath('agent');
    tmp = makeTempDir('hostpilot-e2e-remed-');
    flags = join(tmp.dir, 'flags');
    mkdirSync(flags);
    // hp-web.service's start removes the "fixable" flag: a restart of it repairs a node whose problem that flag is.
    sd = await bootSystemd({ units: { 'hp-web.service': '[Service]\nExecStartPre=/bin/rm -f /run/hp-flags/fixable\nExecStart=/bin/sleep infinity\n' }, binds: [[flags, '/run/hp-flags']] });
    units = new UnitManager({ busAddress: sd.busAddress });
    await units.start('hp-web.service');
    fleet = await SandboxFleet.start({
      dir: join(tmp.dir, 'fleet'),
      nodes: ['a1', 'fixable'].map((id) => ({ id, labels: { pool: 'workers' }, files: nodeFiles(id) })),
      slots: 1,
      healthTimeout: '3s',
      agentEnv: { DBUS_SYSTEM_BUS_ADDRESS: sd.busAddress },
      onLog: (who, line) => logs.push({ who, line }),
    });
    await waitFor(async () => {
      const nodes = await fleet.nodes();
      return nodes.length === 2 && nodes.every((n) => n.connected && bootedVersion(n) === '1');
    }, 'both nodes connected on v1', 120_000, 300);
    const policy = join(tmp.dir, 'policy.yaml');
    writeFileSync(
      policy,
      `apiVersion: hostpilot.io/v1
kind: RemediationPolicy
metadata:
  name: workers
spec:
  selector: {pool: [workers]}
  conditions:
    - {type: FlagProblem, status: "True", for: 1s}
  steps:
    - {action: restart-unit, unit: hp-web.service, timeout: 8s}
    - {action: reboot, timeout: 40s}
    - {action: reprovision}
  maxUnhealthy: 2
  maxUnavailable: 1
`,
    );
    const applied = await fleet.hostpilotctl(['apply', '-f', policy]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await fleet?.close();
    units?.close();
    await sd?.stop();
    tmp?.remove();
  }, 60_000);

  const list = async (): Promise<Entry[]> => JSON.parse((await fleet.hostpilotctl(['remediation', 'list', '-o', 'json'])).stdout).remediations;
  const history = async (node: string): Promise<History> => JSON.parse((await fleet.hostpilotctl(['remediation', 'history', node, '-o', 'json'])).stdout);
  const agentRecords = (node: string): AgentRecord[] => {
    const file = join(tmp.dir, 'fleet/nodes', node, 'state/remediation.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { records: AgentRecord[] }).records : [];
  };
  const reported = async (node: string) => (await fleet.nodes()).find((n) => n.node_id === node)!;

  it('a unit restart that clears the cause ends the remediation there', async () => {
    const before = await invocation(units, 'hp-web.service');
    writeFileSync(join(flags, 'fixable'), '');
    // The restart (its ExecStartPre) removes the flag: the monitor clears, the coordinator calls it repaired.
    const done = await waitFor(async () => (await history('fixable')).history.find((h) => h.event === 'repaired'), 'fixable repaired', 90_000, 500);
    expect(done.message).toMatch(/FlagProblem cleared after restart-unit hp-web\.service/);
    expect((await invocation(units, 'hp-web.service')).invocationId).not.toBe(before.invocationId);
    expect(agentRecords('fixable')).toEqual([expect.objectContaining({ id: 'fixable/1/0', action: 'restart-unit', unit: 'hp-web.service', condition: 'FlagProblem', state: 'succeeded' })]);
    expect(fleet.reboots('fixable')).toBe(0);
    expect((await list()).filter((e) => e.node_id === 'fixable')).toEqual([]);
  }, 120_000);

  it('a condition that persists escalates: restart, then a reboot under the lock, then reprovision', async () => {
    const before = await invocation(units, 'hp-web.service');
    writeFileSync(join(flags, 'a1'), '');
    const unhealthy = await waitFor(async () => (await reported('a1')).conditions.find((c) => c.type === 'FlagProblem' && c.status), 'a1 reports FlagProblem', 30_000, 300);
    expect(unhealthy.message).toMatch(/flag file a1 present/);

    // Step 1: the unit is restarted on the real systemd; the flag stays, so the step times out.
    await waitFor(async () => (await invocation(units, 'hp-web.service')).invocationId !== before.invocationId, 'hp-web.service restarted', 60_000, 300);
    // Step 2: a reboot through the sandbox flow, under the reboot lock.
    await waitFor(() => fleet.reboots('a1') === 1, 'a1 rebooted', 90_000, 300);
    // Step 3: handed over for reprovisioning.
    const handedOver = await waitFor(async () => (await list()).find((e) => e.node_id === 'a1' && e.needs_reprovision && e.result === 'succeeded'), 'a1 needs reprovisioning', 120_000, 500);
    expect(handedOver).toMatchObject({ condition: 'FlagProblem', step: 'reprovision', order_id: 'a1/1/2' });

    // What the agent did, order by order, from its own state file.
    expect(agentRecords('a1').map((r) => [r.id, r.action, r.condition, r.state])).toEqual([
      ['a1/1/0', 'restart-unit', 'FlagProblem', 'succeeded'],
      ['a1/1/1', 'reboot', 'FlagProblem', 'succeeded'],
      ['a1/1/2', 'cordon', 'FlagProblem', 'succeeded'],
    ]);
    const [, reboot, cordon] = agentRecords('a1');
    expect(reboot!.message).toMatch(/^rebooted under the reboot lock \(boot .* → .*\) and verified on 1$/);
    expect(cordon!.message).toBe('no Kubernetes is configured on this node: nothing to cordon');
    // The lock was held when the node went down, and given back after it was verified.
    const a1 = logs.filter((l) => l.who === 'a1').map((l) => l.line);
    const held = a1.findIndex((l) => l.includes('"reboot lock held"'));
    const down = a1.findIndex((l) => l.includes('"sandbox reboot"'));
    const released = a1.findIndex((l) => l.includes('"steady on target; reboot lock released"'));
    expect(held).toBeGreaterThanOrEqual(0);
    expect(down).toBeGreaterThan(held);
    expect(released).toBeGreaterThan(down);
    expect(await fleet.lockHolders()).toEqual([]);
    // The same deployment is booted (a repair reboot changes nothing), and exactly one reboot happened.
    expect(bootedVersion(await reported('a1'))).toBe('1');
    expect(fleet.reboots('a1')).toBe(1);
    expect((await history('a1')).history.map((h) => h.event)).toEqual(expect.arrayContaining(['started', 'step', 'escalated', 'needs-reprovision']));
    // Nothing touched the healthy node.
    expect(fleet.reboots('fixable')).toBe(0);

    // Once the problem is gone the node is no longer handed over.
    rmSync(join(flags, 'a1'));
    await waitFor(async () => !(await history('a1')).needs_reprovision, 'a1 no longer needs reprovisioning', 60_000, 500);
  }, 300_000);
});
