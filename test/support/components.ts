// Real components in tests (docs/architecture.md, rule 7): a suite that needs a tool runs
// against the real thing. Where it is missing, the suite fails with one test naming what
// to install (bash scripts/setup.sh), under CI=true and locally alike: a skipped suite
// reads as a pass.
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

/**
 * `describe` for a suite that needs real components. Missing: one failing test
 * that says what is missing, instead of the suite.
 */
export function describeWith(components: readonly string[], name: string, body: () => void): void {
  const missing = missingComponents(components);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const reason = `missing real component(s): ${missing.join(', ')} (bash scripts/setup.sh installs them)`;
  describe(name, () => {
    it('has its real components', () => {
      throw new Error(reason);
    });
  });
}
