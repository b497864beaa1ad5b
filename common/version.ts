// The version every program prints for --version: package.json's, found by
// walking up from this file (dist/common/ when built, common/ under vitest).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hostpilot' && typeof pkg.version === 'string') return (cached = pkg.version);
    }
    const up = dirname(dir);
    if (up === dir) return (cached = 'unknown');
    dir = up;
  }
}

/** `PROGRAM VERSION`, the line --version prints. */
export function versionLine(program: string): string {
  return `${program} ${packageVersion()}\n`;
}
