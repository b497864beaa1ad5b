// Carries out the fleet's remediation orders on this node, each id once:
// restart a unit, reboot through the reboot flow, cordon. An order is checked
// first (a bad one is answered failed, naming the field, and nothing is done),
// saved as running before it acts, and its result saved when it ends; the
// NodeReport carries the result of the order asked about last. Orders run one
// at a time; a reboot runs in the reboot flow and ends with it.
import { Counter, type Registry } from 'prom-client';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { RemediationOrder__Output } from '../../proto/generated/hostpilot/v1/RemediationOrder.js';
import type { RemediationResult } from '../../proto/generated/hostpilot/v1/RemediationResult.js';
import type { FlowState } from '../reboot/flow.js';
import type { UnitManager } from '../systemd/unit-manager.js';
import type { RemediationConfig } from './config.js';
import { cordonNode, type CordonNode } from './cordon.js';
import { REMEDIATION_ACTIONS, echoId, parseOrder, refusal, type Order } from './order.js';
import { flowBusy, flowCarries, rebootOutcome, type RemediationFlow } from './reboot.js';
import { restartUnit } from './restart-unit.js';
import type { RemediationRecord, RemediationStore } from './store.js';

export interface RemediatorDeps {
  store: RemediationStore;
  config: RemediationConfig;
  /** The unit manager (one bus connection, made on first use). */
  units: () => UnitManager;
  /** Set on a Kubernetes node. */
  cordon?: CordonNode;
  /** Sends a NodeReport now (a result changed). */
  report: () => void;
  log: Logger;
  registry: Registry;
  now?: () => number;
}

export class Remediator {
  private flow: RemediationFlow | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly actions: Counter<'action' | 'result'>;
  private readonly now: () => number;
  private readonly log: Logger;
  private offFlow: (() => void) | undefined;

  constructor(private readonly deps: RemediatorDeps) {
    this.now = deps.now ?? Date.now;
    this.log = deps.log.child({ area: 'remediation' });
    deps.store.load();
    this.actions = new Counter({
      name: 'hostpilot_agent_remediation_actions_total',
      help: 'Remediation orders this agent finished, by action (invalid: refused before anything was done) and result.',
      labelNames: ['action', 'result'],
      registers: [deps.registry],
    });
    for (const action of [...REMEDIATION_ACTIONS, 'invalid']) for (const result of ['succeeded', 'failed']) this.actions.inc({ action, result }, 0);
  }

  /**
   * Connects the reboot flow and settles what an agent restart interrupted: a reboot the flow
   * still carries goes on; a restart or cordon under way is looked at, never done again.
   */
  attach(flow: RemediationFlow): void {
    this.flow = flow;
    this.offFlow = flow.onTransition((from, to) => this.onFlow(from, to));
    for (const r of this.deps.store.all().filter((x) => x.state === 'running')) {
      if (!r.begun) {
        // Saved, but the agent stopped before it began: nothing was done, so it is done now (once).
        const order: Order = { id: r.id, action: r.action as Order['action'], unit: r.unit, condition: r.condition };
        this.chain = this.chain.then(() => this.run(order));
      } else if (r.action === 'reboot') {
        if (flowCarries(flow, r.id)) this.log.info('remediation reboot resumes in the reboot flow', { id: r.id, condition: r.condition, flow: flow.current.kind });
        else if (r.bootId !== undefined && r.bootId !== flow.bootId) this.finish(r, true, `rebooted (boot ${r.bootId.slice(0, 8)} → ${flow.bootId.slice(0, 8)}); the agent restarted before the verification was recorded`);
        // Otherwise it was saved but not yet taken up: requestedReboot() hands it to the flow.
      } else {
        this.chain = this.chain.then(() => this.settleInterrupted(r));
      }
    }
  }

  close(): void {
    this.offFlow?.();
  }

  /** Resolves once every order received so far has run (a reboot: once it is handed to the flow). */
  settled(): Promise<void> {
    return this.chain;
  }

  /** The result the NodeReport carries. */
  result(): RemediationResult | undefined {
    const r = this.deps.store.last();
    return r && { id: r.id, action: r.action, state: r.state, message: r.message, finished_unix_ms: r.finishedUnixMs };
  }

  /** The reboot order the flow is to carry out (agent/reboot/flow.ts Observation.remediation); '' for none. */
  requestedReboot(): string {
    const flow = this.flow;
    if (!flow) return '';
    const r = this.deps.store.all().find((x) => x.state === 'running' && x.action === 'reboot' && x.bootId === flow.bootId);
    return r?.id ?? '';
  }

  /** Condition types a reboot under way is to repair: they neither block it nor fail its verification. */
  excusedConditions(): string[] {
    return this.deps.store
      .all()
      .filter((x) => x.state === 'running' && x.action === 'reboot' && x.condition !== '')
      .map((x) => x.condition);
  }

