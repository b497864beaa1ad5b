import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Two cores here; integration suites start real processes (coordinators, systemd, qemu).
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // No timed assertions in tests: timeouts only bound a hang.
    teardownTimeout: 30_000,
  },
});
