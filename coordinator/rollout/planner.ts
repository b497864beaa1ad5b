// The rollout planner: pure functions that decide which nodes may go next.
// No I/O, no clock of its own: the controller gives it the fleet as it is
// now, the reboot-lock holders and the time, and applies what it returns.
import type { ReportedFlowState } from '../../common/api/flow-state.js';
import { satisfies } from '../../common/api/target.js';
import { FailedPreconditionError } from '../../common/errors.js';
import { formatWindow, inAnyWindow, nextWindowOpen } from '../../common/window.js';
import { budgetHolders, formatHolder, movingOf, poolOf as poolByLabel, type BudgetHolder } from './budget.js';
import { asFleetView, type FleetView } from './fleet-view.js';
import { RolloutState } from './state.js';
import type { Bucket, BucketStrategy, MaxUnavailable, Rollout, RolloutHeadFields, RolloutNode, RolloutSpec, Selector } from './types.js';

/** What the planner needs to know about a node. */
export interface FleetNode {
  nodeId: string;
  labels: Record<string, string>;
  /** ready | updating | rebooting | degraded | unreachable (coordinator/fleet/node-record.ts). */
  state: string;
  flowState: ReportedFlowState;
  flowError: string;
  /** Booted deployment facts. */
  bootedVersion: string;
  bootedChecksum: string;
  bootedOrigin: string;
  activeProblems: number;
  /** Set (to the operator's reason) while the node is excluded from rollouts. */
  excluded?: string;
  /** Unix ms since when the node is in its state, when known. */
  stateSince?: number;
}

export function matchesSelector(labels: Record<string, string>, selector: Selector): boolean {
  return Object.entries(selector).every(([key, values]) => labels[key] !== undefined && values.includes(labels[key]!));
}

/** Does the node's booted deployment satisfy the target (common/api/target.ts)? */
export function runsTarget(node: FleetNode, target: string): boolean {
  // A bootc node reports its image digest (`sha256:…`) as the checksum: that is what a digest target names.
  const imageDigest = node.bootedChecksum.startsWith('sha256:') ? { imageDigest: node.bootedChecksum } : {};
  return satisfies({ version: node.bootedVersion, checksum: node.bootedChecksum, origin: node.bootedOrigin, ...imageDigest }, target);
}

// Natural order (rack-2 before rack-10), the same on every machine whatever its locale;
// ties under numeric collation ("n09" and "n9") fall back to code-unit order.
const collator = new Intl.Collator('en', { numeric: true });
export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The buckets, frozen at creation so a node that joins or relabels later does not move a node twice. */
export function makeBuckets(nodes: FleetNode[], strategy: BucketStrategy): Bucket[] {
  const sorted = [...nodes].sort((a, b) => naturalCompare(a.nodeId, b.nodeId));
  switch (strategy.kind) {
    case 'by-label': {
      const groups = new Map<string, string[]>();
      for (const n of sorted) {
        const value = n.labels[strategy.label] ?? '(none)';
        groups.set(value, [...(groups.get(value) ?? []), n.nodeId]);
      }
      return [...groups.entries()].sort(([a], [b]) => naturalCompare(a, b)).map(([name, ids]) => ({ name: `${strategy.label}=${name}`, nodes: ids }));
    }
    case 'size':
    case 'percent': {
      const size = strategy.kind === 'size' ? strategy.size : Math.max(1, Math.floor((sorted.length * strategy.percent) / 100));
      const buckets: Bucket[] = [];
      for (let i = 0; i < sorted.length; i += size) buckets.push({ name: `bucket-${buckets.length + 1}`, nodes: sorted.slice(i, i + size).map((n) => n.nodeId) });
      return buckets;
    }
  }
}

/** How many nodes of a pool may be unavailable at once: a count, or a percent rounded down, never below 1. */
export function budgetFor(poolSize: number, max: MaxUnavailable): number {
  const raw = max.kind === 'count' ? max.count : Math.floor((poolSize * max.percent) / 100);
  return Math.max(1, raw);
}

