#!/usr/bin/env node
// hostpilot-coordinator: wiring only (coordinator/app.ts assembles it).
import { runMain } from '../common/cli.js';
import { startCoordinator } from './app.js';
import { COORDINATOR_USAGE, parseCoordinatorArgs } from './config.js';

runMain('hostpilot-coordinator', async (argv) => {
  const config = parseCoordinatorArgs(argv);
  if (!config) {
    process.stdout.write(COORDINATOR_USAGE);
    return 0;
  }
  const coordinator = await startCoordinator(config);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await coordinator.close();
  return 0;
});
