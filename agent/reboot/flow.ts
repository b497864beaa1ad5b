// The safe reboot flow as a pure state machine (docs/architecture.md, rule 5).
//
//   idle → pending → locking → locked → rebooting → verifying → idle
//                                                   ↘ rolling-back → failed
//
// A remediation reboot (the coordinator's remediation controller asked for
// one: agent/remediation/) takes the same path into the same deployment; it
// never rolls back (nothing changed to roll back to) and ends in idle, with
// the failure in `error` when it failed.
//
// `decide` looks at the persisted state and what the agent observes now and
// returns the state to persist *before* acting (write-ahead: a crash or the
// reboot itself resumes from it) and the one action to perform. `settle`
// folds the action's outcome back into the state. Neither does I/O; the
// controller (controller.ts) performs the actions.
//
// Invariants:
// - a reboot action is only ever produced from a state that holds the lock
//   (locked → rebooting, rolling-back);
// - the lock is released only after the node is verified on its target (or
//   the failure is recorded), never before the reboot;
// - a target that failed is not retried until the desired target changes.
import type { FlowStateName } from '../../common/api/flow-state.js';
import { satisfies, type DeploymentFacts } from '../../common/api/target.js';


/** What the node should boot into. `spec` is what was asked (version, checksum or refspec). */
export interface Target {
  spec: string;
  checksum: string;
  version: string;
  /** Why the reboot: a staged deployment, the coordinator's target, /run/reboot-required, a remediation order. */
  reason: 'staged' | 'desired' | 'reboot-required' | 'remediation';
  /** The remediation order's id (reason 'remediation' only). */
  order?: string;
}

export type FlowState =
  /**
   * `retry`: staging `spec` failed `attempts` times in a row; not tried again before `after` (unix ms).
   * `dropped`: the checksum of a staged target the coordinator took back; it is undeployed, never booted.
   */
  | { kind: 'idle'; error?: string; retry?: StageRetry; dropped?: string }
  | { kind: 'pending'; target: Target; since: number; waiting?: string; retryAfter?: number }
  | { kind: 'locking'; target: Target; since: number; waiting?: string }
  | { kind: 'locked'; target: Target; since: number; error?: string }
  | { kind: 'rebooting'; target: Target; bootId: string; since: number; cordoned: boolean }
  | { kind: 'verifying'; target: Target; since: number; cordoned: boolean; healthy?: boolean; waiting?: string }
  | { kind: 'rolling-back'; target: Target; bootId: string; since: number; cordoned: boolean; reason: string }
  | { kind: 'failed'; target: Target; since: number; reason: string };

export interface StageRetry {
  spec: string;
  attempts: number;
  after: number;
}

/**
 * Staging a target that failed (one that resolves to nothing, a mirror that is
 * down) is retried with exponential backoff, from STAGE_RETRY_MIN_MS up to
 * STAGE_RETRY_MAX_MS: not on every tick, for as long as the target is set.
 */
export const STAGE_RETRY_MIN_MS = 10_000;
export const STAGE_RETRY_MAX_MS = 10 * 60_000;

