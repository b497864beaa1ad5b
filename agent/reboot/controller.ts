// Runs the reboot flow: observes the node, asks the pure state machine
// (flow.ts) what to do, persists the state before acting, performs the one
// action through the ports, and folds the outcome back in. One tick at a
// time; ticks come from a timer and from events (a new desired target).
import { Counter, Gauge, type Registry } from 'prom-client';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { inAnyWindow, type RebootWindow } from '../../common/window.js';
import { blockingReasons } from './blockers.js';
import { isImageTag, parseImageReference, pinImage, type DeploymentFacts } from '../../common/api/target.js';
import { FLOW_STATES } from '../../common/api/flow-state.js';
import { decide, settle, type Action, type FlowState, type Observation, type Outcome } from './flow.js';
import type { FlowStore, ResolvedTag } from './flow-store.js';
import { healthProblems } from './health.js';
import type { Drainer, FlowOs, HealthCheck, RebootBlocker, RebootLock, Rebooter } from './ports.js';

export interface RebootControllerDeps {
  os: FlowOs;
  lock: RebootLock;
  rebooter: Rebooter;
  blockers: RebootBlocker[];
  health: HealthCheck[];
  /** pre-reboot.d and post-reboot.d runners; they throw on a failed hook. */
  preReboot: () => Promise<void>;
  postReboot: () => Promise<void>;
  drainer?: Drainer;
  store: FlowStore;
  bootId: () => string;
  rebootRequired: () => boolean;
  /** The id of a remediation order that asks for a reboot not done yet; '' for none (agent/remediation/). */
  remediation?: () => string;
  windows: RebootWindow[];
  healthTimeoutMs: number;
  retryDelayMs: number;
  /** Tells the coordinator the new state now (before a lock release, so steady is reported first). */
  report: () => Promise<void>;
  now: () => number;
  log: Logger;
  registry: Registry;
}

// A tick performs at most this many actions (locked → pre-reboot → reboot is three).
const MAX_ACTIONS_PER_TICK = 8;

export class RebootController {
  private state: FlowState;
  private desired: string;
  /** False until the coordinator states the desired target after this agent started. */
  private desiredConfirmed = false;
  private running: Promise<void> | undefined;
  private again = false;
  private lastWhy = '';
  /** An image-tag target resolved to the digest it named when this node fetched it (bootc). */
  private resolved: ResolvedTag | undefined;
  /** Set once a reboot was requested: the node is going down, nothing more is done. */
  private halted = false;
  private readonly stateGauge: Gauge<'state'>;
  private readonly reboots: Counter<'result'>;
  private readonly rollbacks: Counter;
  private readonly listeners = new Set<(from: FlowState, to: FlowState) => void>();

  constructor(private readonly deps: RebootControllerDeps) {
    const persisted = deps.store.load();
    this.state = persisted.state;
    this.desired = persisted.desired;
    this.resolved = persisted.resolved;
    this.stateGauge = new Gauge({
      name: 'hostpilot_reboot_flow_state',
      help: 'The reboot flow state: 1 for the current one.',
      labelNames: ['state'],
      registers: [deps.registry],
    });
    this.reboots = new Counter({ name: 'hostpilot_reboots_total', help: 'Reboots into a new deployment, by result.', labelNames: ['result'], registers: [deps.registry] });
    this.rollbacks = new Counter({ name: 'hostpilot_rollbacks_total', help: 'Automatic rollbacks after failed health checks.', registers: [deps.registry] });
    for (const result of ['success', 'rolled_back', 'failed']) this.reboots.inc({ result }, 0);
    this.setGauge();
  }

  get current(): FlowState {
    return this.state;
  }

  /** The boot the flow observes now (the kernel's, or the sandbox marker's). */
  get bootId(): string {
    return this.deps.bootId();
  }

