import { UsageError } from '../../common/cli.js';
import { validateGroupName, validateNodeId } from '../../common/names.js';
import { ago, formatTable } from '../../common/table.js';
import type { ListLocksReply__Output } from '../../proto/generated/hostpilot/v1/ListLocksReply.js';
import type { LockReply__Output } from '../../proto/generated/hostpilot/v1/LockReply.js';
import { printJson, type CtlCommand } from '../context.js';

export const locksList: CtlCommand = {
  usage: 'locks list [--group G]          who holds which reboot-lock slot, since when',
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
  usage: 'locks release NODE --group G    free a slot a node will not release itself',
  options: { group: { type: 'string' } },
  async run(ctx, positionals, values) {
    if (positionals.length !== 1) throw new UsageError('locks release takes exactly one NODE');
    if (typeof values.group !== 'string') throw new UsageError('locks release needs --group');
    const node_id = validateNodeId(positionals[0], 'NODE');
    const group = validateGroupName(values.group, '--group');
    const reply = await ctx.client.call<LockReply__Output>((o, cb) => ctx.client.locks.ForceRelease({ node_id, group }, o, cb));
    if (ctx.output === 'json') printJson(ctx, reply);
    else ctx.out(`${reply.reason === 'released' ? 'released' : 'not held'}: ${node_id} in ${group}; holders now: ${reply.holders.join(', ') || 'none'}\n`);
    return 0;
  },
};
