// hostpilot-agent k8s drain|uncordon: the drain step of the reboot flow, by hand — to try
// drain settings on a node, or to finish what an interrupted flow left behind.
import { hostname } from 'node:os';
import { Registry } from 'prom-client';
import { UsageError, boolFlag, parseFlags } from '../../common/cli.js';
import { createLogger, silentLogger } from '../../common/log.js';
import { K8S_FLAG_OPTIONS, K8S_USAGE, parseK8sFlags } from '../k8s/flags.js';
import type { AgentCommand } from './command.js';

const USAGE = `Usage: hostpilot-agent k8s drain|uncordon [options]

  drain      Check blocking pods, cordon, and evict the node's pods as before a reboot
             (PodDisruptionBudgets honoured). Exit 0 when drained, 3 when blocked or timed out.
  uncordon   Uncordon the node if hostpilot cordoned it (annotation hostpilot.io/cordoned-by-agent);
             a node cordoned by someone else is left as it is.

Options:
${K8S_USAGE.split('\n').slice(1).join('\n')}
  --verbose                    log each step (JSON lines on stderr)
  -h, --help                   this help
`;

export const command: AgentCommand = {
  summary: 'cordon/drain or uncordon this Kubernetes node by hand',
  async main(args, io) {
    const flags = parseFlags(args, { ...K8S_FLAG_OPTIONS, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, { positionals: true });
    if (boolFlag(flags, 'help')) {
      io.out(USAGE);
      return 0;
    }
    const [action, ...extra] = flags.positionals;
    if (action !== 'drain' && action !== 'uncordon') throw new UsageError(action === undefined ? 'k8s needs drain or uncordon' : `unknown k8s action ${JSON.stringify(action)}`);
    if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
    const config = parseK8sFlags(flags, hostname(), true)!;
    const logger = boolFlag(flags, 'verbose') ? createLogger({ component: 'hostpilot-agent', write: (l) => io.err(l) }) : silentLogger;
    const { createKubernetesIntegration } = await import('../k8s/integration.js');
    const { drainer, api } = createKubernetesIntegration(config, { registry: new Registry(), logger });
    const node = config.drain.nodeName;
    if (action === 'drain') {
      const r = await drainer.prepare();
      if (!r.ok) {
        io.err(`not drained: ${r.reason}`);
        return 3;
      }
      io.out(`drained node ${node}${r.cordonedByUs ? ' (cordoned by hostpilot; `hostpilot-agent k8s uncordon` undoes it)' : ' (it was already cordoned by someone else and stays cordoned)'}`);
      return 0;
    }
    const before = await api.getNode(node);
    await drainer.finish(false);
    const after = await api.getNode(node);
    if (before.spec?.unschedulable === true && after.spec?.unschedulable !== true) io.out(`uncordoned node ${node}`);
    else if (after.spec?.unschedulable === true) io.out(`node ${node} left cordoned: hostpilot did not cordon it`);
    else io.out(`node ${node} is not cordoned; nothing to do`);
    return 0;
  },
};