  /** Hears every state change, after it is persisted; returns the unsubscribe. */
  onTransition(listener: (from: FlowState, to: FlowState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get desiredTarget(): string {
    return this.desired;
  }

  /** `IMAGE:TAG@sha256:…` while the desired target is a tag this node resolved; '' otherwise. */
  get resolvedTarget(): string {
    return this.resolved && this.resolved.tag === this.desired ? `${this.resolved.tag}@${this.resolved.digest}` : '';
  }

  /**
   * What the flow works towards: the desired target, or for an image tag the
   * digest it resolved to, so a tag that moves later does not move this node
   * again (the coordinator then pins the whole rollout to that digest).
   */
  private effectiveDesired(): string {
    return this.resolved && this.resolved.tag === this.desired ? this.resolved.pinned : this.desired;
  }

  // Staging the tag fetches what it names now (download-only); the digest is read back from the
  // deployment that follows the tag: the staged one, or the booted one when that is the newest.
  private async resolveTag(tag: string): Promise<void> {
    await this.deps.os.deploy(tag);
    const { deployments } = await this.deps.os.status();
    const ordered = [...deployments].sort((a, b) => a.index - b.index);
    const follows = [ordered[0], ordered.find((d) => d.booted)].find((d) => d?.bootc && d.origin === tag);
    if (!follows) throw new Error(`after staging ${tag} no deployment follows it`);
    this.resolved = { tag, pinned: pinImage(parseImageReference(tag)!, follows.checksum), digest: follows.checksum };
    this.persist(this.state);
    this.deps.log.info('image tag resolved', { tag, pinned: this.resolved.pinned });
  }

  /** The coordinator's desired target ('' clears it: the rollout that set it has ended). */
  setDesired(target: string): void {
    const confirming = !this.desiredConfirmed;
    this.desiredConfirmed = true;
    if (target === this.desired) {
      if (confirming) void this.trigger();
      return;
    }
    this.deps.log.info('desired target', { target: target || '(none)' });
    this.desired = target;
    // A resolution belongs to the tag it was asked for: told that tag again later, the node fetches it anew.
    if (this.resolved && this.resolved.tag !== target) this.resolved = undefined;
    this.persist(this.state);
    void this.trigger();
  }

  /**
   * An operator reset the node after repairing it: a failed flow (or an idle one with an error)
   * goes back to idle and the target it failed is forgotten. A flow under way is left alone.
   */
  reset(): void {
    if (this.state.kind !== 'failed' && !(this.state.kind === 'idle' && (this.state.error || this.state.dropped))) return;
    this.deps.log.info('reset by an operator', { from: this.state.kind, ...summary(this.state) });
    this.transition({ kind: 'idle' });
    void this.trigger();
  }

  /** Runs a tick now, or right after the running one. */
  trigger(): Promise<void> {
    if (this.halted) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.tick();
        } while (this.again && !this.halted);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async observe(): Promise<Observation> {
    const { deployments } = await this.deps.os.status();
    // A bootc deployment's checksum is its image digest: what a digest target names.
    const facts = (d: { checksum: string; version: string; origin: string; bootc?: unknown }): DeploymentFacts => ({
      checksum: d.checksum,
      version: d.version,
      origin: d.origin,
      ...(d.bootc ? { imageDigest: d.checksum } : {}),
    });
    const booted = deployments.find((d) => d.booted);
    const first = [...deployments].sort((a, b) => a.index - b.index)[0];
    const pending = first && !first.booted ? first : undefined;
    const now = this.deps.now();
    return {
      now,
      bootId: this.deps.bootId(),
      ...(booted ? { booted: facts(booted) } : {}),
      ...(pending ? { pending: facts(pending) } : {}),
      desired: this.effectiveDesired(),
      desiredConfirmed: this.desiredConfirmed,
      rebootRequired: this.deps.rebootRequired(),
      remediation: this.deps.remediation?.() ?? '',
      inWindow: inAnyWindow(this.deps.windows, now),
      blockers: await blockingReasons(this.deps.blockers),
      healthTimeoutMs: this.deps.healthTimeoutMs,
      retryDelayMs: this.deps.retryDelayMs,
    };
  }

  private async tick(): Promise<void> {
    if (isImageTag(this.desired) && this.resolved?.tag !== this.desired) {
      try {
        // Only bootc deployments carry an image digest to pin a tag to; other backends take the tag as a refspec.
        if ((await this.deps.os.status()).deployments.some((d) => d.bootc)) await this.resolveTag(this.desired);
      } catch (err) {
        // Unknown means no: without the digest nothing moves; the next tick tries again.
        this.deps.log.warn('cannot resolve the image tag; the flow waits', { target: this.desired, err });
        return;
      }
    }
    for (let i = 0; i < MAX_ACTIONS_PER_TICK; i++) {
      let obs: Observation;
      try {
        obs = await this.observe();
      } catch (err) {
        // Unknown means no: without the OS status nothing moves.
        this.deps.log.warn('cannot observe the node; the flow waits', { err });
        return;
      }
      const before = this.state;
      const { next, action } = decide(before, obs);
      this.transition(next);
      if (action.kind === 'none') {
        if (action.why !== this.lastWhy) this.deps.log.debug('flow waits', { state: next.kind, why: action.why });
        this.lastWhy = action.why;
        // A move without an action (idle → pending) is decided on again at once; otherwise wait.
        if (sameState(next, before)) return;
        continue;
      }
      this.lastWhy = '';
      const outcome = await this.perform(action, next);
      const settled = settle(next, action, outcome, obs);
      this.transition(settled);
      if (outcome.kind === 'error') this.deps.log.warn('flow action failed', { action: action.kind, state: next.kind, error: outcome.message });
      if (action.kind === 'reboot' && outcome.kind === 'done') {
        // The node is going down; the next boot resumes from the persisted state.
        this.halted = true;
        return;
      }
      // Errors and slot releases wait for the next tick rather than retrying at once.
      if (outcome.kind === 'error' || action.kind === 'release') return;
      if (action.kind === 'acquire' && outcome.kind === 'lock' && !outcome.granted) return;
      if (action.kind === 'check-health' && outcome.kind === 'health' && !outcome.ok && settled.kind === 'verifying') return;
    }
  }

  private transition(next: FlowState): void {
    if (sameState(next, this.state)) return;
    if (next.kind !== this.state.kind) this.deps.log.info('flow state', { from: this.state.kind, to: next.kind, ...summary(next) });
    this.persist(next);
    const from = this.state;
    this.state = next;
    this.setGauge();
    for (const listener of this.listeners) listener(from, next);
    void this.deps.report().catch(() => undefined);
  }

  private persist(state: FlowState): void {
    this.deps.store.save({ state, desired: this.desired, ...(this.resolved ? { resolved: this.resolved } : {}) });
  }

  private setGauge(): void {
    for (const s of FLOW_STATES) this.stateGauge.set({ state: s }, s === this.state.kind ? 1 : 0);
  }

  private async perform(action: Action, state: FlowState): Promise<Outcome> {
    const { deps } = this;
    try {
      switch (action.kind) {
        case 'none':
          return { kind: 'done' };
        case 'stage':
          // The backend resolves the target (fetching commit metadata from its remotes where it
          // must) and stages exactly that, or fails with UnknownTargetError. It is never "upgraded
          // to the branch tip to look for it": that would stage whatever the tip is, a version
          // nobody asked for, booted by the next reboot of any cause. flow.ts retries with backoff.
          await deps.os.deploy(action.spec);
          return { kind: 'done' };
        case 'unstage':
          deps.log.info('undeploying a target the coordinator took back');
          await deps.os.cleanup();
          return { kind: 'done' };
        case 'acquire': {
          const reply = await deps.lock.acquire();
          if (!reply.granted) deps.log.info('reboot lock busy', { holders: reply.holders });
          else deps.log.info('reboot lock held');
          return { kind: 'lock', granted: reply.granted, holders: reply.holders };
        }
        case 'release':
          await deps.lock.release();
          deps.log.info('reboot lock released');
          return { kind: 'done' };
        case 'pre-reboot': {
          await deps.preReboot();
          if (!deps.drainer) return { kind: 'prepared', cordoned: false };
          const drained = await deps.drainer.prepare();
          if (!drained.ok) throw new Error(`drain: ${drained.reason}`);
          return { kind: 'prepared', cordoned: drained.cordonedByUs };
        }
        case 'reboot':
          deps.log.warn('rebooting', { state: state.kind, ...summary(state) });
          await deps.rebooter.reboot(`hostpilot: ${state.kind} ${summary(state).target ?? ''}`.trim());
          return { kind: 'done' };
        case 'check-health': {
          const problems = await healthProblems(deps.health);
          if (problems.length) deps.log.warn('health checks failing', { problems });
          return { kind: 'health', ok: problems.length === 0, problems };
        }
        case 'rollback':
          deps.log.error('rolling back', { reason: action.reason });
          await deps.os.rollback();
          this.rollbacks.inc();
          return { kind: 'done' };
        case 'finish': {
          await deps.postReboot();
          if (deps.drainer && state.kind === 'verifying') await deps.drainer.finish(state.cordoned);
          // Steady state is reported before the slot goes back.
          await deps.report();
          await deps.lock.release();
          this.reboots.inc({ result: 'success' });
          deps.log.info('steady on target; reboot lock released', summary(state));
          return { kind: 'done' };
        }
        case 'fail': {
          if (deps.drainer && (state.kind === 'verifying' || state.kind === 'rolling-back')) await deps.drainer.finish(state.cordoned);
          await deps.lock.release();
          this.reboots.inc({ result: state.kind === 'rolling-back' ? 'rolled_back' : 'failed' });
          if ('target' in state && state.target.reason === 'remediation') deps.log.error('remediation reboot failed; reboot lock released', { order: state.target.order, reason: action.reason });
          else deps.log.error('update failed; target not retried until it changes', { reason: action.reason, ...summary(state) });
          return { kind: 'done' };
        }
      }
    } catch (err) {
      return { kind: 'error', message: errorMessage(err), ...((err as { kind?: string }).kind === 'not_found' ? { notFound: true } : {}) };
    }
  }

}

function sameState(a: FlowState, b: FlowState): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

export function summary(state: FlowState): { target?: string; error?: string } {
  if (state.kind === 'idle') return state.error ? { error: state.error } : {};
  const target = state.target.version || state.target.checksum.slice(0, 12);
  const error =
    state.kind === 'failed' || state.kind === 'rolling-back'
      ? state.reason
      : 'waiting' in state && state.waiting
        ? state.waiting
        : 'error' in state && state.error
          ? state.error
          : undefined;
  return { target, ...(error ? { error } : {}) };
}
