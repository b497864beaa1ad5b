// Conditions as a reboot blocker and a post-boot health check (docs/architecture.md rule
// 3: a check that errors blocks). Any active problem blocks, unknown included,
// except condition types the operator chose to ignore.
import type { Condition } from './types.js';

export interface ProblemSource {
  activeProblems(): Condition[];
}

export interface GateResult {
  blocked: boolean;
  /** One line naming every blocking condition, or "no active node problems". */
  reason: string;
  conditions: Condition[];
}

export function problemGate(source: ProblemSource, opts: { ignoreTypes?: readonly string[] } = {}): GateResult {
  let active: Condition[];
  try {
    active = source.activeProblems().filter((c) => !opts.ignoreTypes?.includes(c.type));
  } catch (err) {
    return { blocked: true, reason: `node problems unknown: ${err instanceof Error ? err.message : String(err)}`, conditions: [] };
  }
  if (active.length === 0) return { blocked: false, reason: 'no active node problems', conditions: [] };
  const names = active.map((c) => `${c.type}=${c.status} (${c.reason}${c.message ? `: ${c.message.split('\n')[0]!.slice(0, 120)}` : ''})`);
  return { blocked: true, reason: `active node problems: ${names.join('; ')}`, conditions: active };
}
