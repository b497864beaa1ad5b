// Reboot blockers: active problem conditions, and executables in
// /etc/hostpilot/blockers.d (exit 0: not blocking). Errors block.
import { isProblem, type Condition } from '../../common/api/conditions.js';
import type { CommandRunner } from '../../common/exec/runner.js';
import { runDirs } from './exec-dir.js';
import type { RebootBlocker } from './ports.js';

export class ConditionsBlocker implements RebootBlocker {
  readonly name = 'problem-conditions';
  constructor(
    private readonly active: () => readonly Condition[],
    /** Condition types that do not block now: the one a remediation reboot is to repair. */
    private readonly excused: () => readonly string[] = () => [],
  ) {}
  async isBlocked(): Promise<string | null> {
    const excused = this.excused();
    const active = this.active().filter((c) => isProblem(c) && !excused.includes(c.type));
    return active.length ? `active problem ${active.map((c) => `${c.type}/${c.reason}`).join(', ')}` : null;
  }
}

export class ExecutableDirBlocker implements RebootBlocker {
  readonly name: string;
  constructor(
    private readonly runner: CommandRunner,
    private readonly dir: string,
    private readonly timeoutMs: number,
  ) {
    this.name = `blockers in ${dir}`;
  }
  async isBlocked(): Promise<string | null> {
    const failed = (await runDirs(this.runner, [this.dir], this.timeoutMs, false)).filter((r) => !r.ok);
    return failed.length ? failed.map((r) => `${r.path} (${r.message})`).join(', ') : null;
  }
}

/** Every blocker's answer; a blocker that throws blocks, naming the error. */
export async function blockingReasons(blockers: readonly RebootBlocker[]): Promise<string[]> {
  const reasons: string[] = [];
  for (const b of blockers) {
    try {
      const reason = await b.isBlocked();
      if (reason) reasons.push(reason);
    } catch (err) {
      reasons.push(`${b.name} failed: ${(err as Error).message}`);
    }
  }
  return reasons;
}
