import { UsageError } from '../../common/cli.js';
import { validateGroupName, validateNodeId } from '../../common/names.js';
import { ago, formatTable } from '../../common/table.js';
import type { ListLocksReply__Output } from '../../proto/generated/hostpilot/v1/ListLocksReply.js';
import type { LockReply__Output } from '../../proto/generated/hostpilot/v1/LockReply.js';
import { printJson, type CtlCommand, type CtlContext } from '../context.js';

export const locksList: CtlCommand = {
  usage: 'locks list [--group G]          who holds which reboot-lock slot, since when',
  flagsHelp: '  --group G                 only this group [every group]',
  options: { group: { type: 'string' } },
  async run(ctx, positionals, values) {
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const group = typeof values.group === 'string' ? validateGroupName(values.group, '--group') : '';
    const reply = await ctx.client.call<ListLocksReply__Output>((o, cb) => ctx.client.locks.List({ group }, o, cb));
    if (ctx.output === 'json') {
      printJson(ctx, reply);
      return 0;
    }
    const rows: string[][] = [];
    for (const g of reply.groups) {
      if (g.holders.length === 0) rows.push([g.name, `0/${g.slots}`, '-', '-', '-', '-']);
      for (const h of g.holders) {
        rows.push([
          g.name,
          `${g.holders.length}/${g.slots}`,
          h.node_id,
          h.via,
          `${new Date(Number(h.since_unix_ms)).toISOString()} (${ago(Number(h.since_unix_ms), ctx.now())})`,
          Number(h.expires_unix_ms) ? new Date(Number(h.expires_unix_ms)).toISOString() : 'never',
        ]);
      }
    }
    ctx.out(formatTable(['GROUP', 'HELD', 'NODE', 'VIA', 'SINCE', 'EXPIRES'], rows));
    return 0;
  },
};

export const locksRelease: CtlCommand = {
  usage: 'locks release NODE [--group G]  free the slots a node will not release itself',
  flagsHelp: '  --group G                 only this group [every group the node holds a slot in]',
  options: { group: { type: 'string' } },
  async run(ctx, positionals, values) {
    if (positionals.length !== 1) throw new UsageError('locks release takes exactly one NODE');
    const node_id = validateNodeId(positionals[0], 'NODE');
    const asked = typeof values.group === 'string' ? validateGroupName(values.group, '--group') : undefined;
    // Without --group: whatever the node holds, found in the lock table as it is now.
    const groups = asked !== undefined ? [asked] : await heldBy(ctx, node_id);
    const results: Array<{ group: string } & LockReply__Output> = [];
    for (const group of groups) {
      const reply = await ctx.client.call<LockReply__Output>((o, cb) => ctx.client.locks.ForceRelease({ node_id, group }, o, cb));
      results.push({ group, ...reply });
    }
    const released = results.filter((r) => r.reason === 'released');
    if (ctx.output === 'json') printJson(ctx, asked !== undefined ? results[0] : { node_id, released: released.map((r) => r.group), results });
    else if (results.length === 0) ctx.out(`nothing released: ${node_id} holds no reboot-lock slot\n`);
    else for (const r of results) ctx.out(`${r.reason === 'released' ? 'released' : 'nothing released, not held'}: ${node_id} in ${r.group}; holders now: ${r.holders.join(', ') || 'none'}\n`);
    // A release that freed nothing is not what the operator meant: say so in the exit code too.
    return released.length > 0 ? 0 : 1;
  },
};

async function heldBy(ctx: CtlContext, nodeId: string): Promise<string[]> {
  const reply = await ctx.client.call<ListLocksReply__Output>((o, cb) => ctx.client.locks.List({ group: '' }, o, cb));
  return reply.groups.filter((g) => g.holders.some((h) => h.node_id === nodeId)).map((g) => g.name);
}
