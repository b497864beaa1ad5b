// reboot: the normal reboot flow (lock, drain, reboot, verify) into the
// deployment that runs now. The order is handed to the flow as an observation
// (agent/reboot/flow.ts, target reason "remediation"); how it ended is read
// from the flow's transitions. Both sides persist: the flow its state, the
// store the order with the boot it was taken up in, so an agent restart (the
// reboot itself restarts the agent) neither loses nor repeats it.
import type { FlowState } from '../reboot/flow.js';

/** What the remediation needs of the reboot flow (agent/reboot/controller.ts). */
export interface RemediationFlow {
  readonly current: FlowState;
  readonly bootId: string;
  trigger(): Promise<void>;
  onTransition(listener: (from: FlowState, to: FlowState) => void): () => void;
}

function orderOf(state: FlowState): string | undefined {
  return 'target' in state && state.target.reason === 'remediation' ? state.target.order : undefined;
}

/** Why the flow cannot take a remediation reboot now; undefined when it can. */
export function flowBusy(flow: RemediationFlow): string | undefined {
  const s = flow.current;
  if (s.kind === 'idle') return undefined;
  const target = 'target' in s ? ` ${s.target.version || s.target.checksum.slice(0, 12)} (${s.target.reason}${s.target.order ? ` ${s.target.order}` : ''})` : '';
  return `the reboot flow is busy: ${s.kind}${target}`;
}

/** Whether the flow carries order `id` now (it resumes it after an agent restart). */
export function flowCarries(flow: RemediationFlow, id: string): boolean {
  return orderOf(flow.current) === id;
}

/**
 * What a flow transition means for reboot order `id`: its end (ok or not, with
 * a message) or nothing yet. `taken` says whether the flow has taken it up.
 */
export function rebootOutcome(id: string, from: FlowState, to: FlowState, taken: boolean, bootBefore: string, bootNow: string): { ok: boolean; message: string } | undefined {
  if (orderOf(from) === id && to.kind === 'idle') {
    if (to.error) return { ok: false, message: to.error };
    if (from.kind === 'verifying') return { ok: true, message: `rebooted under the reboot lock (boot ${bootBefore.slice(0, 8)} → ${bootNow.slice(0, 8)}) and verified on ${from.target.version || from.target.checksum.slice(0, 12)}` };
    return { ok: false, message: `the reboot flow dropped it in ${from.kind}` };
  }
  // Another target came first (a staged deployment would boot with any reboot): this order is not carried out.
  if (!taken && from.kind === 'idle' && 'target' in to && orderOf(to) !== id) {
    return { ok: false, message: `not rebooted: the reboot flow took up ${to.target.reason} ${to.target.version || to.target.checksum.slice(0, 12)} first` };
  }
  return undefined;
}
