// One disruption budget per pool, several spenders (the rollout controller,
// the remediation controller): each decides who may go down from what it
// reads, so two deciding at once could each take the last place. The gate
// runs their decide-and-record passes one at a time, and lets a spender tell
// the others which nodes it has taken down (remediation's reboots count in a
// rollout's budget as "updating" nodes count in a remediation's).
export interface TakenDown {
  /** For a person: "remediation: reboot (KernelDeadlock)". */
  why: string;
  since: number;
}

export class DisruptionGate {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly spenders = new Map<string, () => ReadonlyMap<string, TakenDown>>();

  /** Runs `fn` after every pass queued before it. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** A spender other than rollouts names the nodes it holds down now. */
  register(name: string, takenDown: () => ReadonlyMap<string, TakenDown>): void {
    this.spenders.set(name, takenDown);
  }

  /** Every node a registered spender holds down. */
  takenDown(): Map<string, TakenDown> {
    const out = new Map<string, TakenDown>();
    for (const list of this.spenders.values()) for (const [id, t] of list()) out.set(id, t);
    return out;
  }
}
