// Routed mode on the agent: keeps BIRD running with the config rendered for
// this node, reloads it only when the text changes, reads the sessions into
// the PodNetworkRouting condition and metrics, and withdraws the pod block
// before a drain-and-reboot (so traffic leaves the node before it goes down),
// announcing it again once the node is steady.
//
// PodNetworkRouting follows the shared Condition (common/api/conditions.ts):
// "True" is a problem (BIRD unreachable, a session down), "False" is routing
// as intended, including a deliberate withdraw before a reboot.
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../../common/fs.js';
import { Gauge, type Registry } from 'prom-client';
import { withTransition, type Condition } from '../../common/api/conditions.js';
import { errorMessage } from '../../common/errors.js';
import type { CommandRunner } from '../../common/exec/runner.js';
import { silentLogger, type Logger } from '../../common/log.js';
import { Birdc, birdPaths, type BirdProtocol } from './birdc.js';
import { OSPF_PROTOCOL, peerProtocol, renderBirdConfig, validatePassword } from './bird-config.js';
import type { RoutedSettings } from './routing-config.js';

export interface RoutingCondition extends Condition {
  type: 'PodNetworkRouting';
  reason: 'NotYetChecked' | 'Announced' | 'Withdrawn' | 'SessionDown' | 'BirdUnreachable';
}

export interface PodNetworkRoutingOptions {
  runner: CommandRunner;
  registry: Registry;
  settings: RoutedSettings;
  /** Present while the routes are withdrawn for a reboot: survives the reboot, so the node announces only once steady. */
  withdrawnMarker: string;
  /**
   * Asked on every tick while withdrawn: false announces again. The agent
   * answers from the reboot flow, so a flow that ended without the
   * post-reboot step (failed, or the agent restarted) never leaves the node
   * withdrawn for good.
   */
  keepWithdrawn?: () => boolean;
  logger?: Logger;
}

const POLL_MS = 200;

/** Session state per peer name ("ospf" for the OSPF area): up, and routes exported. */
export interface SessionState {
  peer: string;
  protocol: string;
  up: boolean;
  exported: number;
  info: string;
}

export function sessionsOf(settings: RoutedSettings, protocols: readonly BirdProtocol[]): SessionState[] {
  const byName = new Map(protocols.map((p) => [p.name, p]));
  const wanted = [...settings.bgp.map((p) => ({ peer: p.name, protocol: peerProtocol(p.name) })), ...(settings.ospf ? [{ peer: 'ospf', protocol: OSPF_PROTOCOL }] : [])];
  return wanted.map(({ peer, protocol }) => {
    const p = byName.get(protocol);
    // OSPF is "Running" with at least one neighbour, "Alone" with none.
    const up = p !== undefined && p.state === 'up' && (p.proto === 'BGP' ? p.info.startsWith('Established') : p.info.startsWith('Running'));
    return { peer, protocol, up, exported: p?.exported ?? 0, info: p ? `${p.state} ${p.info}`.trim() : 'not configured in BIRD' };
  });
}

export function routingCondition(settings: RoutedSettings, announce: boolean, sessions: readonly SessionState[] | Error): Omit<RoutingCondition, 'lastTransitionTime'> {
  if (sessions instanceof Error) return { type: 'PodNetworkRouting', status: 'True', reason: 'BirdUnreachable', message: `BIRD does not answer: ${sessions.message}` };
  const down = sessions.filter((s) => !s.up);
  if (down.length > 0) return { type: 'PodNetworkRouting', status: 'True', reason: 'SessionDown', message: down.map((s) => `${s.peer}: ${s.info}`).join('; ') };
  if (!announce) return { type: 'PodNetworkRouting', status: 'False', reason: 'Withdrawn', message: `${settings.podBlock.text} withdrawn for a reboot` };
  return { type: 'PodNetworkRouting', status: 'False', reason: 'Announced', message: `${settings.podBlock.text} announced to ${sessions.map((s) => s.peer).join(', ')}` };
}

