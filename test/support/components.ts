// Real components in tests (docs/architecture.md, rule 7): a suite that needs a tool runs
// against the real thing. Where it is missing, the suite skips locally with a
// message naming what to install, and fails under CI=true.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

const EXTRA_PATH = ['/usr/sbin', '/sbin', '/usr/local/sbin', '/usr/lib/cni'];

export function findCommand(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...EXTRA_PATH];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A component is a command name, or "root" for tests that need root. */
export function missingComponents(components: readonly string[]): string[] {
  return components.filter((c) => (c === 'root' ? process.getuid?.() !== 0 : !findCommand(c)));
}

export const inCI = process.env.CI === 'true';

/**
 * `describe` for a suite that needs real components. Missing under CI: one
 * failing test that says what is missing. Missing locally: skipped, with the
 * reason printed.
 */
export function describeWith(components: readonly string[], name: string, body: () => void): void {
  const missing = missingComponents(components);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const reason = `missing real component(s): ${missing.join(', ')} (bash scripts/setup.sh installs them)`;
  if (inCI) {
    describe(name, () => {
      it('has its real components', () => {
        throw new Error(reason);
      });
    });
  } else {
    process.stderr.write(`[skip] ${name}: ${reason}\n`);
    describe.skip(name, body);
  }
}
