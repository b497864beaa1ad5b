// Builds the thin CNI client (native/hostpilot-cni.c) with the system C
// compiler: no dependency beyond libc. Warnings are errors.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const cc = process.env.CC || 'cc';
mkdirSync('dist/native', { recursive: true });
try {
  execFileSync(cc, ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror', '-D_FORTIFY_SOURCE=2', '-o', 'dist/native/hostpilot-cni', 'native/hostpilot-cni.c'], { stdio: 'inherit' });
} catch (err) {
  console.error(`build-native: ${cc} failed to build native/hostpilot-cni.c: ${err.message.split('\n')[0]} (install gcc: scripts/setup.sh)`);
  process.exit(1);
}
