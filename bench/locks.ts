// bench:locks — reboot-lock throughput and latency on etcd with 1, 2 and 3
// coordinator replicas, against the floor: a bare etcd transaction loop doing
// the same compare-and-swap on the same key with the same concurrency.
//
//   npm run bench:locks [-- --replicas 1,2,3 --seconds 5 --clients 24 --in-process --etcd http://127.0.0.1:2379]
//
// Each replica is a LockService over its own EtcdStore (its own etcd client),
// in its own Node process (default) or all in this one (--in-process).
// `clients` simulated nodes, spread round-robin over the replicas, loop
// acquire → release on one group with as many slots as nodes, so every call
// is a write. The floor runs the same number of loops spread over the same
// number of raw etcd3 clients, each doing read → txn(compare mod revision,
// put) → on conflict retry with the value the txn's else branch returned.
// Figures as key=value on the last line.
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Etcd3, type ComparatorBuilder, type IKeyValue, type ITxnResponse } from 'etcd3';
import { Registry } from 'prom-client';
import { parseFlags, runMain, stringFlag, boolFlag, UsageError } from '../common/cli.js';
import { silentLogger } from '../common/log.js';
import { LockService } from '../coordinator/locks/lock-service.js';
import { EtcdStore } from '../coordinator/store/etcd.js';
import { startEtcd, type EtcdServer } from './etcd-process.js';

type Kind = 'locks' | 'floor';

interface ShareJob {
  kind: Kind;
  endpoint: string;
  prefix: string;
  /** Index of this replica and how many there are (node names and slots derive from these). */
  replica: number;
  replicas: number;
  clients: number;
  seconds: number;
}

/** Called once connected; resolves with the window [startAt, stopAt) in Unix ms, the same for every replica. */
type Ready = () => Promise<{ startAt: number; stopAt: number }>;

interface ShareResult {
  ops: number;
  /** Latencies in ms of every op completed in the window. */
  latencies: number[];
  conflicts: number;
  errors: number;
  /** A few distinct error messages, to say what failed. */
  errorSamples: string[];
}

function noteError(result: ShareResult, err: unknown): void {
  result.errors++;
  const message = err instanceof Error ? err.message : String(err);
  if (result.errorSamples.length < 3 && !result.errorSamples.includes(message)) result.errorSamples.push(message);
}

const PAD = 'x'.repeat(1500);

async function runShare(job: ShareJob, ready: Ready): Promise<ShareResult> {
  return job.kind === 'locks' ? runLocks(job, ready) : runFloor(job, ready);
}

async function waitUntil(at: number): Promise<void> {
  const ms = at - Date.now();
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}

async function runLocks(job: ShareJob, ready: Ready): Promise<ShareResult> {
  const store = new EtcdStore({ endpoints: [job.endpoint], prefix: job.prefix });
  const locks = new LockService(store, { groups: new Map([['bench', job.clients]]), allowNewGroups: false, newGroupSlots: 1 }, new Registry(), silentLogger);
  const result: ShareResult = { ops: 0, latencies: [], conflicts: 0, errors: 0, errorSamples: [] };
  const mine = nodesOf(job);
  await store.get('locks/bench'); // connect before the clock starts
  const { startAt, stopAt } = await ready();
  await waitUntil(startAt);
  const timed = async (fn: () => Promise<unknown>) => {
    const t0 = performance.now();
    try {
      await fn();
      if (Date.now() < stopAt) {
        result.ops++;
        result.latencies.push(performance.now() - t0);
      }
    } catch (err) {
      noteError(result, err);
    }
  };
  await Promise.all(
    mine.map(async (node) => {
      while (Date.now() < stopAt) {
        await timed(() => locks.acquire(node, 'bench', 'grpc'));
        await timed(() => locks.release(node, 'bench', 'grpc'));
      }
    }),
  );
  result.conflicts = store.stats.conflicts;
  await store.close();
  return result;
}

