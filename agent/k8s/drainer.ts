// The drain step of the reboot flow on a Kubernetes node: cordon, evict the node's
// pods through the Eviction API (so PodDisruptionBudgets are honoured), and after the
// node is back, uncordon it — only if hostpilot cordoned it. Whether we cordoned is
// recorded on the Node itself (annotation CORDONED_BY_AGENT_ANNOTATION, written in
// the same patch as the cordon), so an agent restarted mid-drain or across the reboot
// still knows, and a node cordoned by a person stays cordoned.
//
// The flow calls: prepare() after it holds the reboot lock; on {ok:false} it releases
// the lock and does not reboot; after steady state it calls finish(cordonedByUs).
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../../common/log.js';
import { errorMessage } from '../../common/errors.js';
import { formatDuration } from '../../common/duration.js';
import type { CoreV1Event, NodeApi, V1Node, V1Pod } from './api.js';
import { ConflictError } from './errors.js';
import { parseLabelSelector } from './label-selector.js';

export const CORDONED_BY_AGENT_ANNOTATION = 'hostpilot.io/cordoned-by-agent';
/** Why the fleet's remediation cordoned the node (it stays cordoned until someone acts). */
export const REMEDIATION_ANNOTATION = 'hostpilot.io/remediation';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export type PrepareResult = { ok: true; cordonedByUs: boolean } | { ok: false; reason: string };

export interface Drainer {
  prepare(): Promise<PrepareResult>;
  finish(cordonedByUs: boolean): Promise<void>;
}

export type DrainTimeoutPolicy = 'block' | 'force';

export interface DrainConfig {
  nodeName: string;
  /** Only pods matching this selector are evicted (kured's --drain-pod-selector); others stay. */
  drainPodSelector?: string;
  /** Any active pod on the node matching this selector blocks the reboot (before cordoning). */
  blockingPodSelector?: string;
  /** deleteOptions.gracePeriodSeconds for evictions; undefined = each pod's own terminationGracePeriodSeconds. */
  gracePeriodSeconds?: number;
  /** How long evictions may take in total before `timeoutPolicy` applies. */
  drainTimeoutMs: number;
  /** block (default): give up, uncordon if we cordoned, do not reboot. force: delete what is left, bypassing PDBs. */
  timeoutPolicy: DrainTimeoutPolicy;
  /** Wait between eviction rounds (a PDB's 429 asks to retry; kubectl waits 5s). */
  retryIntervalMs?: number;
  /** Namespace of the Events posted about the node (Node events live in `default`). */
  eventNamespace?: string;
}

export interface DrainClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realDrainClock: DrainClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Validates the config once (selector syntax, numbers); throws InvalidArgumentError naming the flag. */
export function validateDrainConfig(config: DrainConfig): DrainConfig {
  if (config.drainPodSelector) parseLabelSelector(config.drainPodSelector, '--drain-pod-selector');
  if (config.blockingPodSelector) parseLabelSelector(config.blockingPodSelector, '--blocking-pod-selector');
  return config;
}

export type DrainResultLabel = 'drained' | 'blocking_pods' | 'timeout_blocked' | 'timeout_forced' | 'error';

export function drainMetrics(registry: Registry) {
  const drains = new Counter({
    name: 'hostpilot_k8s_drains_total',
    help: 'Drains of this node before a reboot, by result.',
    labelNames: ['result'],
    registers: [registry],
  });
  const evictions = new Counter({
    name: 'hostpilot_k8s_evictions_total',
    help: 'Eviction API calls for pods on this node, by result (blocked = refused by a PodDisruptionBudget, HTTP 429).',
    labelNames: ['result'],
    registers: [registry],
  });
  for (const r of ['drained', 'blocking_pods', 'timeout_blocked', 'timeout_forced', 'error'] satisfies DrainResultLabel[]) drains.inc({ result: r }, 0);
  for (const r of ['evicted', 'gone', 'blocked', 'error']) evictions.inc({ result: r }, 0);
  return { drains, evictions };
}

