// Builds the native programs with the system C compiler: no dependency beyond
// libc and the kernel headers. Warnings are errors.
//   native/hostpilot-cni.c        the thin CNI client the runtime executes
//   native/hostpilot-nethelper.c  the agent's long-lived helper (flock, pod-side netlink)
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const cc = process.env.CC || 'cc';
mkdirSync('dist/native', { recursive: true });
for (const name of ['hostpilot-cni', 'hostpilot-nethelper']) {
  try {
    execFileSync(cc, ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror', '-D_FORTIFY_SOURCE=2', '-o', `dist/native/${name}`, `native/${name}.c`], { stdio: 'inherit' });
  } catch (err) {
    console.error(`build-native: ${cc} failed to build native/${name}.c: ${err.message.split('\n')[0]} (install gcc: scripts/setup.sh)`);
    process.exit(1);
  }
}
