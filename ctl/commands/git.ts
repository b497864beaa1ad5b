// The coordinator's git source: where it stands, and "sync now".
import { UsageError } from '../../common/cli.js';
import type { GitStatusReply__Output } from '../../proto/generated/hostpilot/v1/GitStatusReply.js';
import { printJson, type CtlCommand, type CtlContext } from '../context.js';

/** The JSON contract: {url, ref, path, lastAttemptedRevision, lastAppliedRevision, ready, message}. */
function statusJson(s: GitStatusReply__Output) {
  return {
    url: s.url,
    ref: s.ref,
    path: s.path,
    lastAttemptedRevision: s.last_attempted_revision,
    lastAppliedRevision: s.last_applied_revision,
    ready: s.ready,
    message: s.message,
    suspended: s.suspended,
    lastAppliedTime: Number(s.last_applied_unix_ms) ? new Date(Number(s.last_applied_unix_ms)).toISOString() : '',
  };
}

function print(ctx: CtlContext, s: GitStatusReply__Output): number {
  if (ctx.output === 'json') printJson(ctx, statusJson(s));
  else {
    const j = statusJson(s);
    const lines = s.url
      ? [`source   ${j.url} ${j.ref} ${j.path || '.'}${j.suspended ? ' (suspended)' : ''}`, `applied  ${j.lastAppliedRevision || '-'}${j.lastAppliedTime ? ` (${j.lastAppliedTime})` : ''}`, `tried    ${j.lastAttemptedRevision || '-'}`, `ready    ${j.ready}`, `message  ${j.message}`]
      : [j.message];
    ctx.out(lines.join('\n') + '\n');
  }
  return s.url && !s.ready ? 1 : 0;
}

export const gitStatus: CtlCommand = {
  usage: 'git status                            the git source: revisions applied and tried, ready, message',
  options: {},
  async run(ctx, positionals) {
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const s = await ctx.client.call<GitStatusReply__Output>((o, cb) => ctx.client.resources.GitStatus({}, o, cb));
    print(ctx, s);
    return 0;
  },
};

export const gitSync: CtlCommand = {
  usage: 'git sync                              fetch and apply the git source now',
  options: {},
  async run(ctx, positionals) {
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const s = await ctx.client.call<GitStatusReply__Output>((o, cb) => ctx.client.resources.GitSync({}, o, cb));
    return print(ctx, s);
  },
};
