// The rollout planner: pure functions that decide which nodes may go next.
// No I/O, no clock of its own: the controller gives it the fleet as it is
// now, the reboot-lock holders and the time, and applies what it returns.
import type { ReportedFlowState } from '../../common/api/flow-state.js';
import { satisfies } from '../../common/api/target.js';
import { FailedPreconditionError } from '../../common/errors.js';
import { inAnyWindow } from '../../common/window.js';
import type { Bucket, BucketStrategy, MaxUnavailable, Rollout, RolloutNode, RolloutSpec, Selector } from './types.js';

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
  return node.state === 'ready';
}

export interface PlanInput {
  rollout: Rollout;
  /** Every node the coordinator knows (not only the rollout's). */
  fleet: Map<string, FleetNode>;
  /** Nodes holding a slot of the rollout's lock group (FleetLock clients included). */
  lockHolders: Set<string>;
  now: number;
}

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

function poolOf(spec: RolloutSpec, node: FleetNode | undefined): string {
  return node?.labels[spec.poolLabel] ?? '(no pool)';
}

/** A started node that reports steady on the target with no active problem. */
function healthy(node: FleetNode | undefined, target: string): boolean {
  return node !== undefined && runsTarget(node, target) && node.state === 'ready' && node.activeProblems === 0;
}

/** Unavailable nodes per pool: not ready, holding a reboot slot, or started by this rollout and not finished. */
export function unavailableByPool(input: PlanInput, rolloutNodes: Record<string, RolloutNode>): Map<string, Set<string>> {
  const { rollout, fleet, lockHolders } = input;
  const spec = rollout.spec;
  const pools = new Map<string, Set<string>>();
  const mark = (nodeId: string) => {
    const pool = poolOf(spec, fleet.get(nodeId));
    if (!pools.has(pool)) pools.set(pool, new Set());
    pools.get(pool)!.add(nodeId);
  };
  for (const node of fleet.values()) if (!isAvailable(node) || lockHolders.has(node.nodeId)) mark(node.nodeId);
  // A holder the fleet does not know (a Zincati node speaking only FleetLock) has no known
  // pool, so it may be in any: it counts as unavailable in every pool.
  const everyPool = new Set([...fleet.values()].map((n) => poolOf(spec, n)));
  for (const holder of lockHolders) {
    if (fleet.has(holder)) continue;
    for (const pool of everyPool) {
      if (!pools.has(pool)) pools.set(pool, new Set());
      pools.get(pool)!.add(holder);
    }
  }
  for (const [nodeId, n] of Object.entries(rolloutNodes)) if (n.phase === 'updating' || n.phase === 'reverting') mark(nodeId);
  return pools;
}

export function poolSizes(spec: RolloutSpec, fleet: Map<string, FleetNode>): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const node of fleet.values()) {
    const pool = poolOf(spec, node);
    sizes.set(pool, (sizes.get(pool) ?? 0) + 1);
  }
  return sizes;
}

/**
 * One step of a rollout: finish the nodes that reached their target, fail the
 * ones that could not, pause on too many failures (and revert if asked),
 * resume a failure pause once the failed nodes recovered, advance to the next
 * bucket after the settle time, and start as many waiting nodes of the current
 * bucket as the budget of their pool and the reboot windows allow.
 */
