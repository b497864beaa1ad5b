// Every problem condition the agent knows, from every area (problem monitors,
// unit health, the thin pool, pod networking), in one place: the reboot flow
// blocks and health-checks on it, the Report stream carries it.

export interface Condition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
  /** Unix ms, or a Date from areas that keep one. */
  transitionTime?: number | Date;
}

export type ConditionSource = () => readonly Condition[];

export class ConditionHub {
  private readonly sources = new Map<string, ConditionSource>();

  add(name: string, source: ConditionSource): void {
    this.sources.set(name, source);
  }

  all(): Condition[] {
    const out: Condition[] = [];
    for (const [name, source] of this.sources) {
      try {
        out.push(...source());
      } catch (err) {
        // A source that cannot say is a problem in itself (and blocks reboots).
        out.push({ type: 'ConditionSourceFailed', status: true, reason: name, message: (err as Error).message });
      }
    }
    return out;
  }

  active(): Condition[] {
    return this.all().filter((c) => c.status);
  }
}

export function transitionMs(c: Condition): number {
  const t = c.transitionTime;
  return t instanceof Date ? t.getTime() : (t ?? 0);
}
