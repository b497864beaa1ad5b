// Where simulated nodes run: in this process (tests) or in forked worker
// processes (the benchmark, so thousands of streams do not share one event
// loop with the measuring parent). Both look the same to the runner.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SimFleet, type SimNodeSpec, type SimOptions, type SimProgress, type SimStats } from './fleet-sim.js';
import type { SimEvent } from './invariant.js';

export type ToWorker = { type: 'start'; nodes: SimNodeSpec[]; options: SimOptions; targetVersion: string } | { type: 'stop' };
export type ToParent =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'events'; events: SimEvent[] }
  | ({ type: 'progress' } & SimProgress)
  | { type: 'stats'; stats: SimStats };

export interface SimHost {
  /** Resolves once every node of this host has an accepted Report stream. */
  start(): Promise<void>;
  /** Events since the last call. */
  drain(): SimEvent[];
  progress(): SimProgress;
  stop(): Promise<SimStats>;
  /** The worker's pid, or undefined in-process. */
  readonly pid: number | undefined;
}

export class InProcessHost implements SimHost {
  private readonly fleet: SimFleet;
  private events: SimEvent[] = [];
  readonly pid = undefined;

  constructor(
    nodes: SimNodeSpec[],
    options: SimOptions,
    private readonly targetVersion: string,
  ) {
    this.fleet = new SimFleet(nodes, options, (e) => this.events.push(e));
  }

  start(): Promise<void> {
    return this.fleet.start();
  }

  drain(): SimEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  progress(): SimProgress {
    return this.fleet.progress(this.targetVersion);
  }

  async stop(): Promise<SimStats> {
    return this.fleet.stop();
  }
}

export class WorkerHost implements SimHost {
  private readonly child: ChildProcess;
  private events: SimEvent[] = [];
  private last: SimProgress = { onVersion: 0, busy: 0, reportsSent: 0, directivesReceived: 0 };
  private readonly ready: Promise<void>;
  private readonly exited: Promise<void>;
  private stats: SimStats | undefined;

  constructor(nodes: SimNodeSpec[], options: SimOptions, targetVersion: string) {
    const script = fileURLToPath(new URL('./worker.js', import.meta.url));
    this.child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (msg: ToParent) => {
        switch (msg.type) {
          case 'ready':
            resolve();
            break;
          case 'failed':
            reject(new Error(`simulator worker ${this.child.pid}: ${msg.message}`));
            break;
          case 'events':
            for (const e of msg.events) this.events.push(e);
            break;
          case 'progress':
            this.last = { onVersion: msg.onVersion, busy: msg.busy, reportsSent: msg.reportsSent, directivesReceived: msg.directivesReceived };
            break;
          case 'stats':
            this.stats = msg.stats;
            break;
        }
      });
      this.child.once('exit', (code) => reject(new Error(`simulator worker ${this.child.pid} exited (${code}) before its nodes were up`)));
    });
    this.child.send({ type: 'start', nodes, options, targetVersion } satisfies ToWorker);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  start(): Promise<void> {
    return this.ready;
  }

  drain(): SimEvent[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  progress(): SimProgress {
    return this.last;
  }

  async stop(): Promise<SimStats> {
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ToWorker);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
    if (!this.stats) throw new Error(`simulator worker ${this.child.pid} exited without its figures`);
    return this.stats;
  }
}
