// What tells one run of a unit from the next: systemd's InvocationID (new on
// every start) and the main pid, read over the bus the agent uses.
import type { UnitManager } from '../../agent/systemd/unit-manager.js';

export async function invocation(units: UnitManager, unit: string): Promise<{ invocationId: string; mainPid: number; activeState: string }> {
  const state = await units.getUnit(unit);
  const bus = await units.bus();
  const [path] = await bus.call({ destination: 'org.freedesktop.systemd1', path: '/org/freedesktop/systemd1', interface: 'org.freedesktop.systemd1.Manager', member: 'LoadUnit', signature: 's', body: [unit] });
  const [v] = await bus.call({ destination: 'org.freedesktop.systemd1', path: String(path), interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: ['org.freedesktop.systemd1.Unit', 'InvocationID'] });
  const bytes = (v as { value: Buffer | number[] }).value;
  return { invocationId: Buffer.from(bytes).toString('hex'), mainPid: state.mainPid ?? 0, activeState: state.activeState };
}
