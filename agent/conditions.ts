// Every problem condition the agent knows, from every area (problem monitors,
// unit health, the thin pool, pod networking), in one place: the reboot flow
// blocks and health-checks on it, the Report stream carries it.

export interface Condition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
  /** Unix ms; 0 when unknown. */
  transitionTime: number;
}

/** What areas hand in: some keep node-problem-detector's string statuses and ISO times. */
export interface AreaCondition {
  type: string;
  status: boolean | 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  transitionTime?: number | Date | string;
}

export type ConditionSource = () => readonly AreaCondition[];

function normalise(c: AreaCondition): Condition {
  // "Unknown" counts as a problem: a check that cannot tell must not let a reboot through.
  const status = typeof c.status === 'boolean' ? c.status : c.status !== 'False';
  const t = c.transitionTime;
  return { type: c.type, status, reason: c.reason, message: c.message, transitionTime: typeof t === 'string' ? Date.parse(t) || 0 : t instanceof Date ? t.getTime() : (t ?? 0) };
}

export class ConditionHub {
  private readonly sources = new Map<string, ConditionSource>();

  add(name: string, source: ConditionSource): void {
    this.sources.set(name, source);
  }

  all(): Condition[] {
    const out: Condition[] = [];
    for (const [name, source] of this.sources) {
      try {
        out.push(...source().map(normalise));
      } catch (err) {
        // A source that cannot say is a problem in itself (and blocks reboots).
        out.push({ type: 'ConditionSourceFailed', status: true, reason: name, message: (err as Error).message, transitionTime: 0 });
      }
    }
    return out;
  }

  active(): Condition[] {
    return this.all().filter((c) => c.status);
  }
}
