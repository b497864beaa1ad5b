// Keeps the host's pod plumbing equal to what the CNI plugin recorded: on
// start and every interval, re-adds a missing route, sysctl or veth pair,
// removes what belongs to pods that are gone, and reports drift as metrics
// and a condition. A run with nothing to repair changes nothing and says so.
//
// Races with a concurrent CNI ADD/DEL are benign: links are listed before
// records are read and ADD writes its record before creating the veth, so a
// veth being added is never taken for an orphan; DEL marks its record
// "deleting" before removing anything, so a pod being taken down is not set
// up again; a repair that still loses a race with DEL fails on a missing
// device and the next run finds nothing to do.
import { existsSync } from 'node:fs';
import { Counter, Gauge, type Registry } from 'prom-client';
import { errorMessage } from '../../common/errors.js';
import { withTransition, type Condition } from '../../common/api/conditions.js';
import { silentLogger, type Logger } from '../../common/log.js';
import type { CommandRunner } from '../../common/exec/runner.js';
import { DEFAULT_STATE_DIR, DEFAULT_VETH_PREFIX } from './config.js';
import { IpamDelegate } from './ipam.js';
import { HostPlumbing } from './plumbing.js';
import { describeRepair, DRIFT_KINDS, planRepairs, sysctlsToRead, type Repair } from './reconcile-plan.js';
import { PodStateStore } from './state-store.js';
import { parseIpv4, parseIpv4Cidr, validateVethPrefix } from './validate.js';

/** "True": the last run found drift (repaired or not); the agent counts only a failed repair as a problem. */
export interface PodNetworkCondition extends Condition {
  type: 'PodNetworkDrift';
  reason: 'NotYetReconciled' | 'InSync' | 'DriftRepaired' | 'RepairFailed';
}

export interface ReconcileReport {
  /** One line per repair made; empty when everything was in order. */
  changes: string[];
  /** Repairs that failed, and records that could not be read. */
  errors: string[];
}

export interface PodNetworkReconcilerOptions {
  runner: CommandRunner;
  registry: Registry;
  stateDir?: string;
  /** Veths named with these prefixes and no record are removed. Default ["hp"]. */
  vethPrefixes?: string[];
  logger?: Logger;
  pathExists?: (path: string) => boolean;
  isExecutable?: (path: string) => boolean;
  nsenter?: string;
  /** Called after every run started by start(); for the agent's own bookkeeping. */
  onRun?: (report: ReconcileReport) => void;
}

class ReconcileMetrics {
  readonly runs: Counter<'result'>;
  readonly repairs: Counter<'kind'>;
  readonly failedRepairs: Counter<'kind'>;
  readonly drift: Gauge;
  readonly pods: Gauge;

  constructor(registry: Registry) {
    this.runs = new Counter({ name: 'hostpilot_net_reconcile_runs_total', help: 'Pod network reconcile runs, by result (ok: every repair made; error: some failed)', labelNames: ['result'], registers: [registry] });
    this.repairs = new Counter({ name: 'hostpilot_net_drift_repairs_total', help: 'Drift repaired on the host pod network, by kind', labelNames: ['kind'], registers: [registry] });
    this.failedRepairs = new Counter({ name: 'hostpilot_net_drift_repair_failures_total', help: 'Drift the reconciler failed to repair, by kind', labelNames: ['kind'], registers: [registry] });
    this.drift = new Gauge({ name: 'hostpilot_net_drift_items', help: 'Drift items found by the last reconcile run (0 when the host matched the CNI records)', registers: [registry] });
    this.pods = new Gauge({ name: 'hostpilot_net_pods', help: 'Pods recorded by the CNI plugin at the last reconcile run', registers: [registry] });
    for (const result of ['ok', 'error']) this.runs.inc({ result }, 0);
    for (const kind of DRIFT_KINDS) {
      this.repairs.inc({ kind }, 0);
      this.failedRepairs.inc({ kind }, 0);
    }
  }
}

export class PodNetworkReconciler {
  private readonly plumbing: HostPlumbing;
  private readonly ipam: IpamDelegate;
  private readonly store: PodStateStore;
  private readonly prefixes: string[];
  private readonly logger: Logger;
  private readonly pathExists: (path: string) => boolean;
  private readonly metrics: ReconcileMetrics;
  private current: PodNetworkCondition = { type: 'PodNetworkDrift', status: 'Unknown', reason: 'NotYetReconciled', message: 'no reconcile run yet', lastTransitionTime: 0 };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReconcileReport> | undefined;
  private stopped = true;

  constructor(private readonly options: PodNetworkReconcilerOptions) {
    this.plumbing = new HostPlumbing(options.runner, options.nsenter ? { nsenter: options.nsenter } : {});
    this.ipam = new IpamDelegate(options.runner, options.isExecutable);
    this.store = new PodStateStore(options.stateDir ?? DEFAULT_STATE_DIR);
    this.prefixes = (options.vethPrefixes ?? [DEFAULT_VETH_PREFIX]).map((p, i) => validateVethPrefix(p, `vethPrefixes[${i}]`));
    this.logger = options.logger ?? silentLogger;
    this.pathExists = options.pathExists ?? existsSync;
    this.metrics = new ReconcileMetrics(options.registry);
  }