async function runFloor(job: ShareJob, ready: Ready): Promise<ShareResult> {
  const client = new Etcd3({ hosts: job.endpoint });
  const ns = client.namespace(job.prefix);
  const result: ShareResult = { ops: 0, latencies: [], conflicts: 0, errors: 0, errorSamples: [] };
  const key = 'floor';
  await ns.get(key).exec();
  const { startAt, stopAt } = await ready();
  await waitUntil(startAt);
  await Promise.all(
    nodesOf(job).map(async () => {
      let seen: { rev: string; n: number } | undefined;
      while (Date.now() < stopAt) {
        const t0 = performance.now();
        try {
          if (!seen) {
            const kv = (await ns.get(key).exec()).kvs[0];
            seen = kv ? { rev: kv.mod_revision, n: (JSON.parse(kv.value.toString()) as { n: number }).n } : { rev: '0', n: 0 };
          }
          for (;;) {
            const next: string = JSON.stringify({ n: seen.n + 1, pad: PAD });
            const cmp: ComparatorBuilder = seen.rev === '0' ? ns.if(key, 'Create', '==', 0) : ns.if(key, 'Mod', '==', seen.rev);
            const res: ITxnResponse = await cmp.then(ns.put(key).value(next)).else(ns.get(key)).commit();
            if (res.succeeded) {
              seen = { rev: res.header.revision, n: seen.n + 1 };
              break;
            }
            result.conflicts++;
            const kv: IKeyValue | undefined = res.responses[0]?.response_range?.kvs[0];
            seen = kv ? { rev: kv.mod_revision, n: (JSON.parse(kv.value.toString()) as { n: number }).n } : { rev: '0', n: 0 };
          }
          if (Date.now() < stopAt) {
            result.ops++;
            result.latencies.push(performance.now() - t0);
          }
        } catch (err) {
          noteError(result, err);
          seen = undefined;
        }
      }
    }),
  );
  client.close();
  return result;
}

/** The simulated nodes this replica serves: every replicas-th of them. */
function nodesOf(job: ShareJob): string[] {
  const out: string[] = [];
  for (let i = job.replica; i < job.clients; i += job.replicas) out.push(`node-${i}`);
  return out;
}

type WorkerMessage = { ready: true } | { result: ShareResult };

function inChild(job: ShareJob, ready: Ready): Promise<ShareResult> {
  return new Promise((resolve, reject) => {
    const child = fork(process.argv[1]!, ['--worker', JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: ShareResult | undefined;
    child.on('message', (msg: WorkerMessage) => {
      if ('ready' in msg) void ready().then((window) => child.send(window));
      else result = msg.result;
    });
    child.on('error', reject);
    child.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`bench worker exited ${code}`))));
  });
}

/** A barrier: the window starts shortly after the last of `count` replicas is connected. */
function barrier(count: number, seconds: number): Ready {
  let waiting = 0;
  let open: (window: { startAt: number; stopAt: number }) => void;
  const window = new Promise<{ startAt: number; stopAt: number }>((resolve) => (open = resolve));
  return () => {
    if (++waiting === count) {
      const startAt = Date.now() + 200;
      open({ startAt, stopAt: startAt + seconds * 1000 });
    }
    return window;
  };
}

interface Figures {
  errorSamples: string[];
  opsPerSec: number;
  p50: number;
  p99: number;
  conflicts: number;
  errors: number;
}

