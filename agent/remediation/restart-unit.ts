// restart-unit: restart a unit over D-Bus (RestartUnit, the job awaited) and
// wait, within a bound, until systemd says it is active again. A unit that
// fails to start, or is not active by the deadline, is a failed order.
import { UnavailableError, errorMessage } from '../../common/errors.js';
import type { UnitManager, UnitState } from '../systemd/unit-manager.js';

export interface RestartOutcome {
  ok: boolean;
  message: string;
}

/** How often the unit's state is read while waiting for it to be active. */
const POLL_MS = 200;

function describe(u: UnitState): string {
  return `${u.activeState} (${u.subState})${u.result && u.result !== 'success' ? `, result ${u.result}` : ''}`;
}

export async function restartUnit(manager: UnitManager, unit: string, timeoutMs: number, now: () => number = Date.now): Promise<RestartOutcome> {
  const deadline = now() + timeoutMs;
  let before: UnitState;
  try {
    before = await manager.getUnit(unit);
  } catch (err) {
    return { ok: false, message: `restart ${unit}: ${errorMessage(err)}` };
  }
  try {
    await withDeadline(manager.restart(unit), deadline - now(), `restart ${unit}: the restart job did not finish within ${Math.round(timeoutMs / 1000)}s`);
  } catch (err) {
    const after = await manager.getUnit(unit).catch(() => undefined);
    return { ok: false, message: `restart ${unit}: ${errorMessage(err)}${after ? `; now ${describe(after)}` : ''}` };
  }
  for (;;) {
    let state: UnitState;
    try {
      state = await manager.getUnit(unit);
    } catch (err) {
      return { ok: false, message: `restart ${unit}: cannot read its state after the restart: ${errorMessage(err)}` };
    }
    if (state.activeState === 'active') {
      const pids = before.mainPid !== undefined && state.mainPid !== undefined ? `, main pid ${before.mainPid} → ${state.mainPid}` : '';
      return { ok: true, message: `restarted ${unit}: ${describe(state)}${pids}` };
    }
    // Inactive or failed with no restart pending (Restart= would show "activating/auto-restart"): it is not coming back.
    if (state.activeState === 'failed' || state.activeState === 'inactive') return { ok: false, message: `restart ${unit}: did not come back: ${describe(state)}` };
    if (now() >= deadline) return { ok: false, message: `restart ${unit}: not active within ${Math.round(timeoutMs / 1000)}s: ${describe(state)}` };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UnavailableError(message)), Math.max(0, ms));
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
