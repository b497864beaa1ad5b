import { UsageError } from '../../common/cli.js';
import { formatTable } from '../../common/table.js';
import type { BudgetHolder__Output } from '../../proto/generated/hostpilot/v1/BudgetHolder.js';
import type { ListPoolsReply__Output } from '../../proto/generated/hostpilot/v1/ListPoolsReply.js';
import { printJson, type CtlCommand } from '../context.js';
import { shortConfigHash } from '../../common/api/node-config.js';

/** "a1 (holds a reboot lock, since 2026-...)" */
export function formatBudgetHolder(h: BudgetHolder__Output): string {
  const since = Number(h.since_unix_ms);
  return `${h.node_id} (${h.why}${since ? `, since ${new Date(since).toISOString().replace(/\.\d{3}Z$/, 'Z')}` : ''})`;
}

export const poolsList: CtlCommand = {
  usage: 'pools list [--pool-label L]     per pool: nodes by state, versions, its config target and the configs its nodes run, the rollout moving it, its budget and who uses it, remediation held (paused, storm)',
  options: { 'pool-label': { type: 'string' } },
  async run(ctx, positionals, v) {
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const pool_label = (v['pool-label'] as string | undefined) ?? '';
    const reply = await ctx.client.call<ListPoolsReply__Output>((o, cb) => ctx.client.fleet.ListPools({ pool_label }, o, cb));
    if (ctx.output === 'json') {
      printJson(ctx, reply);
      return 0;
    }
    const rows = reply.pools.map((p) => [
      p.name,
      String(p.nodes),
      String(p.ready),
      String(p.updating),
      String(p.degraded),
      String(p.excluded),
      String(p.unreachable),
      Object.entries(p.versions)
        .sort()
        .map(([version, n]) => `${version}:${n}`)
        .join(',') || '-',
      shortConfigHash(p.config_target),
      Object.entries(p.configs)
        .sort()
        .map(([hash, n]) => `${hash === 'none' ? 'none' : shortConfigHash(hash)}:${n}`)
        .join(',') || '-',
      p.rollout || '-',
      p.rollout ? `${p.budget_used_by.length}/${p.budget}` : String(p.budget_used_by.length),
      p.budget_used_by.map(formatBudgetHolder).join('; ') || '-',
      [p.remediation_paused ? 'paused' : '', p.remediation_storm ? 'storm' : ''].filter(Boolean).join(',') || '-',
    ]);
    ctx.out(formatTable(['POOL', 'NODES', 'READY', 'UPDATING', 'DEGRADED', 'EXCLUDED', 'UNREACHABLE', 'VERSIONS', 'CONFIG', 'CONFIGS', 'ROLLOUT', 'BUDGET', 'USED BY', 'REMEDIATION'], rows));
    return 0;
  },
};