export function plan(input: PlanInput): Plan {
  const { fleet, now } = input;
  // A copy of the top level and of the node map: node entries are replaced, never changed in place,
  // and spec and buckets are not changed at all (a deep clone per tick was the largest cost at 5,000 nodes).
  const r: Rollout = { ...input.rollout, nodes: { ...input.rollout.nodes } };
  const spec = r.spec;
  const notes: string[] = [];
  const start: string[] = [];
  const revert: Plan['revert'] = [];
  const setNode = (id: string, node: RolloutNode) => {
    r.nodes[id] = node;
  };

  if (r.phase === 'completed' || r.phase === 'aborted') return { next: r, start, revert, notes };

  // 1. Follow the nodes in flight.
  for (const [id, n] of Object.entries(r.nodes)) {
    const node = fleet.get(id);
    if (n.phase === 'updating') {
      if (healthy(node, spec.target)) {
        setNode(id, { ...n, phase: 'done', since: now });
        notes.push(`${id} is steady on ${spec.target}`);
      } else if (node?.flowState === 'failed') {
        setNode(id, { ...n, phase: 'failed', since: now, error: node.flowError || 'the node reported a failed update' });
        notes.push(`${id} failed: ${node.flowError || 'update failed'}`);
      } else if (now - n.since > spec.healthTimeoutMs) {
        setNode(id, { ...n, phase: 'failed', since: now, error: `not steady on ${spec.target} within ${Math.round(spec.healthTimeoutMs / 1000)}s (state ${node?.state ?? 'unknown'})` });
        notes.push(`${id} failed: health gate timed out`);
      }
    } else if (n.phase === 'reverting' && n.previous !== undefined && node && runsTarget(node, n.previous) && node.state === 'ready') {
      setNode(id, { ...n, phase: 'failed', since: now, error: `${n.error ?? 'failed'}; reverted to ${n.previous}` });
    }
  }

  // Failures an operator resumed past no longer count: they would pause the rollout again at once.
  const failed = Object.entries(r.nodes).filter(([, n]) => (n.phase === 'failed' || n.phase === 'reverting') && !n.forgiven);

  // 2. Failure policy.
  if (r.phase === 'running' && failed.length >= spec.failurePolicy.pauseAfter) {
    r.phase = 'paused';
    r.pausedBy = 'failure';
    r.reason = `${failed.length} node(s) failed: ${failed.map(([id, n]) => `${id} (${n.error ?? 'failed'})`).join('; ')}`;
    notes.push(`paused: ${r.reason}`);
    if (spec.failurePolicy.rollback) {
      r.reason += '; the nodes moved are rolled back: resume or abort by hand';
      for (const [id, n] of Object.entries(r.nodes)) {
        if ((n.phase === 'done' || n.phase === 'updating' || n.phase === 'failed') && n.previous && n.previous !== spec.target) {
          revert.push({ nodeId: id, version: n.previous });
          setNode(id, { ...n, phase: 'reverting', since: now, error: n.error ?? 'rolled back by the failure policy' });
        }
      }
    }
    return { next: r, start, revert, notes };
  }

  // 3. A failure pause lifts by itself once every failed node is healthy again, unless it
  // rolled the nodes back: those are healthy on their old version at once, and resuming
  // would send the target that just failed again (fail, roll back, resume, fail, ...).
  if (r.phase === 'paused' && r.pausedBy === 'failure' && !spec.failurePolicy.rollback) {
    const recovered = failed.every(([id]) => {
      const node = fleet.get(id);
      return node !== undefined && node.state === 'ready' && node.activeProblems === 0 && node.flowState !== 'failed';
    });
    if (!recovered) return { next: r, start, revert, notes };
    for (const [id, n] of failed) setNode(id, { ...n, phase: runsTarget(fleet.get(id)!, spec.target) ? 'done' : 'waiting', since: now });
    // A node going back to waiting may belong to a bucket already passed (a failure below the
    // limit closes its bucket): go back to the earliest such bucket, or it is never moved.
    const earliest = r.buckets.findIndex((b) => b.nodes.some((id) => r.nodes[id]?.phase === 'waiting'));
    if (earliest >= 0 && earliest < r.bucket) {
      r.bucket = earliest;
      delete r.bucketDoneAt;
    }
    r.phase = 'running';
    delete r.pausedBy;
    delete r.reason;
    notes.push('resumed: the failed nodes recovered');
  }
  if (r.phase !== 'running') return { next: r, start, revert, notes };

  // 4. Advance through finished buckets (after the settle time).
  while (r.bucket < r.buckets.length) {
    const bucket = r.buckets[r.bucket]!;
    const open = bucket.nodes.filter((id) => r.nodes[id]?.phase !== 'done' && r.nodes[id]?.phase !== 'failed');
    if (open.length > 0) break;
    r.bucketDoneAt ??= now;
    if (now - r.bucketDoneAt < spec.settleMs) {
      return { next: r, start, revert, notes };
    }
    notes.push(`bucket ${bucket.name} done`);
    r.bucket++;
    delete r.bucketDoneAt;
  }
  if (r.bucket >= r.buckets.length) {
    r.phase = 'completed';
    notes.push('completed');
    return { next: r, start, revert, notes };
  }

  // 5. Start waiting nodes of the current bucket within each pool's budget and the windows.
  const bucket = r.buckets[r.bucket]!;
  // Nodes that already run the target need no reboot: done without taking budget.
  for (const id of bucket.nodes) {
    const n = r.nodes[id];
    const node = fleet.get(id);
    if (n?.phase === 'waiting' && node && healthy(node, spec.target)) setNode(id, { ...n, phase: 'done', since: now });
  }
  if (!inAnyWindow(spec.windows, now)) {
    notes.push('outside the reboot windows: no node starts');
    return { next: r, start, revert, notes };
  }
  const unavailable = unavailableByPool(input, r.nodes);
  const sizes = poolSizes(spec, fleet);
  for (const id of bucket.nodes) {
    const n = r.nodes[id];
    if (n?.phase !== 'waiting') continue;
    const node = fleet.get(id);
    if (!node || !isAvailable(node)) continue;
    const pool = poolOf(spec, node);
    const budget = budgetFor(sizes.get(pool) ?? 1, spec.maxUnavailable);
    const down = unavailable.get(pool) ?? new Set<string>();
    if (down.size >= budget) continue;
    down.add(id);
    unavailable.set(pool, down);
    // A commit without a version is remembered by its checksum, so it can still be rolled back to.
    const previous = node.bootedVersion || node.bootedChecksum;
    setNode(id, { phase: 'updating', since: now, ...(previous ? { previous } : {}) });
    start.push(id);
  }
  if (start.length) notes.push(`starting ${start.join(', ')} in ${bucket.name}`);
  return { next: r, start, revert, notes };
}

