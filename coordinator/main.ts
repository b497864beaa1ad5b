#!/usr/bin/env node
// hostpilot-coordinator: wiring only (coordinator/app.ts assembles it).
import { ProcessRunner } from '../common/exec/runner.js';
import { runMain } from '../common/cli.js';
import { createLogger } from '../common/log.js';
import { SdNotifier } from '../common/sd-notify.js';
import { versionLine } from '../common/version.js';
import { startCoordinator } from './app.js';
import { layerConfig } from '../common/config-files.js';
import { COORDINATOR_OPTIONS, COORDINATOR_USAGE, parseCoordinatorArgs } from './config.js';

runMain('hostpilot-coordinator', async (argv) => {
  const layered = layerConfig('coordinator', argv, COORDINATOR_OPTIONS);
  let config;
  try {
    config = parseCoordinatorArgs(layered.argv);
  } catch (err) {
    throw layered.explain(err);
  }
  if (config === 'help' || config === 'version') {
    process.stdout.write(config === 'help' ? COORDINATOR_USAGE : versionLine('hostpilot-coordinator'));
    return 0;
  }
  if (layered.printConfig) {
    process.stdout.write(layered.render());
    return 0;
  }
  const coordinator = await startCoordinator(config);
  // Under systemd (Type=notify): ready once serving, watchdog pings while the store answers reads
  // (a full disk makes /readyz say not ready, but restarting would not help).
  const notifier = new SdNotifier({ runner: new ProcessRunner(), logger: createLogger({ component: 'sd-notify', level: config.logLevel, ...(config.logFormat ? { format: config.logFormat } : {}) }) });
  await notifier.ready(`serving gRPC on port ${coordinator.grpcPort}, HTTP on port ${coordinator.httpPort}`);
  const watchdog = notifier.watchdog(() => coordinator.store.answers());
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