async function scenario(kind: Kind, endpoint: string, replicas: number, opts: { clients: number; seconds: number; inProcess: boolean; run: number }): Promise<Figures> {
  const base = { kind, endpoint, prefix: `/bench-${process.pid}-${opts.run}/`, replicas, clients: opts.clients, seconds: opts.seconds };
  const jobs = Array.from({ length: replicas }, (_, replica): ShareJob => ({ ...base, replica }));
  const ready = barrier(replicas, opts.seconds);
  const results = await Promise.all(jobs.map((job) => (opts.inProcess ? runShare(job, ready) : inChild(job, ready))));
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const ops = results.reduce((sum, r) => sum + r.ops, 0);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return {
    opsPerSec: ops / opts.seconds,
    p50: pct(0.5),
    p99: pct(0.99),
    conflicts: results.reduce((sum, r) => sum + r.conflicts, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    errorSamples: [...new Set(results.flatMap((r) => r.errorSamples))],
  };
}

const USAGE = `usage: bench:locks [--replicas 1,2,3] [--seconds N] [--clients N] [--in-process] [--etcd http://HOST:PORT]
Lock acquire/release throughput and p99 with 1, 2, 3 replicas on one etcd, against a bare etcd CAS loop.`;

async function main(argv: string[]): Promise<void> {
  const worker = argv.indexOf('--worker');
  if (worker >= 0) {
    const job = JSON.parse(argv[worker + 1]!) as ShareJob;
    const result = await runShare(job, () => {
      const window = new Promise<{ startAt: number; stopAt: number }>((resolve) => process.once('message', (msg) => resolve(msg as { startAt: number; stopAt: number })));
      process.send!({ ready: true } satisfies WorkerMessage);
      return window;
    });
    await new Promise<void>((resolve) => process.send!({ result } satisfies WorkerMessage, () => resolve()));
    process.disconnect();
    return;
  }
  const flags = parseFlags(argv, { replicas: { type: 'string' }, seconds: { type: 'string' }, clients: { type: 'string' }, 'in-process': { type: 'boolean' }, etcd: { type: 'string' }, help: { type: 'boolean' } });
  if (boolFlag(flags, 'help')) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const seconds = Number(stringFlag(flags, 'seconds') ?? '5');
  const clients = Number(stringFlag(flags, 'clients') ?? '24');
  if (!Number.isInteger(seconds) || seconds < 1) throw new UsageError('--seconds: a whole number >= 1');
  if (!Number.isInteger(clients) || clients < 3) throw new UsageError('--clients: a whole number >= 3');
  const inProcess = boolFlag(flags, 'in-process');
  const counts = (stringFlag(flags, 'replicas') ?? '1,2,3').split(',').map(Number);
  if (counts.some((c) => !Number.isInteger(c) || c < 1 || c > 8)) throw new UsageError('--replicas: a list of replica counts 1-8, e.g. 1,2,3');

  let etcd: EtcdServer | undefined;
  const given = stringFlag(flags, 'etcd');
  const stop = () => etcd?.destroy();
  process.once('SIGINT', () => void Promise.resolve(stop()).finally(() => process.exit(130)));
  try {
    if (!given) etcd = await startEtcd();
    const endpoint = given ?? etcd!.endpoint;
    process.stdout.write(`etcd ${endpoint}, ${clients} clients, ${seconds} s per run, replicas in ${inProcess ? 'this process' : 'separate processes'}\n`);
    const pairs: string[] = [];
    let run = 0;
    for (const replicas of counts) {
      const locks = await scenario('locks', endpoint, replicas, { clients, seconds, inProcess, run: run++ });
      // The floor: one CAS loop per replica's client (a key admits one successful CAS per revision;
      // more loops only add conflicts). The naive run: one loop per simulated node.
      const floor = await scenario('floor', endpoint, replicas, { clients: replicas, seconds, inProcess, run: run++ });
      const naive = await scenario('floor', endpoint, replicas, { clients, seconds, inProcess, run: run++ });
      const ratio = locks.opsPerSec / floor.opsPerSec;
      process.stdout.write(
        `replicas=${replicas}  locks ${locks.opsPerSec.toFixed(0)} ops/s p50 ${locks.p50.toFixed(1)} ms p99 ${locks.p99.toFixed(1)} ms (conflicts ${locks.conflicts}, errors ${locks.errors})` +
          `  floor ${floor.opsPerSec.toFixed(0)} ops/s p50 ${floor.p50.toFixed(1)} ms p99 ${floor.p99.toFixed(1)} ms (conflicts ${floor.conflicts}, errors ${floor.errors})  ratio ${ratio.toFixed(2)}` +
          `  naive ${naive.opsPerSec.toFixed(0)} ops/s p99 ${naive.p99.toFixed(1)} ms (conflicts ${naive.conflicts})\n`,
      );
      for (const message of [...locks.errorSamples, ...floor.errorSamples, ...naive.errorSamples]) process.stdout.write(`  error: ${message}\n`);
      const r = `r${replicas}`;
      pairs.push(
        `${r}_locks_ops_per_s=${locks.opsPerSec.toFixed(0)}`,
        `${r}_locks_p99_ms=${locks.p99.toFixed(1)}`,
        `${r}_floor_ops_per_s=${floor.opsPerSec.toFixed(0)}`,
        `${r}_floor_p99_ms=${floor.p99.toFixed(1)}`,
        `${r}_ratio=${ratio.toFixed(2)}`,
        `${r}_p99_ratio=${(locks.p99 / floor.p99).toFixed(2)}`,
        `${r}_naive_ops_per_s=${naive.opsPerSec.toFixed(0)}`,
        `${r}_errors=${locks.errors + floor.errors + naive.errors}`,
      );
    }
    process.stdout.write(pairs.join(' ') + '\n');
  } finally {
    await stop();
  }
}

runMain('bench:locks', main);
