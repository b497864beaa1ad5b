import { UsageError } from '../../common/cli.js';
import { parseRolloutSpec } from '../../common/api/rollout-spec.js';
import { parseDuration } from '../../common/duration.js';
import { formatTable } from '../../common/table.js';
import type { ListNodesReply__Output } from '../../proto/generated/hostpilot/v1/ListNodesReply.js';
import type { ListRolloutsReply__Output } from '../../proto/generated/hostpilot/v1/ListRolloutsReply.js';
import type { RolloutSpec } from '../../proto/generated/hostpilot/v1/RolloutSpec.js';
import type { RolloutStatus__Output } from '../../proto/generated/hostpilot/v1/RolloutStatus.js';
import type { RolloutPlan__Output } from '../../proto/generated/hostpilot/v1/RolloutPlan.js';
import type { RolloutNodeCounts__Output } from '../../proto/generated/hostpilot/v1/RolloutNodeCounts.js';
import { printJson, type CtlCommand, type CtlContext } from '../context.js';
import { listAllNodes } from '../../common/api/list-nodes.js';
import { formatBudgetHolder } from './pools.js';

function oneId(positionals: string[], verb: string): string {
  if (positionals.length !== 1) throw new UsageError(`rollout ${verb} takes exactly one ROLLOUT id`);
  return positionals[0]!;
}

function bar(done: number, failed: number, updating: number, total: number, width = 24): string {
  if (total === 0) return '[' + ' '.repeat(width) + ']';
  const cells = (n: number) => Math.round((n / total) * width);
  const d = cells(done);
  const f = Math.min(width - d, cells(failed));
  const u = Math.min(width - d - f, cells(updating));
  return `[${'#'.repeat(d)}${'!'.repeat(f)}${'>'.repeat(u)}${'.'.repeat(width - d - f - u)}]`;
}

function counts(r: RolloutStatus__Output, ids: string[]) {
  const phase = new Map(r.nodes.map((n) => [n.node_id, n.phase]));
  const c = (p: string) => ids.filter((id) => phase.get(id) === p).length;
  return { total: ids.length, done: c('done'), failed: c('failed'), updating: c('updating') + c('reverting') };
}

/** Progress from per-phase counts (the coordinator's summary). */
function fromCounts(c: RolloutNodeCounts__Output | null, total: number) {
  return { total, done: c?.done ?? 0, failed: c?.failed ?? 0, updating: (c?.updating ?? 0) + (c?.reverting ?? 0) };
}

/** Whether the answer holds every node of the rollout (not one page of a larger one). */
function whole(r: RolloutStatus__Output): boolean {
  return r.next_node_page_token === '' && r.nodes.length === r.total_nodes;
}

/**
 * The human view of one rollout: header, a bar per bucket (and per pool when every node is
 * known), the message, the budgets, and the nodes not done or with an error among those given.
 */
export function renderRollout(r: RolloutStatus__Output, pools: Map<string, string>): string {
  const s = r.spec!;
  const lines = [
    `rollout ${s.id}: ${r.phase}${r.reason ? ` (${r.reason})` : ''}`,
    `  target ${s.target}  strategy ${s.strategy}  maxUnavailable ${s.max_unavailable} per ${s.pool_label}  lock group ${s.lock_group}`,
  ];
  const all = fromCounts(r.node_counts, r.total_nodes);
  lines.push(`  total   ${bar(all.done, all.failed, all.updating, all.total)} ${all.done}/${all.total} done, ${all.updating} updating, ${all.failed} failed`);
  const from = r.bucket_summaries_from;
  if (from > 0) lines.push(`  (${from} earlier bucket(s) not shown)`);
  r.bucket_summaries.forEach((b, i) => {
    const c = fromCounts(b.counts, b.total);
    const marker = from + i === r.bucket && (r.phase === 'running' || r.phase === 'paused') ? '>' : ' ';
    lines.push(` ${marker}bucket ${b.name.padEnd(16)} ${bar(c.done, c.failed, c.updating, c.total)} ${c.done}/${c.total}`);
  });
  const after = r.bucket_count - from - r.bucket_summaries.length;
  if (after > 0) lines.push(`  (${after} later bucket(s) not shown)`);
  if (whole(r)) {
    const byPool = new Map<string, string[]>();
    for (const n of r.nodes) {
      const pool = pools.get(n.node_id) ?? '(no pool)';
      byPool.set(pool, [...(byPool.get(pool) ?? []), n.node_id]);
    }
    for (const [pool, ids] of [...byPool].sort()) {
      const c = counts(r, ids);
      lines.push(`  pool   ${pool.padEnd(16)} ${bar(c.done, c.failed, c.updating, c.total)} ${c.done}/${c.total}`);
    }
  }
  if (r.message) lines.push(`  message: ${r.message}`);
  for (const b of r.budgets) lines.push(`  budget  ${b.pool}: ${b.used_by.length}/${b.budget} used${b.used_by.length ? ` by ${b.used_by.map(formatBudgetHolder).join('; ')}` : ''}`);
  const rows = r.nodes.filter((n) => n.phase !== 'done' || n.error).map((n) => [n.node_id, n.phase, n.state || '-', n.error || '-']);
  if (rows.length) lines.push(formatTable(['NODE', 'PHASE', 'STATE', 'ERROR'], rows).trimEnd().replace(/^/gm, '  '));
  if (!whole(r)) lines.push(`  ${r.total_nodes} nodes: ${r.nodes.length ? `${r.nodes.length} shown; ` : ''}--nodes lists them all, --page-size/--page-token one page`);
  return lines.join('\n') + '\n';
}