export function stageRetryDelay(attempts: number): number {
  return Math.min(STAGE_RETRY_MAX_MS, STAGE_RETRY_MIN_MS * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
}

// The union's kinds are exactly the shared set (common/api/flow-state.ts): adding or renaming a state on one side only fails the build.
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies SameSet<FlowState['kind'], FlowStateName>;

export interface Observation {
  now: number;
  bootId: string;
  booted?: DeploymentFacts;
  /** The default deployment when it is not the booted one: what the next boot runs. */
  pending?: DeploymentFacts;
  /** The coordinator's desired target; '' for none. */
  desired: string;
  /**
   * Whether the coordinator said so since this agent started: a target kept across a restart
   * is not started on until the coordinator confirms it (its rollout may have ended meanwhile).
   */
  desiredConfirmed: boolean;
  rebootRequired: boolean;
  /** The id of a remediation order asking for a reboot not done yet; '' for none. */
  remediation: string;
  inWindow: boolean;
  /** Why a reboot may not happen now (active problems, blockers.d, ...). Empty: none. */
  blockers: string[];
  /** How long health checks may keep failing after boot before the node rolls back. */
  healthTimeoutMs: number;
  /** After a failed pre-reboot hook or drain, how long before the lock is asked for again. */
  retryDelayMs: number;
}

export type Action =
  | { kind: 'none'; why: string }
  | { kind: 'stage'; spec: string }
  /** Remove the pending deployment of a target the coordinator took back. */
  | { kind: 'unstage' }
  | { kind: 'acquire' }
  | { kind: 'release' }
  | { kind: 'pre-reboot' }
  | { kind: 'reboot' }
  | { kind: 'check-health' }
  | { kind: 'rollback'; reason: string }
  | { kind: 'finish' }
  | { kind: 'fail'; reason: string };

export type Outcome =
  | { kind: 'done' }
  | { kind: 'lock'; granted: boolean; holders: string[] }
  /** Pre-reboot hooks ran and the node is drained; `cordoned` if this agent cordoned it. */
  | { kind: 'prepared'; cordoned: boolean }
  | { kind: 'health'; ok: boolean; problems: string[] }
  /** notFound: the target matches nothing this node can find (retrying will not help). */
  | { kind: 'error'; message: string; notFound?: boolean };

export interface Decision {
  next: FlowState;
  action: Action;
}

function targetOf(dep: DeploymentFacts, spec: string, reason: Target['reason']): Target {
  return { spec, checksum: dep.checksum, version: dep.version, reason };
}

function stay(state: FlowState, why: string): Decision {
  return { next: state, action: { kind: 'none', why } };
}

/**
 * The coordinator took the target back (its rollout ended): a flow short of the reboot drops
 * it. Past the reboot (rebooting, verifying, rolling-back) the flow finishes and reports.
 */
function takenBack(target: Target, obs: Observation): boolean {
  return target.reason === 'desired' && obs.desired === '' && obs.desiredConfirmed;
}

/** The idle state after dropping `target`: its staged deployment is to be undeployed. */
function dropped(target: Target): FlowState {
  return target.checksum ? { kind: 'idle', dropped: target.checksum } : { kind: 'idle' };
}

/** Whether a target is still worth rebooting for. */
function stillNeeded(target: Target, obs: Observation): boolean {
  if (target.reason === 'remediation') return obs.remediation === target.order;
  if (takenBack(target, obs)) return false;
  if (obs.desired && !satisfies({ checksum: target.checksum, version: target.version, origin: '' }, obs.desired) && target.spec !== obs.desired) return false;
  if (target.reason === 'reboot-required') return obs.rebootRequired;
  return obs.booted?.checksum !== target.checksum && obs.pending?.checksum === target.checksum;
}

function fromIdle(state: FlowState & { kind: 'idle' }, obs: Observation): Decision {
  if (state.dropped !== undefined) {
    // Undeploy a dropped target before anything else, or the next reboot would boot it.
    if (obs.pending?.checksum === state.dropped && !obs.desired) return { next: state, action: { kind: 'unstage' } };
    const { dropped: _d, ...rest } = state;
    return { next: rest, action: { kind: 'none', why: 'dropped target undeployed' } };
  }
  // A remediation reboot boots the deployment that runs now: not while another one is staged
  // (the reboot would boot that); the flow then takes up the staged one as usual and the
  // remediation order fails (agent/remediation/reboot.ts).
  if (obs.remediation && obs.booted && !obs.pending) {
    const target: Target = { ...targetOf(obs.booted, obs.booted.version || obs.booted.checksum, 'remediation'), order: obs.remediation };
    return { next: { kind: 'pending', target, since: obs.now }, action: { kind: 'none', why: `remediation ${obs.remediation} asks for a reboot` } };
  }
  if (obs.desired && !obs.desiredConfirmed && !satisfies(obs.booted, obs.desired)) return stay(state, 'waiting for the coordinator to confirm the target kept across a restart');
  if (obs.desired && !satisfies(obs.booted, obs.desired)) {
    if (obs.pending && satisfies(obs.pending, obs.desired)) {
      return { next: { kind: 'pending', target: targetOf(obs.pending, obs.desired, 'desired'), since: obs.now }, action: { kind: 'none', why: 'target staged' } };
    }
    // The same target failed to stage a moment ago: wait out its backoff (a new target is tried at once).
    if (state.retry && state.retry.spec === obs.desired && obs.now < state.retry.after) {
      return stay(state, `staging ${obs.desired} failed ${state.retry.attempts} time(s); next try in ${Math.ceil((state.retry.after - obs.now) / 1000)}s`);
    }
    return { next: state, action: { kind: 'stage', spec: obs.desired } };
  }
  // With a desired target that is booted, a different staged deployment is not where the fleet wants this node.
  // A staged deployment of the booted commit (`rpm-ostree kargs` makes one) is no update: a reboot into it is
  // asked for as reboot-required (a node config's kernel arguments), not taken as one.
  if (obs.pending && !obs.desired && obs.pending.checksum !== obs.booted?.checksum) {
    return { next: { kind: 'pending', target: targetOf(obs.pending, obs.pending.version || obs.pending.checksum, 'staged'), since: obs.now }, action: { kind: 'none', why: 'update staged' } };
  }
  if (obs.rebootRequired && obs.booted) {
    return { next: { kind: 'pending', target: targetOf(obs.booted, obs.booted.version || obs.booted.checksum, 'reboot-required'), since: obs.now }, action: { kind: 'none', why: 'reboot required' } };
  }
  return stay(state.error ? { kind: 'idle' } : state, 'up to date');
}

export function decide(state: FlowState, obs: Observation): Decision {
  switch (state.kind) {
    case 'idle':
      return fromIdle(state, obs);

    case 'pending': {
      if (takenBack(state.target, obs)) return { next: dropped(state.target), action: { kind: 'none', why: 'target taken back by the coordinator' } };
      if (!stillNeeded(state.target, obs)) return { next: { kind: 'idle' }, action: { kind: 'none', why: 'target no longer needed' } };
      if (state.retryAfter !== undefined && obs.now < state.retryAfter) return stay(state, 'retrying later');
      // A repair is not a planned update: it waits for the lock and the budget, not for a window.
      if (!obs.inWindow && state.target.reason !== 'remediation') return stay({ ...state, waiting: 'outside the reboot window' }, 'outside the reboot window');
      if (obs.blockers.length) return stay({ ...state, waiting: `blocked: ${obs.blockers.join('; ')}` }, 'blocked');
      return { next: { kind: 'locking', target: state.target, since: obs.now }, action: { kind: 'acquire' } };
    }

    case 'locking': {
      // We may hold a slot already (a reply lost, an agent restart): releasing is idempotent.
      if (takenBack(state.target, obs)) return { next: dropped(state.target), action: { kind: 'release' } };
      if (!stillNeeded(state.target, obs)) return { next: { kind: 'idle' }, action: { kind: 'release' } };
      const outsideWindow = !obs.inWindow && state.target.reason !== 'remediation';
      if (outsideWindow || obs.blockers.length) {
        const waiting = !outsideWindow ? `blocked: ${obs.blockers.join('; ')}` : 'outside the reboot window';
        return { next: { kind: 'pending', target: state.target, since: obs.now, waiting }, action: { kind: 'release' } };
      }
      return { next: state, action: { kind: 'acquire' } };
    }

    case 'locked':
      // Hooks and drain may have run: they are undone as after a failed hook (the slot goes back).
      if (takenBack(state.target, obs)) return { next: dropped(state.target), action: { kind: 'release' } };
      // Holding the lock. After an agent restart here we do not ask again: hooks and drain run
      // again (they are idempotent) and the reboot follows. A failed hook or drain gives the
      // slot back: this node will not reboot now, another may.
      if (state.error) {
        return { next: { kind: 'pending', target: state.target, since: obs.now, waiting: state.error, retryAfter: obs.now + obs.retryDelayMs }, action: { kind: 'release' } };
      }
      if (obs.blockers.length) {
        return { next: { kind: 'pending', target: state.target, since: obs.now, waiting: `blocked: ${obs.blockers.join('; ')}` }, action: { kind: 'release' } };
      }
      return { next: state, action: { kind: 'pre-reboot' } };

    case 'rebooting': {
      // A systemd soft reboot (bootc) restarts userspace only: the kernel's boot id stays, but the
      // booted deployment is the target now. Only a reboot makes a deployment the booted one.
      const softRebooted = (state.target.reason === 'desired' || state.target.reason === 'staged') && obs.booted !== undefined && obs.booted.checksum === state.target.checksum;
      if (obs.bootId === state.bootId && !softRebooted) return { next: state, action: { kind: 'reboot' } };
      return { next: { kind: 'verifying', target: state.target, since: obs.now, cordoned: state.cordoned }, action: { kind: 'check-health' } };
    }

    case 'verifying': {
      const expected = state.target.reason === 'reboot-required' ? true : obs.booted?.checksum === state.target.checksum;
      if (!expected) {
        const booted = obs.booted ? obs.booted.version || obs.booted.checksum.slice(0, 12) : 'nothing';
        return { next: state, action: { kind: 'fail', reason: `booted ${booted}, expected ${state.target.version || state.target.checksum.slice(0, 12)}` } };
      }
      // A remediation reboot that stays unhealthy gives its slot back without a rollback: the
      // coordinator sees the condition and escalates.
      if (state.healthy === false) return { next: state, action: { kind: 'fail', reason: `unhealthy after the remediation reboot: ${state.waiting ?? 'health checks failed'}` } };
      return { next: state, action: state.healthy ? { kind: 'finish' } : { kind: 'check-health' } };
    }

    case 'rolling-back': {
      if (obs.bootId !== state.bootId) return { next: state, action: { kind: 'fail', reason: state.reason } };
      // Rolled back already when the next boot is no longer the failed deployment. Asking the
      // backend again would flip rpm-ostree's rollback back, so it is derived, not remembered.
      const rolledBack = obs.pending !== undefined && obs.pending.checksum !== state.target.checksum;
      return { next: state, action: rolledBack ? { kind: 'reboot' } : { kind: 'rollback', reason: state.reason } };
    }

    case 'failed': {
      const newDesired = obs.desired !== '' && obs.desired !== state.target.spec && !satisfies({ ...state.target, origin: '' }, obs.desired);
      const newStaged = obs.pending !== undefined && obs.pending.checksum !== state.target.checksum && !obs.desired;
      const cleared = obs.desired === '' && state.target.reason === 'desired';
      if (newDesired || newStaged || cleared) return { next: { kind: 'idle' }, action: { kind: 'none', why: 'new target after a failure' } };
      return stay(state, `target ${state.target.spec} failed: not retried until the target changes`);
    }
  }
  const unreachable: never = state;
  throw new Error(`unknown flow state ${JSON.stringify(unreachable)}`);
}

/** The state after `action` ran from `state` (the state `decide` returned) with `outcome`. */
export function settle(state: FlowState, action: Action, outcome: Outcome, obs: Observation): FlowState {
  const error = outcome.kind === 'error' ? outcome.message : undefined;
  switch (action.kind) {
    case 'none':
      return state;
    case 'stage': {
      // Staged: the next observation shows the pending deployment and `decide` moves on. A target
      // that matches nothing fails at once (retrying will not find it; nothing was staged): it is
      // not tried again until the target changes or an operator resets the node, and the
      // coordinator sees the failure and its reason (the rollout's failure policy pauses it).
      if (outcome.kind === 'error' && outcome.notFound) {
        return { kind: 'failed', target: { spec: action.spec, checksum: '', version: action.spec, reason: 'desired' }, since: obs.now, reason: `staging ${action.spec}: ${outcome.message}` };
      }
      if (!error) return state;
      // Any other failure (a mirror down) is retried, with backoff.
      const previous = state.kind === 'idle' && state.retry?.spec === action.spec ? state.retry.attempts : 0;
      const attempts = previous + 1;
      const after = obs.now + stageRetryDelay(attempts);
      return { kind: 'idle', error: `staging ${action.spec}: ${error} (attempt ${attempts}; next in ${Math.round((after - obs.now) / 1000)}s)`, retry: { spec: action.spec, attempts, after } };
    }
    case 'unstage':
      if (state.kind !== 'idle') return state;
      return error ? { ...state, error: `undeploying a dropped target: ${error}` } : { kind: 'idle' };
    case 'acquire':
      if (state.kind !== 'locking') return state;
      if (outcome.kind === 'lock' && outcome.granted) return { kind: 'locked', target: state.target, since: obs.now };
      if (outcome.kind === 'lock') return { ...state, waiting: `lock busy: held by ${outcome.holders.join(', ') || 'nobody'}` };
      // Coordinator unreachable: no lock, so no reboot. Try again on the next tick.
      return { ...state, waiting: `lock request failed: ${error ?? 'unknown'}` };
    case 'release':
      return state;
    case 'pre-reboot':
      if (state.kind !== 'locked') return state;
      if (error) return { ...state, error: `pre-reboot: ${error}` };
      return { kind: 'rebooting', target: state.target, bootId: obs.bootId, since: obs.now, cordoned: outcome.kind === 'prepared' && outcome.cordoned };
    case 'reboot':
      // The reboot call returned (or failed): either way the boot id tells on the next tick.
      return state;
    case 'check-health': {
      if (state.kind !== 'verifying') return state;
      if (outcome.kind === 'health' && outcome.ok) return { kind: 'verifying', target: state.target, since: state.since, cordoned: state.cordoned, healthy: true };
      const problems = outcome.kind === 'health' ? outcome.problems.join('; ') : (error ?? 'health check failed');
      if (obs.now - state.since < obs.healthTimeoutMs) return { ...state, waiting: `unhealthy: ${problems}` };
      if (state.target.reason === 'remediation') return { ...state, healthy: false, waiting: problems };
      return { kind: 'rolling-back', target: state.target, bootId: obs.bootId, since: obs.now, cordoned: state.cordoned, reason: `health checks failed: ${problems}` };
    }
    case 'rollback':
      // Done or not, the next decision derives it from where the next boot points.
      return state;
    case 'finish':
      return error ? state : { kind: 'idle' };
    case 'fail': {
      if (error) return state;
      const { target } = state as { target: Target };
      // The deployment did not change: nothing is left failed, the order's result says what happened.
      if (target.reason === 'remediation') return { kind: 'idle', error: `remediation ${target.order ?? ''}: ${action.reason}` };
      return { kind: 'failed', target, since: obs.now, reason: action.reason };
    }
  }
}