export class PodNetworkRouting {
  private readonly birdc: Birdc;
  private readonly logger: Logger;
  private readonly sessionUp: Gauge<'peer'>;
  private readonly exported: Gauge<'peer'>;
  private announce: boolean;
  private current: RoutingCondition = { type: 'PodNetworkRouting', status: 'Unknown', reason: 'NotYetChecked', message: 'BIRD not checked yet', lastTransitionTime: 0 };
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PodNetworkRoutingOptions) {
    this.birdc = new Birdc(options.runner, birdPaths(options.settings.birdDir));
    this.logger = options.logger ?? silentLogger;
    this.announce = !existsSync(options.withdrawnMarker);
    this.sessionUp = new Gauge({ name: 'hostpilot_bgp_session_up', help: 'BGP session to the peer (and the OSPF area as peer "ospf") is established: 1, else 0', labelNames: ['peer'], registers: [options.registry] });
    this.exported = new Gauge({ name: 'hostpilot_net_routes_exported', help: 'Routes BIRD exports to the peer (the pod block, and /32s when configured)', labelNames: ['peer'], registers: [options.registry] });
    for (const peer of [...options.settings.bgp.map((p) => p.name), ...(options.settings.ospf ? ['ospf'] : [])]) {
      this.sessionUp.set({ peer }, 0);
      this.exported.set({ peer }, 0);
    }
  }

  condition(): RoutingCondition {
    return { ...this.current };
  }

  get announcing(): boolean {
    return this.announce;
  }

  /** One step at a time: a withdraw never interleaves with a periodic converge. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async render(): Promise<string> {
    const passwords = new Map<string, string>();
    for (const [i, peer] of this.options.settings.bgp.entries()) {
      if (peer.passwordFile) passwords.set(peer.name, validatePassword(await readFile(peer.passwordFile, 'utf8'), `podNetwork.bgp[${i}].passwordFile`));
    }
    return renderBirdConfig(this.options.settings, { announce: this.announce, passwords });
  }

  /** Writes bird.conf when the text changed (checked by `bird -p` first), starts BIRD or reloads it. True when something changed. */
  converge(): Promise<boolean> {
    return this.serial(() => this.convergeNow());
  }

  private async convergeNow(): Promise<boolean> {
    const { config } = this.birdc.paths;
    const text = await this.render();
    const changed = text !== (await readFile(config, 'utf8').catch(() => undefined));
    if (changed) await this.writeChecked(config, text);
    const running = await this.birdc.protocols().then(
      () => true,
      () => false,
    );
    if (!running) {
      await this.birdc.start();
      this.logger.info('bird started', { config });
      return true;
    }
    if (changed) {
      await this.birdc.configure();
      this.logger.info('bird reconfigured', { config, announce: this.announce });
    }
    return changed;
  }

  private async writeChecked(path: string, text: string): Promise<void> {
    // Checked under its own name first, so a config BIRD would refuse never replaces a good one.
    const candidate = `${path}.new`;
    // 0600: it may hold BGP passwords.
    await writeFileAtomic(candidate, text, { mode: 0o600, dirMode: 0o700 });
    try {
      await new Birdc(this.options.runner, { ...this.birdc.paths, config: candidate }).check();
    } finally {
      await rm(candidate, { force: true });
    }
    await writeFileAtomic(path, text, { mode: 0o600, dirMode: 0o700 });
  }

  /** Reads the sessions into the condition and metrics. */
  async refresh(): Promise<RoutingCondition> {
    let sessions: SessionState[] | Error;
    try {
      sessions = sessionsOf(this.options.settings, await this.birdc.protocols());
    } catch (err) {
      sessions = err instanceof Error ? err : new Error(String(err));
    }
    for (const s of sessions instanceof Error ? [] : sessions) {
      this.sessionUp.set({ peer: s.peer }, s.up ? 1 : 0);
      this.exported.set({ peer: s.peer }, s.exported);
    }
    if (sessions instanceof Error) for (const s of sessionsOf(this.options.settings, [])) this.sessionUp.set({ peer: s.peer }, 0);
    this.current = withTransition(routingCondition(this.options.settings, this.announce, sessions), this.current, Date.now());
    return this.condition();
  }

  /**
   * Before a drain-and-reboot: export nothing, then wait (bounded) until BIRD
   * exports no route on any session. BIRD not answering means nothing is
   * announced either.
   */
  withdraw(timeoutMs = 30_000): Promise<void> {
    return this.serial(async () => {
      await writeFileAtomic(this.options.withdrawnMarker, `${new Date().toISOString()}\n`);
      this.announce = false;
      await this.convergeNow();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const protocols = await this.birdc.protocols().catch(() => undefined);
        const left = protocols ? sessionsOf(this.options.settings, protocols).filter((s) => s.exported > 0) : [];
        if (left.length === 0) break;
        if (Date.now() > deadline) throw new Error(`pod routes still exported to ${left.map((s) => s.peer).join(', ')} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      await this.refresh();
      this.logger.info('pod routes withdrawn', { block: this.options.settings.podBlock.text });
    });
  }

  /** After steady state: announce the pod block again. */
  announceAgain(): Promise<void> {
    return this.serial(async () => {
      this.announce = true;
      await this.convergeNow();
      await rm(this.options.withdrawnMarker, { force: true });
      await this.refresh();
      this.logger.info('pod routes announced', { block: this.options.settings.podBlock.text });
    });
  }

  /** Converges and refreshes now, then every intervalMs until stop(). BIRD keeps running after stop (graceful restart). */
  start(intervalMs: number): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      if (!this.announce && this.options.keepWithdrawn && !this.options.keepWithdrawn()) {
        await this.announceAgain().catch((err: unknown) => this.logger.warn('announcing pod routes failed', { err: errorMessage(err) }));
      }
      await this.converge().catch((err: unknown) => this.logger.warn('bird converge failed', { err: errorMessage(err) }));
      await this.refresh();
      if (!this.stopped) this.timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.queue;
  }
}
