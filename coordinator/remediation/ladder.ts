// The escalation ladder of one node, as a pure step: from the node's stored
// remediation, what the node reports now and what its pool allows, the
// remediation after this pass and the order to send. A step that fixes the
// condition ends the remediation; one that fails or times out escalates to the
// next; a reboot beyond the node's rate limit goes straight to reprovision
// (or to a person when the ladder has none). Order ids are
// `<node>/<episode>/<step>`: the same step is always the same order, so a
// coordinator that restarts re-sends it and the agent does not do it twice.
import { formatDuration } from '../../common/duration.js';
import type { LadderStep, RemediationPolicySpec } from '../../common/api/kinds/remediation-policy.js';
import type { Unhealthy } from './unhealthy.js';
import { HISTORY_LIMIT, isDisruptive, type ActiveRemediation, type HistoryEntry, type NodeRemediation, type OrderResult } from './types.js';

export interface NodeNow {
  nodeId: string;
  pool: string;
  policyName: string;
  /** Undefined: no condition of the policy holds (the node is healthy by it). */
  unhealthy: Unhealthy | undefined;
  /** The agent's result for an order, as last reported. */
  result: Omit<OrderResult, 'at'> | undefined;
  /** Why the node may not be touched now: excluded, a rollout moves it. */
  untouchable?: string;
}

export interface PoolGate {
  /** Why nothing new starts or escalates in the pool: "paused", "storm". */
  held?: string;
  /** A disruptive step may start (the budget has room for this node). */
  mayDisrupt: boolean;
}

/** What the agent is told: the wire's RemediationOrder. */
export interface Order {
  id: string;
  action: 'restart-unit' | 'reboot' | 'cordon';
  unit: string;
  condition: string;
}

export type Outcome = 'ordered' | 'repaired' | 'escalated' | 'failed' | 'timed-out' | 'rate-limited' | 'needs-reprovision' | 'given-up';

export interface LadderStepResult {
  next: NodeRemediation;
  order?: Order;
  /** For metrics and notifications: what happened in this pass, in order. */
  outcomes: Array<{ outcome: Outcome; action?: LadderStep['action']; message: string; /** The first step of a remediation. */ first?: boolean }>;
  /** Why the node waits, when it does (for `remediation list`). */
  waiting?: string;
}

export function emptyRemediation(node: string): NodeRemediation {
  return { node, episodes: 0, reboots: [], history: [] };
}

const FINAL = new Set(['succeeded', 'failed']);

/** The order a step stands for (reprovision cordons the node). */
export function orderOf(a: ActiveRemediation): Order {
  return { id: a.orderId, action: a.action === 'reprovision' ? 'cordon' : a.action, unit: a.unit ?? '', condition: a.condition };
}

function log(r: NodeRemediation, entry: HistoryEntry): void {
  r.history = [...r.history, entry].slice(-HISTORY_LIMIT);
}

/** The step to take from `from`: the next one, or reprovision past a reboot the rate limit refuses. */
function nextStep(policy: RemediationPolicySpec, from: number, r: NodeRemediation, now: number): { index: number; rateLimited: boolean } | undefined {
  const index = from;
  const step = policy.steps[index];
  if (!step) return undefined;
  if (step.action !== 'reboot') return { index, rateLimited: false };
  const recent = r.reboots.filter((t) => t > now - policy.rebootWindowMs).length;
  if (recent < policy.maxReboots) return { index, rateLimited: false };
  const reprovision = policy.steps.findIndex((s, i) => i > index && s.action === 'reprovision');
  return reprovision >= 0 ? { index: reprovision, rateLimited: true } : { index: -1, rateLimited: true };
}

/** One pass over one node. `r` is not changed. */
export function stepLadder(policy: RemediationPolicySpec, stored: NodeRemediation, node: NodeNow, gate: PoolGate, now: number): LadderStepResult {
  const r: NodeRemediation = { ...stored, reboots: stored.reboots.filter((t) => t > now - policy.rebootWindowMs) };
  const outcomes: LadderStepResult['outcomes'] = [];
  const a = r.active ? { ...r.active } : undefined;
  if (a) r.active = a;

  // What the agent said about the order under way.
  if (a && node.result && node.result.id === a.orderId && (a.result?.state !== node.result.state || a.result.message !== node.result.message)) {
    a.result = { ...node.result, at: now };
  }

  // Healthy again: a remediation under way ends (once a disruptive step has finished), a handed-over node is back.
  if (!node.unhealthy) {
    if (a) {
      const settled = !isDisruptive(a.action) || a.action === 'reprovision' || FINAL.has(a.result?.state ?? '') || (a.deadline !== undefined && now >= a.deadline);
      if (!settled) return { next: r, outcomes, waiting: `healthy; waiting for the ${a.action} to finish` };
      delete r.active;
      delete r.needsReprovision;
      const message = `${a.condition} cleared after ${a.action}${a.unit ? ` ${a.unit}` : ''} (step ${a.step + 1})`;
      log(r, { at: now, episode: a.episode, event: 'repaired', action: a.action, orderId: a.orderId, message });
      outcomes.push({ outcome: 'repaired', action: a.action, message });
      return { next: r, outcomes };
    }
    if (r.needsReprovision) {
      delete r.needsReprovision;
      log(r, { at: now, episode: r.episodes, event: 'repaired', message: 'healthy again after it was handed over' });
    }
    return { next: r, outcomes };
  }

  const u = node.unhealthy;
  if (!a) {
    if (r.needsReprovision) return { next: r, outcomes, waiting: 'handed over for reprovisioning (or to a person)' };
    if (now < u.dueAt) return { next: r, outcomes, waiting: `unhealthy; acts at ${new Date(u.dueAt).toISOString()}` };
    const blocked = node.untouchable ?? gate.held;
    if (blocked) return { next: r, outcomes, waiting: blocked };
    return begin(policy, r, node, gate, now, 0, outcomes, undefined);
  }

  // Unhealthy, a step under way.
  // Until the agent answers, the order is what it should be doing (the controller re-sends it, at a bounded rate).
  const unanswered = a.result?.id === a.orderId ? {} : { order: orderOf(a) };
  if (a.action === 'reprovision') return { next: r, outcomes, ...unanswered, waiting: 'handed over for reprovisioning' };
  const failed = a.result?.state === 'failed';
  const timedOut = a.deadline !== undefined && now >= a.deadline;
  if (!failed && !timedOut) return { next: r, outcomes, ...unanswered };
  const blocked = node.untouchable ?? gate.held;
  if (blocked) return { next: r, outcomes, waiting: `${a.action} ${failed ? 'failed' : 'timed out'}; next step held: ${blocked}` };
  const why = failed ? `${a.action} failed: ${a.result?.message || 'no reason given'}` : `${a.action} did not clear ${a.condition} within ${formatDuration((a.deadline ?? now) - a.startedAt)}`;
  return begin(policy, r, node, gate, now, a.step + 1, outcomes, { why, outcome: failed ? 'failed' : 'timed-out', from: a });
}

