// An in-memory node for reboot-controller tests: deployments that behave like
// ostree's (deploy puts a new default first, rollback makes the other one the
// default again, a reboot boots the default), a lock that counts, a rebooter.
// The real OSTree backend is tested against real sysroots elsewhere.
import { Registry } from 'prom-client';
import { NotFoundError } from '../../common/errors.js';
import { silentLogger } from '../../common/log.js';
import { RebootController, type RebootControllerDeps } from '../../agent/reboot/controller.js';
import { FlowStore } from '../../agent/reboot/flow-store.js';
import { agentPaths } from '../../agent/paths.js';
import type { FlowOs, LockReply, RebootLock, Rebooter } from '../../agent/reboot/ports.js';

interface Commit {
  checksum: string;
  version: string;
}

export class SimOs implements FlowOs {
  /** Deployments in boot order: index 0 is the default. */
  deployments: Commit[];
  booted: string;
  remote: Commit[] = [];
  local: Commit[];
  bootId = 1;
  /** When set, a reboot boots this checksum instead of the default (a failed boot falling back). */
  bootOverride: string | undefined;

  constructor(initial: Commit) {
    this.deployments = [initial];
    this.booted = initial.checksum;
    this.local = [initial];
  }

  async status() {
    return {
      deployments: this.deployments.map((d, index) => ({ ...d, origin: 'os:testos/stable', booted: d.checksum === this.booted, staged: false, index })),
    };
  }

  async deploy(target: string) {
    const commit = this.local.find((c) => c.version === target || c.checksum.startsWith(target));
    if (!commit) throw new NotFoundError(`no commit matches ${target}`);
    if (this.deployments[0]!.checksum === commit.checksum) return;
    const bootedOne = this.deployments.find((d) => d.checksum === this.booted)!;
    this.deployments = [commit, bootedOne];
  }

  async upgrade() {
    this.local.push(...this.remote.filter((r) => !this.local.some((l) => l.checksum === r.checksum)));
  }

  async rollback() {
    if (this.deployments.length < 2) throw new Error('no rollback deployment');
    this.deployments = [this.deployments[1]!, this.deployments[0]!];
  }

  reboot(): void {
    this.booted = this.bootOverride ?? this.deployments[0]!.checksum;
    this.bootId++;
  }

  version(): string {
    return this.local.find((c) => c.checksum === this.booted)!.version;
  }
}

export class SimLock implements RebootLock {
  holders = new Set<string>();
  acquires = 0;
  releases = 0;
  unreachable = false;
  readonly events: string[];
  constructor(
    private readonly nodeId: string,
    private readonly slots: number,
    events: string[],
  ) {
    this.events = events;
  }
  async acquire(): Promise<LockReply> {
    if (this.unreachable) throw new Error('coordinator unreachable');
    this.acquires++;
    if (this.holders.has(this.nodeId) || this.holders.size < this.slots) this.holders.add(this.nodeId);
    const granted = this.holders.has(this.nodeId);
    this.events.push(granted ? 'lock' : 'lock-busy');
    return { granted, holders: [...this.holders] };
  }
  async release(): Promise<void> {
    if (this.unreachable) throw new Error('coordinator unreachable');
    this.releases++;
    if (this.holders.delete(this.nodeId)) this.events.push('unlock');
  }
}

/** Reboots the sim node only while it holds the lock, like the production rebooter. */
export class SimRebooter implements Rebooter {
  reboots = 0;
  constructor(
    private readonly os: SimOs,
    private readonly lock: SimLock,
    private readonly nodeId: string,
    private readonly events: string[],
  ) {}
  async reboot(): Promise<void> {
    if (!this.lock.holders.has(this.nodeId)) throw new Error('refusing to reboot without the lock');
    this.reboots++;
    this.events.push('reboot');
    this.os.reboot();
  }
}

export function makeController(stateDir: string, os: FlowOs & { bootId?: number }, lock: SimLock, rebooter: Rebooter, over: Partial<RebootControllerDeps> = {}): RebootController {
  return new RebootController({
    os,
    lock,
    rebooter,
    blockers: [],
    health: [],
    preReboot: async () => undefined,
    postReboot: async () => undefined,
    store: new FlowStore(agentPaths(stateDir).flowState),
    bootId: () => `boot-${os.bootId ?? 0}`,
    rebootRequired: () => false,
    windows: [],
    healthTimeoutMs: 0,
    retryDelayMs: 60_000,
    report: async () => undefined,
    now: Date.now,
    log: silentLogger,
    registry: new Registry(),
    ...over,
  });
}