export function isAvailable(node: FleetNode): boolean {
  return node.state === 'ready' && node.excluded === undefined;
}

export type Moving = ReadonlyMap<string, { rollout: string; target: string; since: number }>;

export interface PlanInput {
  rollout: Rollout;
  /** Every node the coordinator knows (not only the rollout's). */
  fleet: ReadonlyMap<string, FleetNode> | FleetView;
  /** Nodes holding a slot of the rollout's lock group (FleetLock clients included), with since when if known. */
  lockHolders: ReadonlySet<string> | ReadonlyMap<string, number>;
  /** Nodes other active rollouts are moving: they take their pool's budget too. */
  movingElsewhere?: Moving;
  now: number;
}

/** What one step needs besides the rollout itself. */
export type StepInput = Omit<PlanInput, 'rollout' | 'fleet'> & { fleet: FleetView };

export interface Plan {
  /** The rollout after this step. */
  next: Rollout;
  /** Nodes to send the target to now. */
  start: string[];
  /** Nodes to send back to their previous version (failure policy rollback). */
  revert: Array<{ nodeId: string; version: string }>;
  /** One line per decision, for the log and `rollout status`. */
  notes: string[];
}

export type StepOutcome = Omit<Plan, 'next'>;

function poolOf(spec: RolloutSpec, node: FleetNode | undefined): string {
  return poolByLabel(spec.poolLabel, node);
}

/** A started node that reports steady on the target with no active problem. */
function healthy(node: FleetNode | undefined, target: string): boolean {
  return node !== undefined && runsTarget(node, target) && node.state === 'ready' && node.activeProblems === 0;
}

// Flow states in which a node holds its reboot lock: its health timeout runs from the first of them.
const LOCKED_FLOW = new Set(['locked', 'rebooting', 'verifying', 'rolling-back']);
// Flow states in which a node is doing nothing: it may be judged on what it runs.
const RESTING_FLOW = new Set(['', 'idle', 'failed']);

/** Who takes each pool's budget for a rollout now: its own moving nodes, other rollouts', lock holders, unavailable nodes. */
export function poolBudgetHolders(input: StepInput, spec: RolloutSpec, inFlight: Iterable<[string, RolloutNode]>): Map<string, Map<string, BudgetHolder>> {
  const moving = new Map([...(input.movingElsewhere ?? []), ...movingOf(spec.id, spec.target, inFlight)]);
  return budgetHolders({ poolLabel: spec.poolLabel, fleet: input.fleet, lockHolders: input.lockHolders, moving });
}

/** Nodes per pool of the whole fleet (a percent budget is of the pool, not only the selected nodes). */
export function poolSizes(spec: RolloutSpec, fleet: ReadonlyMap<string, FleetNode> | FleetView): ReadonlyMap<string, number> {
  return asFleetView(fleet).poolSizes(spec.poolLabel);
}

