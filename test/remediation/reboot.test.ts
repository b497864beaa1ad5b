// A remediation reboot through the real reboot controller over a simulated
// node (test/support/sim-node.ts): lock, reboot, verify after the agent comes
// back, release; the order's result follows the flow, and neither a re-sent
// order nor an agent restart reboots twice.
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Condition } from '../../common/api/conditions.js';
import { silentLogger } from '../../common/log.js';
import { agentPaths } from '../../agent/paths.js';
import { ConditionsBlocker } from '../../agent/reboot/blockers.js';
import { ConditionsHealth } from '../../agent/reboot/health.js';
import type { RebootController } from '../../agent/reboot/controller.js';
import type { HealthCheck } from '../../agent/reboot/ports.js';
import { defaultRemediationConfig } from '../../agent/remediation/config.js';
import { Remediator } from '../../agent/remediation/remediator.js';
import { RemediationStore } from '../../agent/remediation/store.js';
import { SimLock, SimOs, SimRebooter, makeController } from '../support/sim-node.js';
import { makeTempDir } from '../support/tmp.js';

const c1 = { checksum: '1'.repeat(64), version: '1' };
const c2 = { checksum: '2'.repeat(64), version: '2' };
const order = (id: string, action = 'reboot', condition = 'FlagProblem') => ({ id, action, unit: '', condition });

describe('remediation reboot through the reboot flow', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let events: string[];
  let os: SimOs;
  let lock: SimLock;
  let rebooter: SimRebooter;
  let conditions: Condition[];
  beforeEach(() => {
    tmp = makeTempDir();
    events = [];
    os = new SimOs(c1);
    os.remote = [c2];
    lock = new SimLock('n1', 1, events);
    rebooter = new SimRebooter(os, lock, 'n1', events);
    conditions = [{ type: 'FlagProblem', status: 'True', reason: 'FlagSet', message: 'flag file present', lastTransitionTime: 1 }];
  });
  afterEach(() => tmp.remove());

  /** One agent process: a controller and a remediator on the same state dir, as daemon.ts wires them. */
  function agent(extraHealth: HealthCheck[] = []): { flow: RebootController; remediator: Remediator; registry: Registry } {
    const registry = new Registry();
    const remediator = new Remediator({
      store: new RemediationStore(agentPaths(tmp.dir).remediation),
      config: defaultRemediationConfig(),
      units: () => {
        throw new Error('no unit is restarted here');
      },
      report: () => undefined,
      log: silentLogger,
      registry,
    });
    const excused = () => remediator.excusedConditions();
    const flow = makeController(tmp.dir, os, lock, rebooter, {
      blockers: [new ConditionsBlocker(() => conditions, excused)],
      health: [new ConditionsHealth(() => conditions, excused), ...extraHealth],
      remediation: () => remediator.requestedReboot(),
      registry,
    });
    remediator.attach(flow);
    return { flow, remediator, registry };
  }

  it('reboots under the lock into the same deployment, verifies after the restart, releases, and reports succeeded', async () => {
    const first = agent();
    first.remediator.receive(order('n1/1/2'));
    await first.remediator.settled();
    await first.flow.trigger();
    // The reboot ended the process: the flow waits in rebooting, the order is running.
    expect(first.flow.current.kind).toBe('rebooting');
    expect(events).toEqual(['lock', 'reboot']);
    expect(first.remediator.result()).toMatchObject({ id: 'n1/1/2', action: 'reboot', state: 'running' });
    // The condition it is to repair neither blocked the reboot nor fails the verification.
    const second = agent();
    await second.flow.trigger();
    expect(second.flow.current).toEqual({ kind: 'idle' });
    expect(events).toEqual(['lock', 'reboot', 'unlock']);
    expect(os.version()).toBe('1');
    expect(second.remediator.result()).toMatchObject({ id: 'n1/1/2', state: 'succeeded', message: expect.stringMatching(/rebooted under the reboot lock .* verified on 1/) });
    expect(second.remediator.result()!.finished_unix_ms).toBeGreaterThan(0);
    expect(await second.registry.getSingleMetricAsString('hostpilot_agent_remediation_actions_total')).toMatch(/action="reboot",result="succeeded"} 1/);
    // Re-sent (a reconnect), and again to a third agent process: answered, never rebooted again.
    second.remediator.receive(order('n1/1/2'));
    await second.remediator.settled();
    await second.flow.trigger();
    const third = agent();
    third.remediator.receive(order('n1/1/2'));
    await third.remediator.settled();
    await third.flow.trigger();
    expect(rebooter.reboots).toBe(1);
    expect(third.remediator.result()).toMatchObject({ id: 'n1/1/2', state: 'succeeded' });
  });

  it('never reboots without the lock: while it is busy the order waits, running', async () => {
    lock.holders.add('someone-else');
    const a = agent();
    a.remediator.receive(order('n1/1/2'));
    await a.remediator.settled();
    await a.flow.trigger();
    expect(a.flow.current).toMatchObject({ kind: 'locking', waiting: 'lock busy: held by someone-else' });
    expect(rebooter.reboots).toBe(0);
    expect(a.remediator.result()).toMatchObject({ state: 'running', message: 'reboot flow: locking' });
  });

  it('another problem still blocks it (only the condition it repairs is excused)', async () => {
    conditions.push({ type: 'KernelDeadlock', status: 'True', reason: 'x', message: '', lastTransitionTime: 1 });
    const a = agent();
    a.remediator.receive(order('n1/1/2'));
    await a.remediator.settled();
    await a.flow.trigger();
    expect(a.flow.current).toMatchObject({ kind: 'pending', waiting: 'blocked: active problem KernelDeadlock/x' });
    expect(events).toEqual([]);
  });

  it('fails without rebooting while the flow is busy with an update', async () => {
    conditions = [];
    const a = agent();
    a.flow.setDesired('2');
    await a.flow.trigger();
    expect(a.flow.current.kind).toBe('rebooting');
    const b = agent();
    b.remediator.receive(order('n1/1/2'));
    await b.remediator.settled();
    expect(b.remediator.result()).toMatchObject({ state: 'failed', message: 'not rebooted: the reboot flow is busy: rebooting 2 (desired)' });
    expect(rebooter.reboots).toBe(1);
  });

  it('unhealthy after the reboot for another reason: no rollback, the lock goes back, the order failed', async () => {
    const failing: HealthCheck = { name: 'health.d', problems: async () => ['health.d/50-x: exit 1'] };
    const a = agent([failing]);
    a.remediator.receive(order('n1/1/2'));
    await a.remediator.settled();
    await a.flow.trigger();
    const b = agent([failing]);
    await b.flow.trigger();
    // Unhealthy past the health timeout (0 here): the next tick gives up.
    expect(b.flow.current).toMatchObject({ kind: 'verifying', healthy: false });
    await b.flow.trigger();
    expect(b.flow.current).toMatchObject({ kind: 'idle' });
    expect(events).toEqual(['lock', 'reboot', 'unlock']);
    expect(os.deployments.map((d) => d.version)).toEqual(['1']);
    expect(b.remediator.result()).toMatchObject({ state: 'failed', message: 'remediation n1/1/2: unhealthy after the remediation reboot: health.d/50-x: exit 1' });
  });
});
