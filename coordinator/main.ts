#!/usr/bin/env node
// hostpilot-coordinator: wiring only (coordinator/app.ts assembles it).
import { ProcessRunner } from '../common/exec/runner.js';
import { runMain } from '../common/cli.js';
import { createLogger } from '../common/log.js';
import { SdNotifier } from '../common/sd-notify.js';
import { versionLine } from '../common/version.js';
import { startCoordinator } from './app.js';
import { COORDINATOR_USAGE, parseCoordinatorArgs } from './config.js';

runMain('hostpilot-coordinator', async (argv) => {
  const config = parseCoordinatorArgs(argv);
  if (config === 'help' || config === 'version') {
    process.stdout.write(config === 'help' ? COORDINATOR_USAGE : versionLine('hostpilot-coordinator'));
    return 0;
  }
  const coordinator = await startCoordinator(config);
  // Under systemd (Type=notify): ready once serving, watchdog pings while the store answers.
  const notifier = new SdNotifier({ runner: new ProcessRunner(), logger: createLogger({ component: 'sd-notify', level: config.logLevel, ...(config.logFormat ? { format: config.logFormat } : {}) }) });
  await notifier.ready(`serving gRPC on port ${coordinator.grpcPort}, HTTP on port ${coordinator.httpPort}`);
  const watchdog = notifier.watchdog(() => coordinator.store.ready());
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  watchdog.stop();
  await notifier.stopping();
  await coordinator.close();
  return 0;
});
