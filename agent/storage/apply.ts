// Runs a plan through the injected runner: observe → plan → run until a step
// that reshapes the VG or pool → observe again, until the plan is empty.
// Each step is safe on its own, so a failure leaves a state the next apply
// completes; a second apply plans nothing and runs nothing.
import { FailedPreconditionError, HostpilotError, errorMessage } from '../../common/errors.js';
import type { CommandRunner } from '../../common/exec/runner.js';
import type { StorageConfig } from './config.js';
import type { StorageFiles } from './files.js';
import { LVM_ENV, LVM_TIMEOUT_MS, observeStorage } from './observe.js';
import { planStorage, type Plan, type PlanStep } from './planner.js';

export interface AppliedStep {
  step: PlanStep;
  output: string;
  durationMs: number;
}

export interface ApplyResult {
  applied: AppliedStep[];
  /** Notes of the last (empty) plan. */
  notes: string[];
}

export class StorageApplyError extends HostpilotError {
  constructor(
    readonly step: PlanStep,
    readonly applied: AppliedStep[],
    cause: unknown,
  ) {
    super(
      cause instanceof HostpilotError ? cause.kind : 'internal',
      `storage apply: ${describeStep(step)} failed after ${applied.length} step(s): ${errorMessage(cause)} (run storage plan to see what is left)`,
      { cause },
    );
  }
}

export function describeStep(step: PlanStep): string {
  return step.kind === 'command' ? step.argv.join(' ') : `write ${step.path}`;
}

const MAX_ROUNDS = 8;

export async function applyStorage(runner: CommandRunner, files: StorageFiles, config: StorageConfig, onStep?: (s: AppliedStep) => void): Promise<ApplyResult> {
  const applied: AppliedStep[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const plan: Plan = planStorage(config, await observeStorage(runner, files, config));
    if (plan.steps.length === 0) return { applied, notes: plan.notes };
    for (const step of plan.steps) {
      let output = '';
      const started = performance.now();
      try {
        if (step.kind === 'command') {
          const res = await runner.run({ argv: step.argv, env: LVM_ENV, timeoutMs: LVM_TIMEOUT_MS });
          output = (res.stdout + res.stderr).trim();
        } else {
          files.write(step.path, step.content);
        }
      } catch (err) {
        throw new StorageApplyError(step, applied, err);
      }
      const done = { step, output, durationMs: Math.round(performance.now() - started) };
      applied.push(done);
      onStep?.(done);
      if (step.kind === 'command' && step.replanAfter) break;
    }
  }
  throw new FailedPreconditionError(`storage apply: the plan did not converge after ${MAX_ROUNDS} rounds (${applied.length} steps run); run storage plan to see what keeps changing`);
}
