// apply / diff / get / delete of declared resources (common/api/resources.ts),
// kubectl-style: `apply -f FILE|DIR|-`, `get KIND [NAME] -o table|json|yaml`.
import { stringify } from 'yaml';
import { parseYamlDocuments, readResources, type LocatedResource, type SourceFile } from '../../common/api/documents.js';
import { KINDS, resolveKind } from '../../common/api/resources.js';
import { UsageError } from '../../common/cli.js';
import { HostpilotError, InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import { formatTable } from '../../common/table.js';
import type { ApplyReply__Output } from '../../proto/generated/hostpilot/v1/ApplyReply.js';
import type { GetResourcesReply__Output } from '../../proto/generated/hostpilot/v1/GetResourcesReply.js';
import type { ResourceChange__Output } from '../../proto/generated/hostpilot/v1/ResourceChange.js';
import { printJson, type CtlCommand, type CtlContext } from '../context.js';
import { readSourceFiles, readStdin } from '../resource-files.js';

const FILE_OPTION = { filename: { type: 'string', short: 'f', multiple: true } } as const;

function files(values: Record<string, unknown>): string[] {
  return (values.filename as string[] | undefined) ?? [];
}

/**
 * Validates the documents here (errors name file, document and field). A bad document is bad
 * input but not a bad command line: exit 1 with its one line, not a usage error.
 */
function validated(sources: SourceFile[]): LocatedResource[] {
  try {
    return readResources(sources);
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new HostpilotError('invalid_argument', err.message);
    throw err;
  }
}

/** Reads and validates the files here, then sends the documents (the coordinator validates them again). */
async function sendApply(ctx: CtlContext, paths: string[], dryRun: boolean): Promise<ResourceChange__Output[]> {
  const sources = readSourceFiles(paths, readStdin);
  validated(sources);
  const documents = sources.flatMap((f) => parseYamlDocuments(f)).map(({ raw, where }) => ({ where, json: JSON.stringify(raw) }));
  if (documents.length === 0) throw new InvalidArgumentError('-f', 'no documents found');
  const reply = await ctx.client.call<ApplyReply__Output>((o, cb) => ctx.client.resources.Apply({ documents, dry_run: dryRun }, o, cb));
  return reply.changes;
}

export const applyCommand: CtlCommand = {
  usage: 'apply -f FILE|DIR|-                    create or change resources (LockGroup, NodeConfig, Rollout) as declared',
  options: FILE_OPTION,
  async run(ctx, positionals, values) {
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const changes = await sendApply(ctx, files(values), false);
    if (ctx.output === 'json') printJson(ctx, { changes });
    else for (const c of changes) ctx.out(`${c.kind}/${c.name} ${c.action}${c.changes.length ? ` (${c.changes.join('; ')})` : ''}\n`);
    return 0;
  },
};

export const diffCommand: CtlCommand = {
  usage: 'diff -f FILE|DIR|-                     what apply would change, changing nothing',
  options: FILE_OPTION,
  async run(ctx, positionals, values) {
    if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const changes = await sendApply(ctx, files(values), true);
    if (ctx.output === 'json') {
      printJson(ctx, { changes });
      return 0;
    }
    const changed = changes.filter((c) => c.action !== 'unchanged');
    if (changed.length === 0) ctx.out('no changes\n');
    for (const c of changed) {
      const mark = c.action === 'created' ? '+' : c.action === 'deleted' ? '-' : '~';
      ctx.out(`${mark} ${c.kind}/${c.name} (${c.action === 'configured' ? 'changed' : c.action === 'created' ? 'new' : c.action})\n`);
      for (const line of c.changes) ctx.out(`    ${line}\n`);
    }
    return 0;
  },
};

type Listed = { kind: string; metadata: { name: string; managedBy?: string; generation?: number }; spec: Record<string, unknown>; status?: Record<string, unknown> };

export const getCommand: CtlCommand = {
  usage: `get KIND [NAME]                       list resources (${KINDS.map((k) => k.plural.toLowerCase()).join(', ')}) -o table|json|yaml`,
  options: {},
  async run(ctx, positionals) {
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError('get takes KIND and an optional NAME');
    const def = (() => {
      try {
        return resolveKind(positionals[0]!);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    })();
    const name = positionals[1];
    const reply = await ctx.client.call<GetResourcesReply__Output>((o, cb) => ctx.client.resources.Get({ kind: def.kind, name: name ?? '' }, o, cb));
    const items = reply.documents.map((d) => JSON.parse(d) as Listed);
    if (name !== undefined && items.length === 0) throw new NotFoundError(`no ${def.kind} ${JSON.stringify(name)}`);
    if (ctx.format === 'yaml') {
      // A stream of documents, so `get -o yaml > f; apply -f f` works (status is ignored on apply).
      ctx.out(items.map((i) => `---\n${stringify(i, { lineWidth: 0 })}`).join(''));
    } else if (ctx.output === 'json') {
      printJson(ctx, name !== undefined ? items[0] : { apiVersion: 'hostpilot.io/v1', kind: 'List', items });
    } else {
      const rows = items.map((r) => [r.metadata.name, ...def.columns.row({ apiVersion: 'hostpilot.io/v1', kind: r.kind, metadata: { name: r.metadata.name, labels: {} }, spec: r.spec }, r.status), r.metadata.managedBy ?? '-']);
      ctx.out(formatTable(['NAME', ...def.columns.header, 'MANAGED-BY'], rows));
    }
    return 0;
  },
};

export const deleteCommand: CtlCommand = {
  usage: 'delete -f FILE|DIR|- | delete KIND NAME   delete resources (a Rollout ends as if aborted)',
  options: FILE_OPTION,
  async run(ctx, positionals, values) {
    let refs: Array<{ kind: string; name: string }>;
    if (files(values).length) {
      if (positionals.length) throw new UsageError('delete takes -f or KIND NAME, not both');
      refs = validated(readSourceFiles(files(values), readStdin)).map(({ resource: r }) => ({ kind: r.kind, name: r.metadata.name }));
    } else {
      if (positionals.length !== 2) throw new UsageError('delete takes KIND NAME (or -f FILE)');
      try {
        refs = [{ kind: resolveKind(positionals[0]!).kind, name: positionals[1]! }];
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    const reply = await ctx.client.call<ApplyReply__Output>((o, cb) => ctx.client.resources.Delete({ refs, dry_run: false }, o, cb));
    if (ctx.output === 'json') printJson(ctx, { changes: reply.changes });
    else for (const c of reply.changes) ctx.out(`${c.kind}/${c.name} ${c.action}\n`);
    const missing = reply.changes.filter((c) => c.action === 'not-found');
    if (missing.length && !files(values).length) throw new NotFoundError(`no ${missing[0]!.kind} ${JSON.stringify(missing[0]!.name)}`);
    return 0;
  },
};
