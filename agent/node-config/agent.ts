// The agent's node configuration: takes the coordinator's DesiredConfig,
// refuses it whole when it is not valid, converges the node to it, records
// and reports the hash applied, and checks for drift (repairing it when the
// config says so). A config that needs a reboot (kernel arguments, or the
// coordinator says so) is staged and left to the reboot flow, which asks
// rebootPending(); the hash counts as applied once the node booted again.
import { Counter, Gauge, type Registry } from 'prom-client';
import { withTransition, type Condition } from '../../common/api/conditions.js';
import { DISRUPTIONS, parseRenderedConfig, renderedHash, type Disruption, type RenderedConfig } from '../../common/api/node-config.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { applyConfig, checkConfig, type ConvergeEnv } from './converge.js';
import { DRIFT_KINDS, describeDrift, type DriftItem } from './drift.js';
import type { NodeConfigState, NodeConfigStore } from './state.js';

export interface DesiredConfigInput {
  hash: string;
  rendered_json: string;
  disruption: string;
  rollout_id: string;
}

export interface NodeConfigAgentDeps {
  env: ConvergeEnv;
  store: NodeConfigStore;
  registry: Registry;
  log: Logger;
  /** The current boot's id (the reboot flow's, so a sandbox reboot counts). */
  bootId: () => string;
  /** Tells the coordinator now (a new hash applied, a condition changed). */
  onChange?: () => void;
  now?: () => number;
}

export const CONDITION_DRIFT = 'ConfigDrift';
export const CONDITION_APPLY = 'ConfigApplyFailed';
const HASH = /^sha256:[0-9a-f]{64}$/;

export class NodeConfigAgent {
  private state: NodeConfigState;
  private config: RenderedConfig | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private drift: DriftItem[] = [];
  private checkError: string | undefined;
  /** Why the last config could not be taken or applied whole; undefined when it was. */
  private applyProblem: { reason: string; message: string } | undefined;
  private failedUnits: string[] = [];
  private readonly previous = new Map<string, Condition>();
  private timer: NodeJS.Timeout | undefined;
  private readonly driftGauge: Gauge<'kind'>;
  private readonly repairs: Counter<'kind'>;
  private readonly applies: Counter<'result'>;
  private readonly now: () => number;

  constructor(private readonly deps: NodeConfigAgentDeps) {
    this.now = deps.now ?? Date.now;
    this.state = deps.store.load();
    // The config was valid when it was applied; a file edited by hand since is not trusted either.
    try {
      this.config = this.state.renderedJson ? parseRenderedConfig(this.state.renderedJson) : undefined;
    } catch (err) {
      deps.log.warn('the saved node config is not valid; waiting for the coordinator', { error: errorMessage(err) });
    }
    this.driftGauge = new Gauge({ name: 'hostpilot_config_drift', help: 'Managed items (files, units, sysctls) that differ from the applied node config, by kind.', labelNames: ['kind'], registers: [deps.registry] });
    this.repairs = new Counter({ name: 'hostpilot_config_repairs_total', help: 'Drifted items put back under driftPolicy repair, by kind.', labelNames: ['kind'], registers: [deps.registry] });
    this.applies = new Counter({ name: 'hostpilot_config_applies_total', help: 'Desired node configs taken, by result (applied, failed, refused, staged).', labelNames: ['result'], registers: [deps.registry] });
    for (const kind of DRIFT_KINDS) {
      this.driftGauge.set({ kind }, 0);
      this.repairs.inc({ kind }, 0);
    }
    for (const result of ['applied', 'failed', 'refused', 'staged']) this.applies.inc({ result }, 0);
  }

  /** The hash applied: NodeReport.config_hash. */
  get appliedHash(): string {
    return this.state.applied;
  }

  /** Kernel arguments (or a config that asks for a reboot) are staged and this boot has not rebooted yet. */
  rebootPending(): boolean {
    const pending = this.state.rebootPending;
    return pending !== undefined && pending.bootId === this.deps.bootId();
  }

