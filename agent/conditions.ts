// Every problem condition the agent knows, from every area (problem monitors,
// unit health, the thin pool, pod networking), in one place: the reboot flow
// blocks and health-checks on it, the Report stream carries it. Every area
// emits the shared Condition (common/api/conditions.ts), so nothing is
// normalised here.
import { isProblem, type Condition } from '../common/api/conditions.js';

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
        // Only the shared fields: an area's own extras (a monitor's `source`) stay in the area.
        out.push(...source().map(({ type, status, reason, message, lastTransitionTime }) => ({ type, status, reason, message, lastTransitionTime })));
      } catch (err) {
        // A source that cannot say is a problem in itself (and blocks reboots).
        out.push({ type: 'ConditionSourceFailed', status: 'Unknown', reason: name, message: (err as Error).message, lastTransitionTime: 0 });
      }
    }
    return out;
  }

  active(): Condition[] {
    return this.all().filter(isProblem);
  }
}
