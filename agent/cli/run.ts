import type { AgentCommand } from './command.js';
import { RUN_USAGE, parseAgentArgs } from '../config.js';
import { startAgent } from '../daemon.js';
import { ProcessRunner } from '../../common/exec/runner.js';
import { createLogger } from '../../common/log.js';
import { SdNotifier } from '../../common/sd-notify.js';

export const command: AgentCommand = {
  summary: 'run the node agent (the daemon)',
  async main(args, io) {
    const config = parseAgentArgs(args);
    if (!config) {
      io.out(RUN_USAGE);
      return 0;
    }
    const agent = await startAgent(config);
    // Under systemd (Type=notify): ready once serving, watchdog pings while the event loop runs.
    const notifier = new SdNotifier({ runner: new ProcessRunner(), logger: createLogger({ component: 'sd-notify', level: config.logLevel, ...(config.logFormat ? { format: config.logFormat } : {}) }) });
    await notifier.ready(`serving metrics on port ${agent.metricsPort}`);
    const watchdog = notifier.watchdog(() => true);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    watchdog.stop();
    await notifier.stopping();
    await agent.close();
    return 0;
  },
};
