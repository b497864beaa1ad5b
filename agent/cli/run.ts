import type { AgentCommand } from './command.js';
import { RUN_USAGE, parseAgentArgs } from '../config.js';
import { startAgent } from '../daemon.js';

export const command: AgentCommand = {
  summary: 'run the node agent (the daemon)',
  async main(args, io) {
    const config = parseAgentArgs(args);
    if (!config) {
      io.out(RUN_USAGE);
      return 0;
    }
    const agent = await startAgent(config);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    await agent.close();
    return 0;
  },
};
