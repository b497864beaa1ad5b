import { UsageError } from '../../common/cli.js';
import { ago, formatTable } from '../../common/table.js';
import type { ListNodesReply__Output } from '../../proto/generated/hostpilot/v1/ListNodesReply.js';
import { printJson, type CtlCommand } from '../context.js';

export const nodesList: CtlCommand = {
  usage: 'nodes list                      every node: labels, version, state, last seen',
  options: {},
  async run(ctx, positionals) {
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const reply = await ctx.client.call<ListNodesReply__Output>((o, cb) => ctx.client.fleet.ListNodes({}, o, cb));
    if (ctx.output === 'json') {
      printJson(ctx, reply);
      return 0;
    }
    const wide = ctx.format === 'wide';
    const rows = reply.nodes.map((n) => {
      const booted = n.deployments.find((d) => d.booted);
      return [
        n.node_id,
        Object.entries(n.labels)
          .sort()
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || '-',
        booted ? booted.version || booted.checksum.slice(0, 12) : '-',
        n.state,
        n.flow_state || '-',
        ago(Number(n.last_seen_unix_ms), ctx.now()),
        // -o wide: what the node's flow is moving to, and its last error.
        ...(wide ? [n.flow_target || '-', n.flow_error || '-'] : []),
      ];
    });
    ctx.out(formatTable(['NODE', 'LABELS', 'VERSION', 'STATE', 'FLOW', 'LAST SEEN', ...(wide ? ['FLOW TARGET', 'ERROR'] : [])], rows));
    return 0;
  },
};
