import { UsageError } from '../../common/cli.js';
import { validateNodeId } from '../../common/names.js';
import { ago, formatTable } from '../../common/table.js';
import type { ListNodesReply__Output } from '../../proto/generated/hostpilot/v1/ListNodesReply.js';
import type { NodeRecord__Output } from '../../proto/generated/hostpilot/v1/NodeRecord.js';
import type { RemoveNodeReply__Output } from '../../proto/generated/hostpilot/v1/RemoveNodeReply.js';
import { printJson, type CtlCommand } from '../context.js';
import { listAllNodes } from '../../common/api/list-nodes.js';
import { shortConfigHash } from '../../common/api/node-config.js';

/** A node's state as an operator should read it: an excluded node says so everywhere. */
export function nodeState(n: NodeRecord__Output): string {
  return n.excluded ? `${n.state},excluded` : n.state;
}

export const nodesList: CtlCommand = {
  usage: 'nodes list                      every node: labels, version and applied config, desired target and its rollout, state (-o wide: desired config, flow target, error)',
  options: {},
  async run(ctx, positionals) {
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    // Page by page (a reply is bounded), shown as one list.
    const nodes = await listAllNodes((req) => ctx.client.call<ListNodesReply__Output>((o, cb) => ctx.client.fleet.ListNodes(req, o, cb)));
    if (ctx.output === 'json') {
      printJson(ctx, { nodes });
      return 0;
    }
    const wide = ctx.format === 'wide';
    const rows = nodes.map((n) => {
      const booted = n.deployments.find((d) => d.booted);
      return [
        n.node_id,
        Object.entries(n.labels)
          .sort()
          .map(([k, v]) => `${k}=${v}`)
          .join(',') || '-',
        booted ? booted.version || booted.checksum.slice(0, 12) : '-',
        // The rendered NodeConfig the node reports applied (short hash), next to its OS version.
        shortConfigHash(n.config_hash),
        n.desired?.target || '-',
        n.desired?.rollout_id || '-',
        nodeState(n),
        n.flow_state || '-',
        ago(Number(n.last_seen_unix_ms), ctx.now()),
        // -o wide: what the node's flow is moving to, and its last error (or why it is excluded).
        ...(wide ? [shortConfigHash(n.desired_config_hash), n.flow_target || '-', n.flow_error || (n.excluded ? `excluded: ${n.excluded_reason}` : '-')] : []),
      ];
    });
    ctx.out(formatTable(['NODE', 'LABELS', 'VERSION', 'CONFIG', 'DESIRED', 'ROLLOUT', 'STATE', 'FLOW', 'LAST SEEN', ...(wide ? ['DESIRED CONFIG', 'FLOW TARGET', 'ERROR'] : [])], rows));
    return 0;
  },
};

function oneNode(positionals: string[], verb: string): string {
  if (positionals.length !== 1) throw new UsageError(`nodes ${verb} takes exactly one NODE`);
  return validateNodeId(positionals[0]!, 'NODE');
}

function printNode(ctx: Parameters<CtlCommand['run']>[0], n: NodeRecord__Output, said: string): void {
  if (ctx.output === 'json') printJson(ctx, n);
  else ctx.out(`node ${n.node_id}: ${said} (state ${nodeState(n)})\n`);
}

export const nodesReset: CtlCommand = {
  usage: 'nodes reset NODE                after a repair: clear its failed state and any target left by a failed or ended rollout',
  options: {},
  async run(ctx, positionals) {
    const node_id = oneNode(positionals, 'reset');
    const n = await ctx.client.call<NodeRecord__Output>((o, cb) => ctx.client.fleet.ResetNode({ node_id }, o, cb));
    printNode(ctx, n, n.connected ? 'reset; its agent leaves its failed state now' : 'reset; its agent is told when it connects');
    return 0;
  },
};

export const nodesRemove: CtlCommand = {
  usage: 'nodes remove NODE [--force]     forget a node (refused while it is connected unless --force)',
  options: { force: { type: 'boolean' } },
  async run(ctx, positionals, v) {
    const node_id = oneNode(positionals, 'remove');
    const r = await ctx.client.call<RemoveNodeReply__Output>((o, cb) => ctx.client.fleet.RemoveNode({ node_id, force: v.force === true }, o, cb));
    if (ctx.output === 'json') printJson(ctx, { node_id, ...r });
    else ctx.out(`node ${node_id}: removed${r.was_connected ? ' (it was connected: its agent registers again if it keeps running)' : ''}\n`);
    return 0;
  },
};

export const nodesExclude: CtlCommand = {
  usage: 'nodes exclude NODE --reason TEXT   hold a node out of rollouts (and of the budget unless it is down)',
  options: { reason: { type: 'string' } },
  async run(ctx, positionals, v) {
    const node_id = oneNode(positionals, 'exclude');
    if (typeof v.reason !== 'string' || v.reason.trim() === '') throw new UsageError('nodes exclude needs --reason TEXT (why the node is held out)');
    const n = await ctx.client.call<NodeRecord__Output>((o, cb) => ctx.client.fleet.ExcludeNode({ node_id, reason: v.reason as string }, o, cb));
    printNode(ctx, n, `excluded: ${n.excluded_reason}`);
    return 0;
  },
};

export const nodesInclude: CtlCommand = {
  usage: 'nodes include NODE              take an excluded node back into rollouts',
  options: {},
  async run(ctx, positionals) {
    const node_id = oneNode(positionals, 'include');
    const n = await ctx.client.call<NodeRecord__Output>((o, cb) => ctx.client.fleet.IncludeNode({ node_id }, o, cb));
    printNode(ctx, n, 'included');
    return 0;
  },
};