/** The dry run as a person reads it: buckets, their waves, the expected duration. */
export function renderPlan(p: RolloutPlan__Output): string {
  const minutes = (ms: number) => (ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)}h` : `${Math.round(ms / 60_000)}m`);
  const lines = [`dry run: rollout to ${p.spec!.target}, nothing created`];
  for (const b of p.buckets) {
    lines.push(`  bucket ${b.name}: ${b.waves.length} wave(s)${b.already_done.length ? `, already on the target: ${b.already_done.join(', ')}` : ''}${b.excluded.length ? `, excluded: ${b.excluded.join(', ')}` : ''}`);
    b.waves.forEach((w, i) => lines.push(`    wave ${i + 1}: ${w.node_ids.join(', ')}`));
  }
  const waves = p.buckets.reduce((n, b) => n + b.waves.length, 0);
  lines.push(`  expected duration: ${minutes(Number(p.expected_duration_ms))} (${waves} wave(s) of ${minutes(Number(p.node_update_ms))} per node update${Number(p.spec!.settle_ms) ? `, ${minutes(Number(p.spec!.settle_ms))} settle per bucket` : ''})`);
  if (Number(p.first_window_unix_ms)) lines.push(`  the first reboot window opens at ${new Date(Number(p.first_window_unix_ms)).toISOString()}`);
  return lines.join('\n') + '\n';
}

interface PageRequest {
  node_page_size?: number;
  node_page_token?: string;
  summary_only?: boolean;
}

async function fetchRollout(ctx: CtlContext, id: string, page: PageRequest = {}): Promise<RolloutStatus__Output> {
  return ctx.client.call<RolloutStatus__Output>((o, cb) => ctx.client.rollouts.Get({ id, ...page }, o, cb));
}

/** The rollout with every node: the first page's answer with the nodes of all pages. */
async function fetchAllNodes(ctx: CtlContext, id: string): Promise<RolloutStatus__Output> {
  const first = await fetchRollout(ctx, id);
  for (let token = first.next_node_page_token; token !== ''; ) {
    const page = await fetchRollout(ctx, id, { node_page_token: token });
    first.nodes.push(...page.nodes);
    token = page.next_node_page_token;
  }
  first.next_node_page_token = '';
  return first;
}

async function poolsOf(ctx: CtlContext, poolLabel: string): Promise<Map<string, string>> {
  const nodes = await listAllNodes((req) => ctx.client.call<ListNodesReply__Output>((o, cb) => ctx.client.fleet.ListNodes(req, o, cb)));
  return new Map(nodes.map((n) => [n.node_id, n.labels[poolLabel] ?? '(no pool)']));
}

export const rolloutCreate: CtlCommand = {
  usage: 'rollout create --target T [--selector k=v[,v]]... [--strategy by-label:rack|size:N|percent:P] [--max-unavailable N|P%]\n                    [--pool-label L] [--window SPEC]... [--settle DUR] [--health-timeout DUR] [--pause-after N]\n                    [--rollback-on-failure] [--lock-group G] [--id ID] [--dry-run]',
  options: {
    target: { type: 'string' },
    selector: { type: 'string', multiple: true },
    strategy: { type: 'string' },
    'max-unavailable': { type: 'string' },
    'pool-label': { type: 'string' },
    window: { type: 'string', multiple: true },
    settle: { type: 'string' },
    'health-timeout': { type: 'string' },
    'pause-after': { type: 'string' },
    'rollback-on-failure': { type: 'boolean' },
    'lock-group': { type: 'string' },
    id: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  flagsHelp: `  --target T                a version, checksum or refspec [required]
  --selector KEY=V[,V]      nodes whose label KEY is one of the values; repeatable [every node]
  --strategy S              buckets: by-label:LABEL, size:N or percent:P [size:1]
  --max-unavailable N|P%    per pool, every unavailable node counted [1]
  --pool-label L            the label that names a node's pool [pool]
  --window SPEC             when nodes may start, e.g. "Mon-Fri 02:00-05:00 UTC"; repeatable [any time]
  --settle DUR              wait after each bucket [0s]
  --health-timeout DUR      a started node must be steady on the target within this [30m]
  --pause-after N           pause after N failed nodes [1]
  --rollback-on-failure     on pause, send the moved nodes back to their previous version [off]
  --lock-group G            the reboot-lock group whose slots count as unavailable [default]
  --id ID                   the rollout's id [r-<random>]`,
  async run(ctx, positionals, v) {
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    if (typeof v.target !== 'string') throw new UsageError('rollout create needs --target');
    const selector: Record<string, string> = {};
    for (const s of (v.selector as string[] | undefined) ?? []) {
      const eq = s.indexOf('=');
      if (eq <= 0) throw new UsageError(`--selector ${JSON.stringify(s)} is not KEY=VALUE[,VALUE]`);
      selector[s.slice(0, eq)] = s.slice(eq + 1);
    }
    const pauseAfter = v['pause-after'] === undefined ? 0 : Number(v['pause-after']);
    if (!Number.isInteger(pauseAfter) || pauseAfter < 0) throw new UsageError('--pause-after is a whole number');
    let settle = 0;
    let health = 0;
    try {
      settle = typeof v.settle === 'string' ? parseDuration(v.settle, '--settle') : 0;
      health = typeof v['health-timeout'] === 'string' ? parseDuration(v['health-timeout'], '--health-timeout') : 0;
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const spec: RolloutSpec = {
      id: (v.id as string | undefined) ?? '',
      target: v.target,
      selector,
      strategy: (v.strategy as string | undefined) ?? '',
      max_unavailable: (v['max-unavailable'] as string | undefined) ?? '',
      pool_label: (v['pool-label'] as string | undefined) ?? '',
      windows: (v.window as string[] | undefined) ?? [],
      settle_ms: settle,
      health_timeout_ms: health,
      pause_after_failures: pauseAfter,
      rollback_on_failure: v['rollback-on-failure'] === true,
      lock_group: (v['lock-group'] as string | undefined) ?? '',
    };
    // The coordinator validates it too; checking here names a bad flag without a round trip.
    try {
      parseRolloutSpec(spec);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (v['dry-run'] === true) {
      const p = await ctx.client.call<RolloutPlan__Output>((o, cb) => ctx.client.rollouts.DryRun(spec, o, cb));
      if (ctx.output === 'json') printJson(ctx, p);
      else ctx.out(renderPlan(p));
      return 0;
    }
    const r = await ctx.client.call<RolloutStatus__Output>((o, cb) => ctx.client.rollouts.Create(spec, o, cb));
    if (ctx.output === 'json') printJson(ctx, r);
    else {
      const shown = r.bucket_summaries.slice(0, 20).map((b) => `${b.name} (${b.total})`);
      const more = r.bucket_count - shown.length;
      ctx.out(`created rollout ${r.spec!.id}: ${r.total_nodes} node(s) in ${r.bucket_count} bucket(s): ${shown.join(', ')}${more > 0 ? `, and ${more} more` : ''}\n`);
    }
    return 0;
  },
};

export const rolloutStatus: CtlCommand = {
  usage: 'rollout status ROLLOUT [--watch] [--interval DUR] [--nodes | --page-size N [--page-token T] | --summary]   progress per bucket and per pool',
  options: { watch: { type: 'boolean' }, interval: { type: 'string' }, nodes: { type: 'boolean' }, 'page-size': { type: 'string' }, 'page-token': { type: 'string' }, summary: { type: 'boolean' } },
  flagsHelp: `  --watch                   redraw until the rollout completes, aborts or an operator pauses it [off]
  --interval DUR            between redraws with --watch [1s]
  --nodes                   every node of the rollout, all pages [the first 1000 nodes; a smaller rollout whole]
  --page-size N             one page of N nodes (1-1000), in node id order; -o json has next_node_page_token [1000]
  --page-token T            the page after the one whose next_node_page_token was T [the first page]
  --summary                 counts per phase and per bucket only, no node [off]`,
  async run(ctx, positionals, v) {
    const id = oneId(positionals, 'status');
    const intervalMs = typeof v.interval === 'string' ? parseDuration(v.interval, '--interval') : 1000;
    const page = pageRequest(v);
    for (;;) {
      const r = v.nodes === true ? await fetchAllNodes(ctx, id) : await fetchRollout(ctx, id, page);
      if (ctx.output === 'json') printJson(ctx, r);
      else ctx.out((v.watch ? '\x1b[2J\x1b[H' : '') + renderRollout(r, whole(r) ? await poolsOf(ctx, r.spec!.pool_label) : new Map()));
      const settled = r.phase === 'completed' || r.phase === 'aborted' || (r.phase === 'paused' && r.paused_by === 'operator');
      if (!v.watch || settled) return r.phase === 'completed' ? 0 : r.phase === 'running' ? 0 : 1;
      await new Promise((res) => setTimeout(res, intervalMs));
    }
  },
};

/** The page flags as a Get request; at most one way of choosing nodes. */
function pageRequest(v: Record<string, unknown>): PageRequest {
  const chosen = ['nodes', 'page-size', 'summary'].filter((f) => v[f] !== undefined);
  if (chosen.length > 1) throw new UsageError(`--${chosen[0]} and --${chosen[1]} do not go together`);
  if (v['page-token'] !== undefined && v['page-size'] === undefined) throw new UsageError('--page-token needs --page-size');
  const page: PageRequest = {};
  if (typeof v['page-size'] === 'string') {
    const n = Number(v['page-size']);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError(`--page-size ${JSON.stringify(v['page-size'])}: expected a whole number from 1 to 1000`);
    page.node_page_size = n;
  }
  if (typeof v['page-token'] === 'string') page.node_page_token = v['page-token'];
  if (v.summary === true) page.summary_only = true;
  return page;
}

export const rolloutList: CtlCommand = {
  usage: 'rollout list                            every rollout with its phase and progress',
  options: {},
  async run(ctx, positionals) {
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const reply = await ctx.client.call<ListRolloutsReply__Output>((o, cb) => ctx.client.rollouts.List({}, o, cb));
    if (ctx.output === 'json') {
      printJson(ctx, reply);
      return 0;
    }
    const rows = reply.rollouts.map((r) => {
      const c = fromCounts(r.node_counts, r.total_nodes);
      return [r.spec!.id, r.spec!.target, r.phase, `${c.done}/${c.total}`, String(c.failed), new Date(Number(r.created_unix_ms)).toISOString(), r.reason];
    });
    ctx.out(formatTable(['ROLLOUT', 'TARGET', 'PHASE', 'DONE', 'FAILED', 'CREATED', 'REASON'], rows));
    return 0;
  },
};

function operation(verb: 'Pause' | 'Resume' | 'Abort'): CtlCommand {
  return {
    usage: `rollout ${verb.toLowerCase()} ROLLOUT`,
    options: {},
    async run(ctx, positionals) {
      const id = oneId(positionals, verb.toLowerCase());
      const r = await ctx.client.call<RolloutStatus__Output>((o, cb) => ctx.client.rollouts[verb]({ id }, o, cb));
      if (ctx.output === 'json') printJson(ctx, r);
      else ctx.out(`rollout ${id}: ${r.phase}\n`);
      return 0;
    },
  };
}

export const rolloutPause = operation('Pause');
export const rolloutResume = operation('Resume');
export const rolloutAbort = operation('Abort');