  receive(raw: RemediationOrder__Output): void {
    const id = echoId(raw.id);
    const known = this.deps.store.get(id);
    if (known && id === raw.id) {
      // A re-sent order (reconnect, coordinator or agent restart): answered with what it had, never done again.
      this.log.debug('remediation order already received; answering with its result', { id, state: known.state });
      if (this.deps.store.last()?.id !== id) this.deps.store.put(known);
      this.deps.report();
      return;
    }
    let order: Order;
    try {
      order = parseOrder(raw, this.deps.config.units);
    } catch (err) {
      const message = refusal(err);
      this.log.warn('remediation order refused', { id, error: message });
      this.deps.store.put({ ...this.record(id, raw.action.slice(0, 40), '', ''), state: 'failed', message, finishedUnixMs: this.now() });
      this.actions.inc({ action: 'invalid', result: 'failed' });
      this.deps.report();
      return;
    }
    this.log.info('remediation order', { id: order.id, action: order.action, unit: order.unit || undefined, condition: order.condition || undefined });
    this.deps.store.put({ ...this.record(order.id, order.action, order.unit, order.condition), message: 'queued' });
    this.deps.report();
    this.chain = this.chain.then(() => this.run(order));
  }

  private record(id: string, action: string, unit: string, condition: string): RemediationRecord {
    return { id, action, unit, condition, state: 'running', message: '', startedUnixMs: this.now(), finishedUnixMs: 0 };
  }

  private async run(order: Order): Promise<void> {
    const r = this.deps.store.get(order.id);
    if (!r || r.state !== 'running') return;
    try {
      await this.act(order, r);
    } catch (err) {
      this.finish(r, false, `${order.action}: ${errorMessage(err)}`);
    }
  }

  private async act(order: Order, r: RemediationRecord): Promise<void> {
    switch (order.action) {
      case 'restart-unit': {
        this.progress(r, `restarting ${order.unit}`);
        const outcome = await restartUnit(this.deps.units(), order.unit, this.deps.config.restartTimeoutMs, this.now);
        this.finish(r, outcome.ok, outcome.message);
        return;
      }
      case 'cordon': {
        this.progress(r, 'cordoning');
        const outcome = await cordonNode(this.deps.cordon, order);
        this.finish(r, outcome.ok, outcome.message);
        return;
      }
      case 'reboot': {
        const flow = this.flow;
        const busy = flow ? flowBusy(flow) : 'the reboot flow is not running';
        if (busy || !flow) {
          this.finish(r, false, `not rebooted: ${busy}`);
          return;
        }
        this.progress(r, 'waiting for the reboot lock', { bootId: flow.bootId });
        void flow.trigger();
        return;
      }
    }
  }

  private onFlow(from: FlowState, to: FlowState): void {
    const flow = this.flow!;
    for (const r of this.deps.store.all()) {
      if (r.state !== 'running' || r.action !== 'reboot' || r.bootId === undefined) continue;
      const taken = 'target' in from && from.target.order === r.id;
      const outcome = rebootOutcome(r.id, from, to, taken, r.bootId, flow.bootId);
      if (outcome) this.finish(r, outcome.ok, outcome.message);
      else if ('target' in to && to.target.order === r.id && to.kind !== from.kind) this.progress(r, `reboot flow: ${to.kind}`);
    }
  }

  /** An order under way when the agent stopped: its effect is looked at, the action is not repeated. */
  private async settleInterrupted(r: RemediationRecord): Promise<void> {
    if (r.action !== 'restart-unit') {
      this.finish(r, false, `interrupted by an agent restart before it finished; not repeated`);
      return;
    }
    try {
      const unit = await this.deps.units().getUnit(r.unit);
      const active = unit.activeState === 'active';
      this.finish(r, active, `the agent restarted during the restart of ${r.unit} (not repeated); it is ${unit.activeState} (${unit.subState}) now`);
    } catch (err) {
      this.finish(r, false, `the agent restarted during the restart of ${r.unit} (not repeated); its state cannot be read: ${errorMessage(err)}`);
    }
  }

  private progress(r: RemediationRecord, message: string, extra: Partial<RemediationRecord> = {}): void {
    const current = this.deps.store.get(r.id) ?? r;
    this.deps.store.update({ ...current, ...extra, message, begun: true });
    this.deps.report();
  }

  private finish(r: RemediationRecord, ok: boolean, message: string): void {
    const current = this.deps.store.get(r.id) ?? r;
    if (current.state !== 'running') return;
    this.deps.store.update({ ...current, state: ok ? 'succeeded' : 'failed', message, finishedUnixMs: this.now() });
    this.actions.inc({ action: current.action, result: ok ? 'succeeded' : 'failed' });
    const fields = { id: r.id, action: current.action, unit: current.unit || undefined, condition: current.condition || undefined, result: message };
    if (ok) this.log.info('remediation order done', fields);
    else this.log.warn('remediation order failed', fields);
    this.deps.report();
  }
}