function podKey(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

function isTerminal(pod: V1Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Pods a drain leaves alone: static (mirror) pods and DaemonSet pods (their controller ignores unschedulable and would recreate them). */
export function isIgnoredByDrain(pod: V1Pod): boolean {
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return true;
  return (pod.metadata?.ownerReferences ?? []).some((o) => o.controller === true && o.kind === 'DaemonSet');
}

function cordonedByAgent(node: V1Node): boolean {
  return node.metadata?.annotations?.[CORDONED_BY_AGENT_ANNOTATION] !== undefined;
}

export class KubernetesDrainer implements Drainer {
  private readonly retryMs: number;
  private readonly metrics;

  constructor(
    private readonly api: NodeApi,
    private readonly config: DrainConfig,
    private readonly deps: { clock: DrainClock; logger: Logger; registry: Registry; instance?: string },
  ) {
    validateDrainConfig(config);
    this.retryMs = config.retryIntervalMs ?? 5000;
    this.metrics = drainMetrics(deps.registry);
  }

  async prepare(): Promise<PrepareResult> {
    const log = this.deps.logger;
    let cordonedByUs = false;
    try {
      const blockers = await this.blockingPods();
      if (blockers.length > 0) {
        this.metrics.drains.inc({ result: 'blocking_pods' });
        const reason = `blocking pods on node ${this.config.nodeName} match ${this.config.blockingPodSelector}: ${blockers.slice(0, 10).join(', ')}`;
        log.info('reboot blocked by pods', { node: this.config.nodeName, pods: blockers });
        // A cordon left by an earlier attempt (agent restarted mid-drain) is undone: no reboot is coming.
        if (cordonedByAgent(await this.api.getNode(this.config.nodeName))) await this.uncordon();
        return { ok: false, reason };
      }
      cordonedByUs = await this.cordon();
      const outcome = await this.evictAll();
      if (outcome.remaining.length === 0) {
        this.metrics.drains.inc({ result: 'drained' });
        await this.event('Normal', 'HostpilotDrained', `drained for a reboot${cordonedByUs ? '' : ' (node was already cordoned by someone else; it stays cordoned)'}`);
        return { ok: true, cordonedByUs };
      }
      const summary = `${outcome.remaining.length} pod(s) not evicted after ${formatDuration(this.config.drainTimeoutMs)}: ${outcome.remaining
        .slice(0, 10)
        .map((p) => (outcome.lastBlock.get(p) ? `${p} (${outcome.lastBlock.get(p)})` : p))
        .join(', ')}`;
      if (this.config.timeoutPolicy === 'force') {
        for (const pod of outcome.pods) {
          await this.api.deletePod(pod.metadata!.namespace!, pod.metadata!.name!, this.config.gracePeriodSeconds);
        }
        this.metrics.drains.inc({ result: 'timeout_forced' });
        log.warn('drain timed out; deleted the remaining pods (policy force)', { node: this.config.nodeName, pods: outcome.remaining });
        await this.event('Warning', 'HostpilotDrainForced', `${summary}; deleted them (drain timeout policy force)`);
        return { ok: true, cordonedByUs };
      }
      this.metrics.drains.inc({ result: 'timeout_blocked' });
      log.warn('drain timed out; not rebooting (policy block)', { node: this.config.nodeName, pods: outcome.remaining });
      await this.event('Warning', 'HostpilotDrainTimeout', `${summary}; not rebooting (drain timeout policy block)`);
      if (cordonedByUs) await this.undoCordon();
      return { ok: false, reason: `drain timed out: ${summary}` };
    } catch (err) {
      this.metrics.drains.inc({ result: 'error' });
      log.error('drain failed; not rebooting', { node: this.config.nodeName, err });
      if (cordonedByUs) await this.undoCordon();
      return { ok: false, reason: `drain of node ${this.config.nodeName} failed: ${errorMessage(err)}` };
    }
  }

  /** After a failed drain: uncordon, but a failure here only logs (the annotation keeps the record for finish()). */
  private async undoCordon(): Promise<void> {
    try {
      await this.uncordon();
    } catch (err) {
      this.deps.logger.error('uncordon after a failed drain failed; the node stays cordoned until finish() or the next attempt', { node: this.config.nodeName, err });
    }
  }

  /**
   * Uncordons if we cordoned: either the caller says so, or the annotation on the Node
   * does (the flow's memory may not have survived an agent restart). A node someone else
   * cordoned is left as it is. Idempotent; throws if the API cannot be reached.
   */
  async finish(cordonedByUs: boolean): Promise<void> {
    const node = await this.api.getNode(this.config.nodeName);
    if (!cordonedByUs && !cordonedByAgent(node)) {
      this.deps.logger.info('not uncordoning: hostpilot did not cordon this node', { node: this.config.nodeName, unschedulable: node.spec?.unschedulable === true });
      return;
    }
    if (node.spec?.unschedulable !== true && !cordonedByAgent(node)) {
      this.deps.logger.info('already uncordoned; nothing to do', { node: this.config.nodeName });
      return;
    }
    await this.uncordon();
    await this.event('Normal', 'HostpilotUncordoned', 'uncordoned after the reboot (hostpilot had cordoned it)');
  }

  /**
   * Cordons the node for the fleet's remediation (it is to be reprovisioned): without the
   * agent's annotation, so no reboot's finish() uncordons it; a person or the provisioner
   * does. The reason is kept in an annotation and an Event. Idempotent.
   */
  async cordonForRemediation(reason: string): Promise<{ alreadyCordoned: boolean }> {
    const node = await this.api.getNode(this.config.nodeName);
    const alreadyCordoned = node.spec?.unschedulable === true;
    await this.api.patchNode(this.config.nodeName, { metadata: { annotations: { [REMEDIATION_ANNOTATION]: reason } }, spec: { unschedulable: true } });
    await this.event('Warning', 'HostpilotRemediationCordon', `cordoned by the fleet's remediation: ${reason}`);
    return { alreadyCordoned };
  }

  private async blockingPods(): Promise<string[]> {
    if (!this.config.blockingPodSelector) return [];
    const pods = await this.api.listPodsOnNode(this.config.nodeName, this.config.blockingPodSelector);
    return pods.filter((p) => !isTerminal(p) && !p.metadata?.deletionTimestamp).map(podKey);
  }

  /** Returns whether the node is cordoned by us (now, or before an agent restart). */
  private async cordon(): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      const node = await this.api.getNode(this.config.nodeName);
      if (cordonedByAgent(node)) {
        if (node.spec?.unschedulable !== true) await this.api.patchNode(this.config.nodeName, { spec: { unschedulable: true } });
        this.deps.logger.info('node was cordoned by hostpilot before (agent restarted mid-drain?); continuing', { node: this.config.nodeName });
        return true;
      }
      if (node.spec?.unschedulable === true) {
        this.deps.logger.info('node already cordoned by someone else; it will stay cordoned', { node: this.config.nodeName });
        return false;
      }
      try {
        // resourceVersion makes this a compare-and-swap: if someone cordoned in between, 409 and re-read.
        await this.api.patchNode(this.config.nodeName, {
          metadata: {
            resourceVersion: node.metadata?.resourceVersion,
            annotations: { [CORDONED_BY_AGENT_ANNOTATION]: this.deps.instance ?? 'hostpilot-agent' },
          },
          spec: { unschedulable: true },
        });
        await this.event('Normal', 'HostpilotCordoned', 'cordoned for a reboot');
        return true;
      } catch (err) {
        if (err instanceof ConflictError && attempt < 5) continue;
        throw err;
      }
    }
  }

  private async uncordon(): Promise<void> {
    await this.api.patchNode(this.config.nodeName, {
      metadata: { annotations: { [CORDONED_BY_AGENT_ANNOTATION]: null } },
      spec: { unschedulable: false },
    });
    this.deps.logger.info('uncordoned', { node: this.config.nodeName });
  }

  private async evictAll(): Promise<{ remaining: string[]; pods: V1Pod[]; lastBlock: Map<string, string> }> {
    const { clock } = this.deps;
    const deadline = clock.now() + this.config.drainTimeoutMs;
    const lastBlock = new Map<string, string>();
    for (;;) {
      const pods = (await this.api.listPodsOnNode(this.config.nodeName, this.config.drainPodSelector)).filter((p) => !isIgnoredByDrain(p) && !isTerminal(p));
      if (pods.length === 0) return { remaining: [], pods: [], lastBlock };
      for (const pod of pods) {
        // Already terminating (evicted in an earlier round, or before an agent restart): wait for it.
        if (pod.metadata?.deletionTimestamp) continue;
        const key = podKey(pod);
        try {
          const r = await this.api.evictPod(pod.metadata!.namespace!, pod.metadata!.name!, this.config.gracePeriodSeconds);
          this.metrics.evictions.inc({ result: r.kind });
          if (r.kind === 'blocked') {
            lastBlock.set(key, r.message);
            this.deps.logger.info('eviction refused by a PodDisruptionBudget; will retry', { pod: key, message: r.message });
          } else {
            lastBlock.delete(key);
            this.deps.logger.info(r.kind === 'evicted' ? 'evicted' : 'pod already gone', { pod: key });
          }
        } catch (err) {
          this.metrics.evictions.inc({ result: 'error' });
          lastBlock.set(key, errorMessage(err));
          this.deps.logger.warn('eviction failed; will retry', { pod: key, err });
        }
      }
      if (clock.now() >= deadline) return { remaining: pods.map(podKey), pods, lastBlock };
      await clock.sleep(Math.min(this.retryMs, Math.max(0, deadline - clock.now())));
    }
  }

  /** Events are for people reading `kubectl describe node`; failing to post one never fails the drain. */
  private async event(type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const ns = this.config.eventNamespace ?? 'default';
    const now = new Date(this.deps.clock.now()).toISOString();
    const event: CoreV1Event = {
      metadata: { generateName: `${this.config.nodeName}.`, namespace: ns },
      // kubelet's convention for Node events (uid = node name); `kubectl describe node` finds both these and uid-keyed ones.
      involvedObject: { kind: 'Node', name: this.config.nodeName, uid: this.config.nodeName, apiVersion: 'v1' },
      reason,
      message,
      type,
      source: { component: 'hostpilot-agent', host: this.config.nodeName },
      firstTimestamp: new Date(now),
      lastTimestamp: new Date(now),
      count: 1,
      reportingComponent: 'hostpilot.io/agent',
      reportingInstance: this.deps.instance ?? this.config.nodeName,
    };
    try {
      await this.api.createEvent(ns, event);
    } catch (err) {
      this.deps.logger.warn('could not post an Event', { reason, err });
    }
  }
}
