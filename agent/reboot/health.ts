// Post-boot health checks: no active problem condition, and the executables
// of /etc/hostpilot/health.d plus the image's own /usr/lib/hostpilot/health.d
// (an OS image can ship the checks that prove it works, as greenboot does).
import { basename, dirname } from 'node:path';
import type { CommandRunner } from '../../common/exec/runner.js';
import { isProblem, type Condition } from '../../common/api/conditions.js';
import { runDirs } from './exec-dir.js';
import type { HealthCheck } from './ports.js';

export class ConditionsHealth implements HealthCheck {
  readonly name = 'problem-conditions';
  constructor(
    private readonly active: () => readonly Condition[],
    /** Condition types left to the coordinator's judgement: the one a remediation reboot was to repair. */
    private readonly excused: () => readonly string[] = () => [],
  ) {}
  async problems(): Promise<string[]> {
    const excused = this.excused();
    return this.active()
      .filter((c) => isProblem(c) && !excused.includes(c.type))
      .map((c) => `${c.type}: ${c.reason}${c.message ? ` (${c.message})` : ''}`);
  }
}

export class ExecutableHealth implements HealthCheck {
  readonly name = 'health.d';
  constructor(
    private readonly runner: CommandRunner,
    /** Resolved at each check: the booted image's directory moves with the deployment. */
    private readonly dirs: () => Promise<string[]>,
    private readonly timeoutMs: number,
  ) {}
  async problems(): Promise<string[]> {
    const results = await runDirs(this.runner, await this.dirs(), this.timeoutMs, false);
    // The directory's last part and the check's name say enough (the full path of an image's checks is long).
    return results.filter((r) => !r.ok).map((r) => `${basename(dirname(r.path))}/${basename(r.path)}: ${r.message}`);
  }
}

/** Every check's problems; a check that throws is a problem. */
export async function healthProblems(checks: readonly HealthCheck[]): Promise<string[]> {
  const problems: string[] = [];
  for (const check of checks) {
    try {
      problems.push(...(await check.problems()));
    } catch (err) {
      problems.push(`${check.name} failed: ${(err as Error).message}`);
    }
  }
  return problems;
}