  /** Settles a reboot that happened since the last run, checks drift now, then every `intervalMs` (0: only on demand). */
  start(intervalMs: number): Promise<void> {
    const pending = this.state.rebootPending;
    if (pending && pending.bootId !== this.deps.bootId()) {
      this.deps.log.info('node config applied by the reboot', { hash: pending.hash });
      const { rebootPending: _done, ...rest } = this.state;
      this.save({ ...rest, applied: pending.hash });
    }
    if (intervalMs > 0) {
      this.timer = setInterval(() => void this.check().catch(() => undefined), intervalMs);
      this.timer.unref();
    }
    return this.check();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The coordinator's DesiredConfig; runs after whatever runs now. */
  setDesired(desired: DesiredConfigInput): Promise<void> {
    return this.serial(() => this.take(desired));
  }

  /** Compares the node with the applied config now (and repairs under driftPolicy repair). */
  check(): Promise<void> {
    return this.serial(() => this.checkNow(true));
  }

  conditions(): Condition[] {
    const drift = this.checkError
      ? { type: CONDITION_DRIFT, status: 'Unknown' as const, reason: 'CheckFailed', message: this.checkError.slice(0, 500) }
      : this.drift.length > 0
        ? { type: CONDITION_DRIFT, status: 'True' as const, reason: 'Drifted', message: describeDrift(this.drift) }
        : { type: CONDITION_DRIFT, status: 'False' as const, reason: 'InSync', message: this.config ? `in sync with ${this.state.applied || 'the staged config'}` : 'no node config' };
    const unitsFailed = this.failedUnits.length > 0 ? `failed unit(s): ${this.failedUnits.join(', ')}` : '';
    const apply = this.applyProblem
      ? { type: CONDITION_APPLY, status: 'True' as const, ...this.applyProblem }
      : unitsFailed
        ? { type: CONDITION_APPLY, status: 'True' as const, reason: 'UnitFailed', message: unitsFailed }
        : { type: CONDITION_APPLY, status: 'False' as const, reason: 'Applied', message: this.state.applied ? `applied ${this.state.applied}` : 'no node config' };
    return [drift, apply].map((c) => {
      const next = withTransition(c, this.previous.get(c.type), this.now());
      this.previous.set(c.type, next);
      return next;
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private save(state: NodeConfigState): void {
    this.deps.store.save(state);
    this.state = state;
  }

  private refuse(hash: string, message: string): void {
    this.applies.inc({ result: 'refused' });
    this.applyProblem = { reason: 'Refused', message: `config ${hash.slice(0, 19) || '(no hash)'} refused: ${message}`.slice(0, 500) };
    this.deps.log.warn('desired node config refused; nothing changed', { hash, error: message });
    this.deps.onChange?.();
  }

  private async take(desired: DesiredConfigInput): Promise<void> {
    const { log } = this.deps;
    if (desired.hash === '') {
      // No NodeConfig selects this node any more: what was written stays, the agent forgets it.
      if (this.state.applied || this.state.renderedJson) log.info('no node config for this node; managed files are left in place and forgotten');
      this.config = undefined;
      this.applyProblem = undefined;
      this.save({ applied: '', renderedJson: '' });
      await this.checkNow(false);
      this.deps.onChange?.();
      return;
    }
    if (!HASH.test(desired.hash)) return this.refuse(desired.hash, `hash ${JSON.stringify(desired.hash.slice(0, 80))} is not sha256:<64 hex digits>`);
    if (!(DISRUPTIONS as readonly string[]).includes(desired.disruption)) return this.refuse(desired.hash, `disruption ${JSON.stringify(desired.disruption.slice(0, 40))} is not one of ${DISRUPTIONS.join(', ')}`);
    const pendingHash = this.state.rebootPending?.hash;
    // Told what it has (a reconnect): only a check. Told the applied hash while another waits for its
    // reboot (the rollout rolled it back): applied again, which takes the staged arguments back.
    const has = pendingHash === undefined ? desired.hash === this.state.applied : desired.hash === pendingHash;
    if (has && !this.applyProblem) return this.checkNow(true);
    let config: RenderedConfig;
    try {
      config = parseRenderedConfig(desired.rendered_json);
    } catch (err) {
      return this.refuse(desired.hash, errorMessage(err));
    }
    // The hash names the config everywhere (reports, rollbacks): a config that is not the one it names is not taken.
    const actual = renderedHash(config);
    if (actual !== desired.hash) return this.refuse(desired.hash, `hash: the rendered config hashes to ${actual}, not ${desired.hash}`);
    const disruption = desired.disruption as Disruption;
    log.info('applying node config', { hash: desired.hash, disruption, rollout: desired.rollout_id || undefined, sources: config.sources });
    const result = await applyConfig(config, this.deps.env, { restart: disruption === 'restart-units', kargsAdded: this.state.kargsAdded ?? [] });
    const kargsAdded = result.kargsAdded.length > 0 ? { kargsAdded: result.kargsAdded } : {};
    for (const line of result.changed) log.info('node config changed', { change: line });
    for (const line of result.failures) log.warn('node config change failed', { change: line });
    this.config = config;
    // A reboot for what this node now lacks until it boots: staged kernel arguments, or changes the coordinator
    // (or `reboot: always`) says take a reboot. Nothing changed here, or a change failed: no reboot.
    const changedHere = result.kargsStaged || result.changed.length > 0;
    const reboot = config.reboot !== 'never' && result.failures.length === 0 && changedHere && (result.kargsStaged || disruption === 'reboot' || config.reboot === 'always');
    if (reboot) {
      this.save({ applied: this.state.applied, renderedJson: desired.rendered_json, rebootPending: { hash: desired.hash, bootId: this.deps.bootId() }, ...kargsAdded });
      log.info('node config staged; it takes effect with the next reboot (through the reboot lock)', { hash: desired.hash });
    } else {
      this.save({ applied: desired.hash, renderedJson: desired.rendered_json, ...kargsAdded });
    }
    this.applies.inc({ result: result.failures.length > 0 ? 'failed' : reboot ? 'staged' : 'applied' });
    this.applyProblem = result.failures.length > 0 ? { reason: 'ApplyFailed', message: `${result.failures.length} change(s) failed: ${result.failures.join('; ')}`.slice(0, 1000) } : undefined;
    await this.checkNow(false);
    this.deps.onChange?.();
  }

  private async checkNow(repair: boolean): Promise<void> {
    const config = this.config;
    const before = JSON.stringify([this.drift, this.checkError, this.failedUnits]);
    try {
      if (!config) {
        this.drift = [];
        this.failedUnits = [];
      } else {
        let result = await checkConfig(config, this.deps.env);
        if (repair && config.driftPolicy === 'repair' && result.drift.length > 0) {
          this.deps.log.warn('node config drifted; repairing', { drift: describeDrift(result.drift) });
          // Kernel arguments are not drift (they change only with a reboot): a repair leaves them.
          const repaired = await applyConfig(config, this.deps.env, { restart: true, kargs: false });
          for (const line of repaired.failures) this.deps.log.warn('repair failed', { change: line });
          const after = await checkConfig(config, this.deps.env);
          for (const item of result.drift) if (!after.drift.some((d) => d.kind === item.kind && d.name === item.name)) this.repairs.inc({ kind: item.kind });
          result = after;
        }
        this.drift = result.drift;
        this.failedUnits = result.failedUnits;
      }
      this.checkError = undefined;
    } catch (err) {
      this.checkError = `cannot check the node config: ${errorMessage(err)}`;
      this.deps.log.warn('node config check failed', { error: errorMessage(err) });
    }
    for (const kind of DRIFT_KINDS) this.driftGauge.set({ kind }, this.drift.filter((d) => d.kind === kind).length);
    if (JSON.stringify([this.drift, this.checkError, this.failedUnits]) !== before) this.deps.onChange?.();
  }
}