  condition(): PodNetworkCondition {
    return { ...this.current };
  }

  /** One converge pass. Runs never overlap: a call during a run waits for it and runs again. */
  async reconcileOnce(): Promise<ReconcileReport> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.pass();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async pass(): Promise<ReconcileReport> {
    let report: ReconcileReport;
    try {
      report = await this.converge();
    } catch (err) {
      // Could not even look at the host: nothing was changed.
      report = { changes: [], errors: [`reading host state: ${errorMessage(err)}`] };
    }
    this.metrics.runs.inc({ result: report.errors.length === 0 ? 'ok' : 'error' });
    this.metrics.drift.set(report.changes.length + report.errors.length);
    this.current = withTransition(conditionFor(report, this.podCount), this.current, Date.now());
    if (report.changes.length > 0 || report.errors.length > 0) this.logger.info('pod network reconciled', { changes: report.changes, errors: report.errors });
    return report;
  }

  private podCount = 0;

  /** What a run would repair now, without changing anything (no metrics either). */
  async plan(): Promise<ReconcileReport> {
    const { repairs, errors } = await this.observe();
    return { changes: repairs.map(describeRepair), errors };
  }

  private async observe(): Promise<{ repairs: Repair[]; errors: string[]; pods: number }> {
    // Links before records: see the race note at the top.
    const veths = await this.plumbing.vethLinks();
    const { records, errors } = await this.store.list();
    const routes = await this.plumbing.routes();
    const sysctls = await this.plumbing.readSysctls(sysctlsToRead(records, veths));
    const repairs = planRepairs(records, { veths, routes, sysctls, netnsExists: this.pathExists }, this.prefixes);
    return { repairs, errors, pods: records.filter((r) => r.phase === 'ready').length };
  }

  private async converge(): Promise<ReconcileReport> {
    const { repairs, errors, pods } = await this.observe();
    this.podCount = pods;
    this.metrics.pods.set(pods);
    const report: ReconcileReport = { changes: [], errors: [...errors] };
    for (const repair of repairs) {
      try {
        await this.apply(repair);
        report.changes.push(describeRepair(repair));
        this.metrics.repairs.inc({ kind: repair.kind });
      } catch (err) {
        report.errors.push(`${describeRepair(repair).split(':')[0]}: repair failed: ${errorMessage(err)}`);
        this.metrics.failedRepairs.inc({ kind: repair.kind });
      }
    }
    return report;
  }

  private async apply(repair: Repair): Promise<void> {
    switch (repair.kind) {
      case 'pod_gone': {
        const r = repair.record;
        await this.plumbing.deleteLink(r.hostVeth);
        if (r.address !== '') {
          await this.ipam.del({ pluginType: r.ipamType, containerId: r.containerId, netns: '', ifName: r.ifName, args: '', path: r.cniPath, config: r.config });
        }
        await this.store.remove(r.containerId, r.ifName);
        return;
      }
      case 'veth_missing': {
        const r = repair.record;
        try {
          await this.plumbing.createPod({ hostVeth: r.hostVeth, podIfName: r.ifName, netns: r.netns, address: parseIpv4Cidr(r.address, 'address'), gateway: parseIpv4(r.gateway, 'gateway'), uplink: r.uplink, mtu: r.mtu, ...(r.mode ? { mode: r.mode } : {}) });
        } catch (err) {
          await this.plumbing.deleteLink(r.hostVeth).catch(() => undefined);
          throw err;
        }
        return;
      }
      case 'route_missing':
        return this.plumbing.replaceHostRoute(repair.dst, repair.dev);
      case 'sysctl':
        return this.plumbing.writeSysctls(new Map([[repair.key, repair.value]]));
      case 'orphan_veth':
        await this.plumbing.deleteLink(repair.name);
        return;
      case 'stale_route':
        return this.plumbing.deleteHostRoute(repair.dst, repair.dev);
      default: {
        const never: never = repair;
        throw new Error(`unknown repair ${JSON.stringify(never)}`);
      }
    }
  }

  /** Reconciles now, then every intervalMs until stop(). */
  start(intervalMs: number): void {
    if (!Number.isInteger(intervalMs) || intervalMs < 1000) throw new Error(`intervalMs: ${intervalMs} must be an integer of at least 1000`);
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      const report = await this.reconcileOnce();
      this.options.onRun?.(report);
      if (!this.stopped) this.timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running) await this.running.catch(() => undefined);
  }
}

function conditionFor(report: ReconcileReport, pods: number): Omit<PodNetworkCondition, 'lastTransitionTime'> {
  if (report.errors.length > 0) {
    return { type: 'PodNetworkDrift', status: 'True', reason: 'RepairFailed', message: truncate(report.errors.join('; ')) };
  }
  if (report.changes.length > 0) {
    return { type: 'PodNetworkDrift', status: 'True', reason: 'DriftRepaired', message: truncate(report.changes.join('; ')) };
  }
  return { type: 'PodNetworkDrift', status: 'False', reason: 'InSync', message: `${pods} pod(s): veths, /32 routes and sysctls match the CNI records` };
}

function truncate(text: string): string {
  return text.length > 1000 ? `${text.slice(0, 997)}...` : text;
}
