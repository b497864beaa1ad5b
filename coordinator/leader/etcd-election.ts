// Leader election on etcd (etcd3's Election: each candidate writes a key
// bound to its own lease; the oldest key leads; a leader whose lease expires
// loses its key and the next candidate takes over).
//
// etcd3 itself reports a lost lease only after 2 x TTL without renewal, by
// which time etcd has already expired the key and another replica may lead.
// So this class keeps its own watchdog: a leader that has not renewed its
// lease for 2/3 of the TTL stops acting at once (onChange(false)), before etcd
// can expire the lease and elect someone else, then campaigns again.
//
// The watchdog narrows the window but cannot close it (a write may be on the
// wire when the lease runs out), so a leader also fences its writes: `fence()`
// is its leader key and that key's create revision, read when elected, which
// the store compares in each leader write transaction (store/etcd.ts).
import { Lease, type Campaign, type Election, type Etcd3 } from 'etcd3';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { DEFAULT_ETCD_PREFIX, createEtcdClient, type EtcdTlsFiles, type Fence } from '../store/etcd.js';
import { LeaderState, type LeaderElection, type LeaderListener } from './election.js';

export interface EtcdElectionOptions {
  endpoints: readonly string[];
  tls?: EtcdTlsFiles;
  /** The store's key prefix; the election lives under PREFIX + "election/" + name. */
  prefix?: string;
  /** What is being led; default "rollout". */
  name?: string;
  /** This replica's identity (unique per process). */
  id: string;
  /** Lease TTL in whole seconds (etcd's unit), at least 2. */
  leaseTtlSeconds: number;
  log: Logger;
  /** Pause before campaigning again after a lost campaign. */
  retryDelayMs?: number;
}

/** The fraction of the TTL without renewal after which a leader steps down. */
const STEP_DOWN_FRACTION = 2 / 3;

export class EtcdLeaderElection implements LeaderElection {
  readonly id: string;
  private readonly client: Etcd3;
  private readonly election: Election;
  private readonly state = new LeaderState();
  private readonly ttlMs: number;
  private readonly retryDelayMs: number;
  private readonly log: Logger;
  private readonly prefix: string;
  private current: Campaign | undefined;
  private term: Fence | undefined;
  private lastRenewal = 0;
  private running = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly watchdog: NodeJS.Timeout;

  constructor(options: EtcdElectionOptions) {
    if (!Number.isInteger(options.leaseTtlSeconds) || options.leaseTtlSeconds < 2) {
      throw new Error(`leader lease TTL must be a whole number of seconds >= 2, got ${options.leaseTtlSeconds}`);
    }
    this.id = options.id;
    this.ttlMs = options.leaseTtlSeconds * 1000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.log = options.log.child({ election: options.name ?? 'rollout', replica: options.id });
    this.client = createEtcdClient({ endpoints: options.endpoints, ...(options.tls ? { tls: options.tls } : {}), callTimeoutMs: Math.min(2000, this.ttlMs / 3) });
    this.prefix = options.prefix ?? DEFAULT_ETCD_PREFIX;
    this.election = this.client.namespace(this.prefix).election(options.name ?? 'rollout', options.leaseTtlSeconds);
    this.watchdog = setInterval(() => this.check(), Math.max(100, this.ttlMs / 10));
  }

  get isLeader(): boolean {
    return this.state.isLeader;
  }

  /** The current term's fence (undefined unless leading): the store compares it in leader writes. */
  fence(): Fence | undefined {
    return this.state.isLeader ? this.term : undefined;
  }

  async campaign(): Promise<void> {
    if (this.closed) throw new Error('leader election closed');
    if (this.running) return;
    this.running = true;
    this.start();
  }

  onChange(listener: LeaderListener): () => void {
    return this.state.subscribe(listener);
  }

  async leader(): Promise<string | undefined> {
    try {
      return await this.election.leader();
    } catch {
      return undefined;
    }
  }

  async resign(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    await this.drop('resigned');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.resign();
    this.closed = true;
    clearInterval(this.watchdog);
    this.client.close();
  }

  private start(): void {
    if (!this.running || this.closed) return;
    const campaign = this.election.campaign(this.id);
    this.current = campaign;
    // etcd3 1.1.2 keeps the campaign's lease private; its keepalive events are the only renewal signal.
    const lease = (campaign as unknown as { lease?: unknown }).lease;
    if (!(lease instanceof Lease)) throw new Error('etcd3 Campaign has no lease: unsupported etcd3 version');
    const renewed = () => {
      if (this.current === campaign) this.lastRenewal = Date.now();
    };
    lease.grant().then(renewed, () => undefined);
    lease.on('keepaliveSucceeded', renewed);
    campaign.on('elected', () => {
      if (this.current !== campaign) return;
      if (!this.fresh()) {
        void this.lose('elected with a lease that was not renewed recently');
        return;
      }
      // Leading starts only once the term is known: no leader write goes unfenced.
      this.readTerm(campaign).then(
        (term) => {
          if (this.current !== campaign) return;
          this.term = term;
          this.log.info('elected leader', { leaderKey: term.key, revision: term.revision });
          this.state.set(true);
        },
        (err: unknown) => {
          if (this.current === campaign) void this.lose(`cannot read the leader key: ${errorMessage(err)}`);
        },
      );
    });
    campaign.on('error', (err: Error) => {
      if (this.current !== campaign) return;
      void this.lose(`campaign failed: ${errorMessage(err)}`);
    });
  }

  private async readTerm(campaign: Campaign): Promise<Fence> {
    const full = await campaign.getCampaignKey();
    const res = await this.client.get(full).exec();
    const revision = res.kvs[0]?.create_revision;
    if (!revision || !full.startsWith(this.prefix)) throw new Error(`leader key ${full} is gone`);
    return { key: full.slice(this.prefix.length), revision };
  }

  private fresh(): boolean {
    return Date.now() - this.lastRenewal < this.ttlMs * STEP_DOWN_FRACTION;
  }

  private check(): void {
    if (this.state.isLeader && !this.fresh()) {
      void this.lose(`lease not renewed for ${Date.now() - this.lastRenewal} ms (TTL ${this.ttlMs} ms)`);
    }
  }

  /** Leadership (or the chance of it) is gone: stop acting now, campaign again later. */
  private async lose(reason: string): Promise<void> {
    this.log.warn('leadership lost', { reason, wasLeader: this.state.isLeader });
    await this.drop(reason);
    if (this.running && !this.closed) {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.start(), this.retryDelayMs);
    }
  }

  private async drop(reason: string): Promise<void> {
    const campaign = this.current;
    this.current = undefined;
    this.term = undefined;
    this.lastRenewal = 0;
    if (this.state.isLeader) this.log.info('stepping down', { reason });
    this.state.set(false);
    if (!campaign) return;
    try {
      // Revoking the lease deletes our key, so the next candidate need not wait for the TTL.
      await campaign.resign();
    } catch (err) {
      this.log.debug('resign failed (the lease will expire on its own)', { error: errorMessage(err) });
    }
  }
}

EtcdLeaderElection satisfies new (options: EtcdElectionOptions) => LeaderElection;
