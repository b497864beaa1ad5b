// hostpilotctl remediation list|history|pause|resume: what the fleet is repairing by itself.
import { UsageError } from '../../common/cli.js';
import { validateNodeId } from '../../common/names.js';
import { ago, formatTable } from '../../common/table.js';
import type { ListRemediationsReply__Output } from '../../proto/generated/hostpilot/v1/ListRemediationsReply.js';
import type { RemediationHistoryReply__Output } from '../../proto/generated/hostpilot/v1/RemediationHistoryReply.js';
import type { RemediationPoolStatus__Output } from '../../proto/generated/hostpilot/v1/RemediationPoolStatus.js';
import { printJson, type CtlCommand, type CtlContext } from '../context.js';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function when(ms: number, ctx: CtlContext): string {
  return ms ? `${iso(ms)} (${ago(ms, ctx.now())})` : '-';
}

export const remediationList: CtlCommand = {
  usage: 'remediation list                  nodes under remediation or unhealthy: condition, since, step, attempts, next step at',
  options: {},
  async run(ctx, positionals) {
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const reply = await ctx.client.call<ListRemediationsReply__Output>((o, cb) => ctx.client.remediation.List({}, o, cb));
    if (ctx.output === 'json') {
      printJson(ctx, reply);
      return 0;
    }
    const rows = reply.remediations.map((r) => [
      r.node_id,
      r.pool,
      r.condition || '-',
      when(Number(r.since_unix_ms), ctx),
      r.step ? `${r.step_index}: ${r.step}${r.result ? ` (${r.result})` : ''}` : r.needs_reprovision ? 'needs-reprovision' : '-',
      String(r.attempts),
      Number(r.next_step_unix_ms) ? iso(Number(r.next_step_unix_ms)) : '-',
      r.message || '-',
    ]);
    ctx.out(formatTable(['NODE', 'POOL', 'CONDITION', 'SINCE', 'STEP', 'ATTEMPTS', 'NEXT STEP AT', 'MESSAGE'], rows));
    return 0;
  },
};

export const remediationHistory: CtlCommand = {
  usage: 'remediation history NODE          what remediation did to a node (newest last)',
  options: {},
  async run(ctx, positionals) {
    if (positionals.length !== 1) throw new UsageError('remediation history takes exactly one NODE');
    const node_id = validateNodeId(positionals[0], 'NODE');
    const reply = await ctx.client.call<RemediationHistoryReply__Output>((o, cb) => ctx.client.remediation.History({ node_id }, o, cb));
    if (ctx.output === 'json') {
      printJson(ctx, reply);
      return 0;
    }
    const rows = reply.history.map((h) => [iso(Number(h.at_unix_ms)), String(h.episode), h.event, h.action || '-', h.order_id || '-', h.message]);
    ctx.out(formatTable(['TIME', 'EPISODE', 'EVENT', 'ACTION', 'ORDER', 'MESSAGE'], rows));
    if (reply.needs_reprovision) ctx.out(`${reply.node_id} needs reprovisioning (or a person)\n`);
    return 0;
  },
};

function poolCommand(verb: 'pause' | 'resume'): CtlCommand {
  return {
    usage: verb === 'pause' ? 'remediation pause POOL            start and escalate nothing in POOL (steps under way finish)' : 'remediation resume POOL           let remediation act in POOL again',
    options: {},
    async run(ctx, positionals) {
      if (positionals.length !== 1) throw new UsageError(`remediation ${verb} takes exactly one POOL`);
      const pool = positionals[0]!;
      const reply = await ctx.client.call<RemediationPoolStatus__Output>((o, cb) => (verb === 'pause' ? ctx.client.remediation.Pause({ pool }, o, cb) : ctx.client.remediation.Resume({ pool }, o, cb)));
      if (ctx.output === 'json') printJson(ctx, reply);
      else ctx.out(`remediation in pool ${reply.pool}: ${reply.paused ? 'paused' : 'running'}${reply.storm ? ' (held by the storm guard)' : ''}\n`);
      return 0;
    },
  };
}

export const remediationPause = poolCommand('pause');
export const remediationResume = poolCommand('resume');
