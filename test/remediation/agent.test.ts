// The whole agent (agent/daemon.ts, in-process) on a real systemd in nspawn:
// a RemediationOrder directive arrives on the Report stream, the unit is
// restarted, and every report from then on carries the result; the same order
// re-sent after a reconnect and after an agent restart is answered, not run.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../agent/daemon.js';
import { parseRemediationConfig } from '../../agent/remediation/config.js';
import { UnitManager } from '../../agent/systemd/unit-manager.js';
import { createLogger } from '../../common/log.js';
import type { AgentConfig } from '../../agent/config.js';
import { agentConfig } from '../support/agent.js';
import { describeWith } from '../support/components.js';
import { FakeFleet } from '../support/fake-fleet.js';
import { makeTempDir, waitFor } from '../support/tmp.js';
import { bootSystemd, type BootedSystemd } from '../systemd/nspawn.js';
import { invocation } from './unit-invocation.js';

describeWith(['systemd-nspawn', 'root'], 'the agent carries out remediation orders from its Report stream', () => {
  let sd: BootedSystemd;
  let units: UnitManager;
  let fleet: FakeFleet;
  let tmp: ReturnType<typeof makeTempDir>;
  let config: AgentConfig;
  let agent: RunningAgent | undefined;
  const logs: Array<Record<string, unknown>> = [];
  const savedBus = process.env.DBUS_SYSTEM_BUS_ADDRESS;

  const start = async () => {
    agent = await startAgent(config, { log: createLogger({ component: 'agent', level: 'info', write: (l) => logs.push(JSON.parse(l)) }) });
    await waitFor(() => agent!.client.connected && fleet.connected, 'the agent connected');
  };

  beforeAll(async () => {
    sd = await bootSystemd({ units: { 'hp-web.service': '[Service]\nExecStart=/bin/sleep infinity\n' } });
    units = new UnitManager({ busAddress: sd.busAddress });
    await units.start('hp-web.service');
    // The agent reaches "the system bus" as on a node: through the standard variable.
    process.env.DBUS_SYSTEM_BUS_ADDRESS = sd.busAddress;
    fleet = await FakeFleet.start();
    tmp = makeTempDir('hp-remed-agent-');
    config = agentConfig(tmp.dir, { coordinator: fleet.address, remediation: parseRemediationConfig({ units: ['hp-web.service'] }) });
    await start();
  }, 90_000);
  afterAll(async () => {
    await agent?.close();
    fleet?.close();
    units?.close();
    await sd?.stop();
    tmp?.remove();
    if (savedBus === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
    else process.env.DBUS_SYSTEM_BUS_ADDRESS = savedBus;
  });

  const order = { id: 'node-a/1/1', action: 'restart-unit', unit: 'hp-web.service', condition: 'WebDown' };
  /** The next report the fake coordinator receives after now. */
  const nextReport = async () => {
    const seen = fleet.reports.length;
    return waitFor(() => fleet.reports[seen], 'the next report');
  };

  it('restarts the unit and reports succeeded, logging the condition and what was done', async () => {
    const before = await invocation(units, 'hp-web.service');
    fleet.send({ remediation: order });
    const done = await waitFor(() => fleet.reports.find((r) => r.remediation?.id === order.id && r.remediation.state === 'succeeded'), 'a succeeded result');
    expect(done.remediation).toMatchObject({ action: 'restart-unit', message: expect.stringMatching(/^restarted hp-web\.service: active \(running\)/) });
    expect((await invocation(units, 'hp-web.service')).invocationId).not.toBe(before.invocationId);
    expect(logs.find((l) => l.msg === 'remediation order')).toMatchObject({ id: order.id, action: 'restart-unit', unit: 'hp-web.service', condition: 'WebDown' });
    expect(logs.find((l) => l.msg === 'remediation order done')).toMatchObject({ id: order.id, condition: 'WebDown', result: done.remediation!.message });
    const metrics = await (await fetch(`http://127.0.0.1:${agent!.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^hostpilot_agent_remediation_actions_total\{action="restart-unit",result="succeeded"\} 1$/m);
    // Every later report carries it (heartbeats too).
    expect((await nextReport()).remediation).toEqual(done.remediation);
  });

  it('answers the order re-sent after a reconnect and after an agent restart, without restarting again', async () => {
    const once = await invocation(units, 'hp-web.service');
    const result = fleet.last()!.remediation;
    fleet.drop();
    await waitFor(() => fleet.connected, 'the agent reconnected');
    fleet.send({ remediation: order });
    expect((await nextReport()).remediation).toEqual(result);
    await agent!.close();
    agent = undefined;
    await start();
    expect(fleet.last()!.remediation).toEqual(result);
    fleet.send({ remediation: order });
    expect((await nextReport()).remediation).toEqual(result);
    expect(await invocation(units, 'hp-web.service')).toEqual(once);
  });

  it('refuses a garbage order over the wire with one line, and does nothing', async () => {
    const before = await invocation(units, 'hp-web.service');
    fleet.send({ remediation: { id: 'node-a/2/1', action: 'restart-unit', unit: 'sshd.service', condition: 'WebDown' } });
    const refused = await waitFor(() => fleet.reports.find((r) => r.remediation?.id === 'node-a/2/1'), 'the refusal');
    expect(refused.remediation).toMatchObject({ state: 'failed', message: 'order refused: unit: sshd.service is not one this node lets remediation restart (agent.json remediation.units: hp-web.service)' });
    expect(await invocation(units, 'hp-web.service')).toEqual(before);
  });
});
