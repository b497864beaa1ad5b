// A remediation order as the coordinator sends it (fleet.proto RemediationOrder),
// checked before anything is done: a bad order is answered with one failed
// result naming the field, and nothing happens on the node.
import { InvalidArgumentError, errorMessage } from '../../common/errors.js';
import { validateUnitName } from '../../common/unit-names.js';
import type { RemediationOrder__Output } from '../../proto/generated/hostpilot/v1/RemediationOrder.js';

export const REMEDIATION_ACTIONS = ['restart-unit', 'reboot', 'cordon'] as const;
export type RemediationAction = (typeof REMEDIATION_ACTIONS)[number];

export interface Order {
  id: string;
  action: RemediationAction;
  /** restart-unit only; '' otherwise. */
  unit: string;
  /** The condition type that made the node unhealthy; '' when the coordinator named none. */
  condition: string;
}

// The coordinator's ids are `<node>/<episode>/<step>` (a node id is up to 253 characters).
const MAX_ID = 512;
const ID = /^[\x21-\x7e]+$/;
const CONDITION = /^[A-Za-z][A-Za-z0-9_.-]{0,255}$/;

/** The id as it may be echoed back in a result: printable, bounded, even when the order is garbage. */
export function echoId(raw: unknown): string {
  return String(raw ?? '').replace(/[^\x21-\x7e]/g, '?').slice(0, MAX_ID);
}

/** A valid order, or an InvalidArgumentError naming the field. `allowedUnits` undefined: any unit. */
export function parseOrder(raw: RemediationOrder__Output, allowedUnits: readonly string[] | undefined): Order {
  const { id, action, unit, condition } = raw;
  if (typeof id !== 'string' || id === '') throw new InvalidArgumentError('id', 'must not be empty');
  if (id.length > MAX_ID) throw new InvalidArgumentError('id', `is ${id.length} characters, more than ${MAX_ID}`);
  if (!ID.test(id)) throw new InvalidArgumentError('id', 'holds a space or a control character');
  if (!(REMEDIATION_ACTIONS as readonly string[]).includes(action)) {
    throw new InvalidArgumentError('action', `${JSON.stringify(String(action).slice(0, 40))} is not one of ${REMEDIATION_ACTIONS.join(', ')}`);
  }
  if (condition !== '' && !CONDITION.test(condition)) {
    throw new InvalidArgumentError('condition', `${JSON.stringify(String(condition).slice(0, 40))} is not a condition type (a letter, then letters, digits, "_", "-", "."; at most 256)`);
  }
  if (action !== 'restart-unit') {
    if (unit !== '') throw new InvalidArgumentError('unit', `is only for restart-unit, not ${action}`);
    return { id, action: action as RemediationAction, unit: '', condition };
  }
  validateUnitName(unit, 'unit');
  if (allowedUnits && !allowedUnits.includes(unit)) {
    throw new InvalidArgumentError('unit', `${unit} is not one this node lets remediation restart (agent.json remediation.units: ${allowedUnits.join(', ') || 'none'})`);
  }
  return { id, action: 'restart-unit', unit, condition };
}

/** The one line a refused order is answered with. */
export function refusal(err: unknown): string {
  return `order refused: ${errorMessage(err)}`;
}
