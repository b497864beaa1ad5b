import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CommandError, ProcessRunner } from '../../common/exec/runner.js';

const runner = new ProcessRunner();

// Gone, or a zombie waiting for a reaper (PID 1 here may not reap promptly).
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

describe('ProcessRunner', () => {
  it('runs argv without a shell and returns stdout', async () => {
    const result = await runner.run({ argv: ['echo', '$HOME; rm -rf /'] });
    expect(result.stdout).toBe('$HOME; rm -rf /\n');
    expect(result.exitCode).toBe(0);
  });

  it('passes stdin and extra environment', async () => {
    const result = await runner.run({ argv: ['sh', '-c', 'cat; printf "%s" "$X"'], input: 'in-', env: { X: 'env' } });
    expect(result.stdout).toBe('in-env');
  });

  it('raises a typed error with exit code and stderr', async () => {
    const err = await runner.run({ argv: ['sh', '-c', 'echo oops >&2; exit 3'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    expect(err).toMatchObject({ failure: 'exit', exitCode: 3, stderr: 'oops\n', argv: ['sh', '-c', 'echo oops >&2; exit 3'] });
    expect((err as Error).message).toContain('exit code 3: oops');
  });

  it('accepts extra ok exit codes', async () => {
    const result = await runner.run({ argv: ['sh', '-c', 'exit 1'], okExitCodes: [0, 1] });
    expect(result.exitCode).toBe(1);
  });

  it('reports a missing binary as a spawn failure', async () => {
    const err = await runner.run({ argv: ['/nonexistent/hostpilot-nope'] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ failure: 'spawn', kind: 'unavailable' });
  });

  it('kills the whole process group on timeout', async () => {
    // The child starts a grandchild that would outlive a plain kill of the leader.
    const err = await runner
      .run({ argv: ['sh', '-c', 'sleep 30 & echo $! ; wait'], timeoutMs: 300 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ failure: 'timeout' });
    const grandchild = Number((err as CommandError).stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(isRunning(grandchild)).toBe(false);
  });

  it('caps output and says so', async () => {
    const result = await runner.run({ argv: ['sh', '-c', 'head -c 100000 /dev/zero'], maxOutputBytes: 1000 });
    expect(result.stdout.length).toBe(1000);
    expect(result.truncated).toBe(true);
  });

  it('refuses an empty argv and NUL bytes before running anything', async () => {
    await expect(runner.run({ argv: [] })).rejects.toThrow(/empty argv/);
    await expect(runner.run({ argv: ['echo', 'a\0b'] })).rejects.toThrow(/NUL/);
  });
});
