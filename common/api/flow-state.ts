// The reboot flow's states (agent/reboot/flow.ts) as one closed set: the agent
// reports one in NodeReport.flow_state, the coordinator derives a node's state
// and rollout decisions from it, hostpilotctl shows it. On the wire it stays a
// string (old agents and coordinators keep working) that only `decodeFlowState`
// turns back into a state. Code that maps a state switches over this type and
// ends in a `never` check, so renaming or adding a state fails the build.
import { InvalidArgumentError } from '../errors.js';

export const FLOW_STATES = ['idle', 'pending', 'locking', 'locked', 'rebooting', 'verifying', 'rolling-back', 'failed'] as const;
export type FlowStateName = (typeof FLOW_STATES)[number];
/** A node's flow state as the coordinator knows it: '' until the node first reports one. */
export type ReportedFlowState = FlowStateName | '';

const NAMES: ReadonlySet<string> = new Set(FLOW_STATES);

export function isFlowState(text: string): text is FlowStateName {
  return NAMES.has(text);
}

/** The one decoder of a flow state from the wire; '' (none reported) is allowed. */
export function decodeFlowState(text: string, field = 'flow_state'): ReportedFlowState {
  if (text === '' || isFlowState(text)) return text;
  throw new InvalidArgumentError(field, `${JSON.stringify(text.slice(0, 40))} is not a reboot-flow state (${FLOW_STATES.join(', ')})`);
}

/** For exhaustive switches: the compiler proves this unreachable. */
export function unknownFlowState(state: never): never {
  throw new Error(`unknown reboot-flow state ${JSON.stringify(state)}`);
}
