// Posts events to webhooks (--notify-url), one ordered queue per URL.
// The fleet never waits for a webhook: emit() only queues. A queue is bounded
// (the oldest event is dropped when it is full: the newest say most about the
// fleet now), every post has a timeout, and a failed post is retried with
// exponential backoff before the event is given up. All of it is counted in
// hostpilot_notifications_total{result}.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../common/log.js';
import { packageVersion } from '../../common/version.js';
import type { Notifier, NotifyEvent } from './event.js';

export interface WebhookOptions {
  urls: string[];
  registry: Registry;
  log: Logger;
  /** Per post. */
  timeoutMs?: number;
  /** Posts per event, the first included. */
  maxAttempts?: number;
  /** Wait before the first retry; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Events waiting per URL (the one being posted not included). */
  queueSize?: number;
}

export const WEBHOOK_DEFAULTS = { timeoutMs: 5_000, maxAttempts: 5, backoffMs: 1_000, maxBackoffMs: 60_000, queueSize: 256 } as const;

const MAX_EXTRA_CHANNELS = 32;

type Result = 'sent' | 'retried' | 'failed' | 'dropped';
const RESULTS: readonly Result[] = ['sent', 'retried', 'failed', 'dropped'];

export class WebhookNotifier implements Notifier {
  private readonly channels: Channel[];
  /** Channels to URLs named by resources (emitTo), made on first use. */
  private readonly extra = new Map<string, Channel>();
  private readonly make: (url: string, index: number | string) => Channel;
  private readonly total: Counter<'result'>;
  private readonly queued: Gauge;

  constructor(options: WebhookOptions) {
    const settings = { ...WEBHOOK_DEFAULTS, ...definedOnly(options) };
    this.total = new Counter({ name: 'hostpilot_notifications_total', help: 'Webhook notifications by result: sent, retried (a post failed and will be tried again), failed (given up), dropped (queue full).', labelNames: ['result'], registers: [options.registry] });
    for (const result of RESULTS) this.total.inc({ result }, 0);
    this.queued = new Gauge({ name: 'hostpilot_notifications_queued', help: 'Webhook notifications waiting to be posted, all URLs.', registers: [options.registry] });
    const count = (result: Result) => this.total.inc({ result });
    const depth = () => this.queued.set([...this.channels, ...this.extra.values()].reduce((n, c) => n + c.length, 0));
    this.make = (url, index) => new Channel(url, settings, options.log.child({ webhook: index }), count, depth);
    this.channels = options.urls.map((url, index) => this.make(url, index));
  }

  emit(event: NotifyEvent): void {
    for (const channel of this.channels) channel.push(event);
  }

  emitTo(url: string, event: NotifyEvent): void {
    let channel = this.extra.get(url);
    if (!channel) {
      // Bounded: resources name few URLs; past the bound the oldest channel makes room.
      if (this.extra.size >= MAX_EXTRA_CHANNELS) {
        const [oldest, old] = this.extra.entries().next().value as [string, Channel];
        this.extra.delete(oldest);
        void old.close();
      }
      this.extra.set(url, (channel = this.make(url, url)));
    }
    channel.push(event);
  }

  /** Stops posting: a post in flight is cancelled, events still queued are dropped (and logged). */
  async close(): Promise<void> {
    await Promise.all([...this.channels, ...this.extra.values()].map((c) => c.close()));
  }
}

class Channel {
  private readonly queue: NotifyEvent[] = [];
  private worker: Promise<void> | undefined;
  private readonly stop = new AbortController();

  constructor(
    private readonly url: string,
    private readonly settings: Required<Omit<WebhookOptions, 'urls' | 'registry' | 'log'>>,
    private readonly log: Logger,
    private readonly count: (result: Result) => void,
    private readonly depth: () => void,
  ) {}

  get length(): number {
    return this.queue.length;
  }

  push(event: NotifyEvent): void {
    if (this.stop.signal.aborted) return;
    if (this.queue.length >= this.settings.queueSize) {
      const dropped = this.queue.shift()!;
      this.count('dropped');
      this.log.warn('notification queue full: dropped the oldest event', { event: dropped.event, queueSize: this.settings.queueSize });
    }
    this.queue.push(event);
    this.depth();
    this.worker ??= this.drain().finally(() => (this.worker = undefined));
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.worker;
    if (this.queue.length) this.log.warn('notifications not sent at shutdown', { count: this.queue.length });
    this.queue.length = 0;
    this.depth();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stop.signal.aborted) {
      const event = this.queue.shift()!;
      this.depth();
      await this.deliver(event);
    }
  }

  private async deliver(event: NotifyEvent): Promise<void> {
    const body = JSON.stringify(event);
    let wait = this.settings.backoffMs;
    for (let attempt = 1; ; attempt++) {
      const error = await this.post(body);
      if (error === undefined) {
        this.count('sent');
        return;
      }
      if (this.stop.signal.aborted) return;
      if (attempt >= this.settings.maxAttempts) {
        this.count('failed');
        this.log.warn('notification not delivered', { event: event.event, attempts: attempt, error });
        return;
      }
      this.count('retried');
      this.log.debug('notification post failed; retrying', { event: event.event, attempt, error, retryInMs: wait });
      await sleep(wait, this.stop.signal);
      wait = Math.min(wait * 2, this.settings.maxBackoffMs);
    }
  }

  /** One POST; undefined on a 2xx, else why not. */
  private async post(body: string): Promise<string | undefined> {
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': `hostpilot-coordinator/${packageVersion()}` },
        body,
        redirect: 'error',
        signal: AbortSignal.any([this.stop.signal, AbortSignal.timeout(this.settings.timeoutMs)]),
      });
      await res.body?.cancel().catch(() => undefined);
      return res.ok ? undefined : `HTTP ${res.status}`;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      if (e.name === 'TimeoutError') return `no answer within ${this.settings.timeoutMs}ms`;
      return e.cause?.code ?? e.cause?.message ?? e.message;
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