function begin(
  policy: RemediationPolicySpec,
  r: NodeRemediation,
  node: NodeNow,
  gate: PoolGate,
  now: number,
  from: number,
  outcomes: LadderStepResult['outcomes'],
  escalation: { why: string; outcome: Outcome; from: ActiveRemediation } | undefined,
): LadderStepResult {
  const u = node.unhealthy!;
  const episode = escalation ? escalation.from.episode : r.episodes + 1;
  const pick = nextStep(policy, from, r, now);
  const step = pick && pick.index >= 0 ? policy.steps[pick.index] : undefined;
  if (step && isDisruptive(step.action) && !gate.mayDisrupt) {
    // Nothing is recorded: the step starts when the budget has room, as if it were due only now.
    return { next: r, outcomes, waiting: `${step.action} waits for the pool's disruption budget${escalation ? ` (${escalation.why})` : ''}` };
  }
  if (escalation) {
    outcomes.push({ outcome: escalation.outcome, action: escalation.from.action, message: escalation.why });
    log(r, { at: now, episode, event: 'escalated', action: escalation.from.action, orderId: escalation.from.orderId, message: escalation.why });
  } else {
    r.episodes = episode;
    log(r, { at: now, episode, event: 'started', message: `${u.condition} unhealthy since ${new Date(u.since).toISOString()} (policy ${node.policyName})` });
  }
  if (pick?.rateLimited) {
    const message = `more than ${policy.maxReboots} reboot(s) within ${formatDuration(policy.rebootWindowMs)}: no reboot`;
    outcomes.push({ outcome: 'rate-limited', action: 'reboot', message });
    log(r, { at: now, episode, event: 'rate-limited', action: 'reboot', message });
  }
  if (!step) {
    // The ladder is spent: a person takes over (the node is not remediated again until it is healthy).
    delete r.active;
    const message = `no step left for ${u.condition}: a person must look at the node`;
    r.needsReprovision = { since: now, condition: u.condition };
    outcomes.push({ outcome: 'given-up', message });
    log(r, { at: now, episode, event: 'abandoned', message });
    return { next: r, outcomes };
  }
  const index = pick!.index;
  const active: ActiveRemediation = {
    episode,
    policy: node.policyName,
    pool: node.pool,
    condition: u.condition,
    since: u.since,
    step: index,
    action: step.action,
    ...(step.unit !== undefined ? { unit: step.unit } : {}),
    orderId: `${node.nodeId}/${episode}/${index}`,
    startedAt: now,
    ...(step.action !== 'reprovision' ? { deadline: now + step.timeoutMs } : {}),
    attempts: (escalation?.from.attempts ?? 0) + 1,
  };
  r.active = active;
  if (step.action === 'reboot') r.reboots = [...r.reboots, now];
  const what = `${step.action}${step.unit ? ` ${step.unit}` : ''}`;
  if (step.action === 'reprovision') {
    r.needsReprovision = { since: now, condition: u.condition };
    outcomes.push({ outcome: 'needs-reprovision', action: 'reprovision', message: `${u.condition}: cordoned and marked needs-reprovision` });
    log(r, { at: now, episode, event: 'needs-reprovision', action: 'reprovision', orderId: active.orderId, message: `${u.condition}: cordoned, needs reprovisioning` });
  } else {
    outcomes.push({ outcome: 'ordered', action: step.action, message: `${what} for ${u.condition} (step ${index + 1})`, ...(escalation ? {} : { first: true }) });
    log(r, { at: now, episode, event: 'step', action: step.action, orderId: active.orderId, message: `${what} (step ${index + 1} of ${policy.steps.length})` });
  }
  return { next: r, order: orderOf(active), outcomes };
}