/** A new rollout over the nodes the selector picks now. */
export function createRollout(spec: RolloutSpec, fleet: FleetNode[], now: number): Rollout {
  const selected = fleet.filter((n) => matchesSelector(n.labels, spec.selector));
  const nodes: Record<string, RolloutNode> = {};
  for (const n of selected) nodes[n.nodeId] = { phase: 'waiting', since: now };
  return { spec, phase: 'running', buckets: makeBuckets(selected, spec.strategy), bucket: 0, nodes, createdAt: now, updatedAt: now };
}

/** Operator actions; each returns the new rollout or throws FailedPreconditionError when the rollout's phase does not allow it. */
export function pauseRollout(r: Rollout, now: number): Rollout {
  // Pausing a failure pause holds it: it no longer lifts by itself when the failed nodes
  // recover (an operator repairing a node must not have the failed target sent to it again).
  const holdsFailure = r.phase === 'paused' && r.pausedBy === 'failure';
  if (r.phase !== 'running' && !holdsFailure) throw new FailedPreconditionError(`rollout ${r.spec.id} is ${r.phase}${r.phase === 'paused' && r.pausedBy ? ` by ${r.pausedBy === 'operator' ? 'an operator' : 'failure'}` : ''}, not running`);
  return { ...r, phase: 'paused', pausedBy: 'operator', reason: holdsFailure ? `held by an operator; ${r.reason ?? 'paused by failure'}` : 'paused by an operator', updatedAt: now };
}

export function resumeRollout(r: Rollout, now: number): Rollout {
  if (r.phase !== 'paused') throw new FailedPreconditionError(`rollout ${r.spec.id} is ${r.phase}, not paused`);
  // Resuming by hand past failures that reached the failure policy's limit forgives them
  // (else the next step would pause again at once): those nodes are left as they are (not
  // retried) and no longer count. Fewer failures than the limit keep counting.
  const unforgiven = Object.values(r.nodes).filter((n) => (n.phase === 'failed' || n.phase === 'reverting') && !n.forgiven).length;
  const forgive = unforgiven >= r.spec.failurePolicy.pauseAfter;
  const { pausedBy: _p, reason: _r, ...rest } = r;
  const nodes = forgive ? Object.fromEntries(Object.entries(r.nodes).map(([id, n]) => [id, n.phase === 'failed' || n.phase === 'reverting' ? { ...n, forgiven: true } : n])) : r.nodes;
  return { ...rest, nodes, phase: 'running', updatedAt: now };
}

export function abortRollout(r: Rollout, now: number): Rollout {
  if (r.phase === 'completed' || r.phase === 'aborted') throw new FailedPreconditionError(`rollout ${r.spec.id} is already ${r.phase}`);
  return { ...r, phase: 'aborted', reason: 'aborted by an operator', updatedAt: now };
}

export interface RolloutProgress {
  total: number;
  done: number;
  updating: number;
  failed: number;
  waiting: number;
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
    buckets: r.buckets.map((b) => ({ name: b.name, total: b.nodes.length, done: count(b.nodes, 'done'), failed: count(b.nodes, 'failed'), updating: count(b.nodes, 'updating') + count(b.nodes, 'reverting') })),
  };
}