/** The nodes of a rollout in flight, with their entries. */
export function inFlightOf(state: RolloutState): Array<[string, RolloutNode]> {
  return [...state.inFlight].map((id) => [id, state.get(id)!]);
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Sends waiting nodes of earlier buckets back into play: go back to the earliest bucket with one, or it is never moved. */
function rewind(s: RolloutState): void {
  const earliest = s.earliestWaiting();
  if (earliest >= 0 && earliest < s.head.bucket) {
    s.head.bucket = earliest;
    delete s.head.bucketDoneAt;
  }
}

/**
 * One step of a rollout, as a pure function of whole values: the state of
 * `step` built from `input.rollout` (a copy: the input is not changed).
 */
export function plan(input: PlanInput): Plan {
  const state = RolloutState.fromRollout(input.rollout);
  const outcome = step(state, { ...input, fleet: asFleetView(input.fleet) });
  return { next: state.toRollout(), ...outcome };
}

/**
 * One step of a rollout: finish the nodes that reached their target, fail the
 * ones that could not, pause on too many failures (and revert if asked),
 * resume a failure pause once the failed nodes recovered, skip excluded
 * nodes, finish the ones that run the target already, advance to the next
 * bucket after the settle time, and start as many waiting nodes of the
 * current bucket as the budget of their pool and the reboot windows allow.
 * `head.message` says what it waits for. Changes `s` (through `s.set` for
 * nodes); its work is the nodes in flight, the failed ones and the current
 * bucket, never the whole rollout (but for a rollback, once).
 */
export function step(s: RolloutState, input: StepInput): StepOutcome {
  const { fleet, now, lockHolders } = input;
  const r = s.head;
  const spec = r.spec;
  const notes: string[] = [];
  const start: string[] = [];
  const revert: Plan['revert'] = [];
  const done = (text: string): StepOutcome => {
    const message = text.replace(/; $/, '');
    if (message) r.message = message;
    else delete r.message;
    return { start, revert, notes };
  };

  if (r.phase === 'completed' || r.phase === 'aborted') return { start, revert, notes };

  // 1. Follow the nodes in flight.
  for (const id of [...s.inFlight]) {
    const node = fleet.get(id);
    let n = s.get(id)!;
    if (n.phase === 'updating') {
      // The health timeout runs from the lock, not from the wait for a slot. A node seen on the
      // target took it too, even if its passing stages fell between two ticks.
      const locked = lockHolders.has(id) || LOCKED_FLOW.has(node?.flowState ?? '') || (node !== undefined && runsTarget(node, spec.target));
      if (n.lockedAt === undefined && locked) s.set(id, (n = { ...n, lockedAt: now }));
      if (healthy(node, spec.target)) {
        s.set(id, { ...n, phase: 'done', since: now });
        notes.push(`${id} is steady on ${spec.target}`);
      } else if (node?.flowState === 'failed') {
        s.set(id, { ...n, phase: 'failed', since: now, error: node.flowError || 'the node reported a failed update' });
        notes.push(`${id} failed: ${node.flowError || 'update failed'}`);
      } else if (n.lockedAt !== undefined && now - n.lockedAt > spec.healthTimeoutMs) {
        s.set(id, { ...n, phase: 'failed', since: now, error: `not steady on ${spec.target} within ${Math.round(spec.healthTimeoutMs / 1000)}s of taking its reboot lock (state ${node?.state ?? 'unknown'})` });
        notes.push(`${id} failed: health gate timed out`);
      }
    } else if (n.phase === 'reverting' && n.previous !== undefined && node && runsTarget(node, n.previous) && node.state === 'ready') {
      s.set(id, { ...n, phase: 'failed', since: now, error: `${n.error ?? 'failed'}; reverted to ${n.previous}` });
    }
  }

  // Failures an operator resumed past no longer count: they would pause the rollout again at once.
  const failed = s.unforgiven();

  // 2. Failure policy.
  if (r.phase === 'running' && failed.length >= spec.failurePolicy.pauseAfter) {
    r.phase = 'paused';
    r.pausedBy = 'failure';
    r.reason = `${failed.length} node(s) failed: ${named(failed.map(([id, n]) => `${id} (${n.error ?? 'failed'})`), '; ')}`;
    notes.push(`paused: ${r.reason}`);
    if (spec.failurePolicy.rollback) {
      r.reason += '; the nodes moved are rolled back: resume or abort by hand';
      // Once per rollout: the only pass over all its nodes.
      for (const [id, n] of [...s.nodes]) {
        if ((n.phase === 'done' || n.phase === 'updating' || n.phase === 'failed') && n.previous && n.previous !== spec.target && !n.noReboot) {
          revert.push({ nodeId: id, version: n.previous });
          s.set(id, { ...n, phase: 'reverting', since: now, error: n.error ?? 'rolled back by the failure policy' });
        }
      }
    }
    return done(`paused by failure: ${r.reason}`);
  }

  // 3. A failure pause lifts by itself once every failed node is healthy again, unless it
  // rolled the nodes back: those are healthy on their old version at once, and resuming
  // would send the target that just failed again (fail, roll back, resume, fail, ...).
  if (r.phase === 'paused' && r.pausedBy === 'failure' && !spec.failurePolicy.rollback) {
    const recovered = failed.every(([id]) => {
      const node = fleet.get(id);
      return node !== undefined && node.state === 'ready' && node.activeProblems === 0 && node.flowState !== 'failed';
    });
    if (!recovered) {
      const waitingFor = failed.filter(([id]) => !(fleet.get(id)?.state === 'ready')).map(([id]) => id);
      return done(`paused by failure: ${r.reason ?? 'failed nodes'}${waitingFor.length ? `; resumes by itself once ${named(waitingFor, ', ')} report(s) ready` : ''}`);
    }
    for (const [id, n] of failed) s.set(id, { ...n, phase: runsTarget(fleet.get(id)!, spec.target) ? 'done' : 'waiting', since: now });
    // A node going back to waiting may belong to a bucket already passed (a failure below the
    // limit closes its bucket).
    rewind(s);
    r.phase = 'running';
    delete r.pausedBy;
    delete r.reason;
    notes.push('resumed: the failed nodes recovered');
  }
  if (r.phase === 'paused') return done(r.pausedBy === 'failure' ? `paused by failure: ${r.reason ?? 'failed nodes'}` : (r.reason ?? 'paused by an operator'));
  if (r.phase !== 'running') return done('');

  // 4. Skipped nodes come back into play when their exclusion ends (or they come back).
  let backInPlay = false;
  for (const id of [...s.skipped]) {
    const node = fleet.get(id);
    if (node && node.excluded === undefined) {
      s.set(id, { phase: 'waiting', since: now });
      backInPlay = true;
    }
  }
  if (backInPlay) rewind(s);

  // 5. Settle the current bucket's waiting nodes (see settleBucket), and advance through
  // finished buckets (after the settle time).
  if (r.bucket < s.buckets.length) settleBucket(s, r.bucket, fleet, spec.target, now, notes);
  while (r.bucket < s.buckets.length) {
    const bucket = s.buckets[r.bucket]!;
    if (s.open(r.bucket) > 0) break;
    r.bucketDoneAt ??= now;
    if (now - r.bucketDoneAt < spec.settleMs) return done(`bucket ${bucket.name} done; settling until ${iso(r.bucketDoneAt + spec.settleMs)}`);
    notes.push(`bucket ${bucket.name} done`);
    r.bucket++;
    delete r.bucketDoneAt;
    if (r.bucket < s.buckets.length) settleBucket(s, r.bucket, fleet, spec.target, now, notes);
  }
  if (r.bucket >= s.buckets.length) {
    r.phase = 'completed';
    notes.push('completed');
    return done('');
  }

  // 6. Start waiting nodes of the current bucket within each pool's budget and the windows.
  const bucket = s.buckets[r.bucket]!;
  const waiting = bucket.nodes.filter((id) => s.get(id)?.phase === 'waiting');
  if (waiting.length > 0 && !inAnyWindow(spec.windows, now)) {
    const opens = nextWindowOpen(spec.windows, now);
    return done(`${waitingFor(s, fleet)}outside the reboot windows (${spec.windows.map(formatWindow).join('; ')})${opens !== undefined ? `: the next opens at ${iso(opens)}` : ''}; ${waiting.length} node(s) of ${bucket.name} wait`);
  }
  const held = poolBudgetHolders(input, spec, inFlightOf(s));
  const sizes = fleet.poolSizes(spec.poolLabel);
  const full = new Map<string, number>();
  const notReady: string[] = [];
  for (const id of waiting) {
    const n = s.get(id)!;
    const node = fleet.get(id)!;
    if (!isAvailable(node)) {
      notReady.push(`${id} is ${node.state}${node.flowError ? ` (${node.flowError})` : ''}`);
      continue;
    }
    const pool = poolOf(spec, node);
    const budget = budgetFor(sizes.get(pool) ?? 1, spec.maxUnavailable);
    const down = held.get(pool) ?? new Map<string, BudgetHolder>();
    if (down.size >= budget) {
      full.set(pool, budget);
      continue;
    }
    down.set(id, { nodeId: id, why: `updating to ${spec.target} (rollout ${spec.id})`, since: now });
    held.set(pool, down);
    // A commit without a version is remembered by its checksum, so it can still be rolled back to.
    const previous = node.bootedVersion || node.bootedChecksum;
    s.set(id, { ...n, phase: 'updating', since: now, startedAt: now, ...(previous ? { previous } : {}) });
    start.push(id);
  }
  if (start.length) notes.push(`starting ${start.join(', ')} in ${bucket.name}`);
  const parts: string[] = [];
  for (const [pool, budget] of full) {
    const holders = [...(held.get(pool)?.values() ?? [])];
    parts.push(`pool ${pool}: budget ${budget} used by ${named(holders.map(formatHolder), ', ')}`);
  }
  if (notReady.length) parts.push(`not started until ready: ${named(notReady, '; ')}`);
  return done(waitingFor(s, fleet) + parts.join('; '));
}

/**
 * The waiting nodes of bucket `i` that need no reboot are done without taking budget
 * (they run the target already, whatever else ails them: a failure of an earlier target, a
 * problem); excluded and removed ones are skipped, and come back when that ends (step 4).
 * Done when the bucket is reached, so a step never looks at later buckets.
 */
function settleBucket(s: RolloutState, i: number, fleet: FleetView, target: string, now: number, notes: string[]): void {
  if (s.bucketCounts[i]!.waiting === 0) return;
  for (const id of s.buckets[i]!.nodes) {
    const n = s.get(id);
    if (n?.phase !== 'waiting') continue;
    const node = fleet.get(id);
    if (node && node.state !== 'unreachable' && RESTING_FLOW.has(node.flowState) && runsTarget(node, target)) {
      s.set(id, { ...n, phase: 'done', since: now, noReboot: true });
    } else if (!node || node.excluded !== undefined) {
      s.set(id, { ...n, phase: 'skipped', since: now, error: node ? `excluded: ${node.excluded}` : 'not in the fleet (removed)' });
      notes.push(`${id} skipped: ${node ? 'excluded' : 'removed'}`);
    }
  }
}

// Nodes a message names at most: it is stored in the rollout's head, which must not grow with the fleet.
const NAMED = 10;

/** The first NAMED items joined, and how many more. */
function named(items: readonly string[], sep: string): string {
  return items.length <= NAMED ? items.join(sep) : `${items.slice(0, NAMED).join(sep)}${sep}and ${items.length - NAMED} more`;
}

/** "waiting for a1 to report steady on 2 (health timeout at ...); " for the nodes in flight (a few named). */
function waitingFor(s: RolloutState, fleet: FleetView): string {
  const spec = s.head.spec;
  const parts: string[] = [];
  const named = [...s.inFlight].sort((a, b) => (s.order.get(a) ?? 0) - (s.order.get(b) ?? 0)).slice(0, 5);
  for (const id of named) {
    const n = s.get(id)!;
    const node = fleet.get(id);
    const detail = node ? `${node.flowState || 'idle'}${node.flowError ? `: ${node.flowError}` : ''}` : 'not in the fleet';
    if (n.phase === 'reverting') parts.push(`waiting for ${id} to roll back to ${n.previous ?? 'its previous version'} (${detail})`);
    else if (n.lockedAt === undefined) parts.push(`waiting for ${id} to take a reboot lock (${detail})`);
    else parts.push(`waiting for ${id} to report steady on ${spec.target} (${detail}; health timeout at ${iso(n.lockedAt + spec.healthTimeoutMs)})`);
  }
  if (s.inFlight.size > 5) parts.push(`and ${s.inFlight.size - 5} more node(s) in flight`);
  return parts.length ? parts.join('; ') + '; ' : '';
}

/** A new rollout over the nodes the selector picks now. */
export function createRollout(spec: RolloutSpec, fleet: FleetNode[], now: number): Rollout {
  const selected = fleet.filter((n) => matchesSelector(n.labels, spec.selector));
  const nodes: Record<string, RolloutNode> = {};
  for (const n of selected) nodes[n.nodeId] = { phase: 'waiting', since: now };
  return { spec, phase: 'running', buckets: makeBuckets(selected, spec.strategy), bucket: 0, nodes, createdAt: now, updatedAt: now };
}

/** Operator actions; each returns the new rollout or throws FailedPreconditionError when the rollout's phase does not allow it. */
export function pauseRollout<T extends RolloutHeadFields>(r: T, now: number): T {
  // Pausing a failure pause holds it: it no longer lifts by itself when the failed nodes
  // recover (an operator repairing a node must not have the failed target sent to it again).
  const holdsFailure = r.phase === 'paused' && r.pausedBy === 'failure';
  if (r.phase !== 'running' && !holdsFailure) throw new FailedPreconditionError(`rollout ${r.spec.id} is ${r.phase}${r.phase === 'paused' && r.pausedBy ? ` by ${r.pausedBy === 'operator' ? 'an operator' : 'failure'}` : ''}, not running`);
  const reason = holdsFailure ? `held by an operator; ${r.reason ?? 'paused by failure'}` : 'paused by an operator';
  return { ...r, phase: 'paused', pausedBy: 'operator', reason, message: reason, updatedAt: now };
}

/**
 * Resuming by hand past failures that reached the failure policy's limit forgives them
 * (else the next step would pause again at once): those nodes are left as they are (not
 * retried) and no longer count. Fewer failures than the limit keep counting.
 * `unforgiven`: failed and reverting nodes not forgiven yet. `forgive`: whether the caller
 * must mark them forgiven.
 */
export function resumeHead<T extends RolloutHeadFields>(r: T, now: number, unforgiven: number): { next: T; forgive: boolean } {
  if (r.phase !== 'paused') throw new FailedPreconditionError(`rollout ${r.spec.id} is ${r.phase}, not paused`);
  const { pausedBy: _p, reason: _r, message: _m, ...rest } = r;
  return { next: { ...rest, phase: 'running', updatedAt: now } as T, forgive: unforgiven >= r.spec.failurePolicy.pauseAfter };
}

/** A node as a hand resume leaves it (see resumeHead). */
export function forgiven(n: RolloutNode): RolloutNode {
  return n.phase === 'failed' || n.phase === 'reverting' ? { ...n, forgiven: true } : n;
}

/** resumeHead over a whole rollout. */
export function resumeRollout(r: Rollout, now: number): Rollout {
  const unforgiven = Object.values(r.nodes).filter((n) => (n.phase === 'failed' || n.phase === 'reverting') && !n.forgiven).length;
  const { next, forgive } = resumeHead(r, now, unforgiven);
  return forgive ? { ...next, nodes: Object.fromEntries(Object.entries(r.nodes).map(([id, n]) => [id, forgiven(n)])) } : next;
}

export function abortRollout<T extends RolloutHeadFields>(r: T, now: number): T {
  if (r.phase === 'completed' || r.phase === 'aborted') throw new FailedPreconditionError(`rollout ${r.spec.id} is already ${r.phase}`);
  return { ...r, phase: 'aborted', reason: 'aborted by an operator', message: 'aborted by an operator', updatedAt: now };
}

export interface RolloutProgress {
  total: number;
  done: number;
  updating: number;
  failed: number;
  waiting: number;
  skipped: number;
  buckets: Array<{ name: string; total: number; done: number; failed: number; updating: number }>;
}

export function progress(r: Rollout): RolloutProgress {
  const count = (ids: string[], phase: string) => ids.filter((id) => r.nodes[id]?.phase === phase).length;
  const ids = Object.keys(r.nodes);
  return {
    total: ids.length,
    done: count(ids, 'done'),
    updating: count(ids, 'updating') + count(ids, 'reverting'),
    failed: count(ids, 'failed'),
    waiting: count(ids, 'waiting'),
    skipped: count(ids, 'skipped'),
    buckets: r.buckets.map((b) => ({ name: b.name, total: b.nodes.length, done: count(b.nodes, 'done'), failed: count(b.nodes, 'failed'), updating: count(b.nodes, 'updating') + count(b.nodes, 'reverting') })),
  };
}
