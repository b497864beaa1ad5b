// hostpilot.v1.Resources: apply/get/delete declared resources and the git
// source's status. Admin only under mTLS (it changes what the fleet does).
import { FailedPreconditionError, InvalidArgumentError } from '../../common/errors.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { GitSourceApi, GitSourceStatus } from '../git/status.js';
import type { ResourceService } from '../resources/service.js';
import type { GitStatusReply } from '../../proto/generated/hostpilot/v1/GitStatusReply.js';
import type { ResourcesHandlers } from '../../proto/generated/hostpilot/v1/Resources.js';
import { unary } from './call.js';

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(where, 'is not a JSON document');
  }
}

function toWireGit(s: GitSourceStatus): GitStatusReply {
  return {
    url: s.url,
    ref: s.ref,
    path: s.path,
    last_attempted_revision: s.lastAttemptedRevision,
    last_applied_revision: s.lastAppliedRevision,
    ready: s.ready,
    message: s.message,
    suspended: s.suspended,
    last_applied_unix_ms: s.lastAppliedAt,
  };
}

const NO_SOURCE = 'no git source configured (--git-url)';

export function resourcesHandlers(resources: ResourceService, git: GitSourceApi | undefined, auth: Authorizer): ResourcesHandlers {
  return {
    Apply: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      const docs = req.documents.map((d, i) => ({ where: d.where || `document ${i + 1}`, raw: parseJson(d.json, d.where || `document ${i + 1}`) }));
      return { changes: await resources.applyDocuments(docs, { managedBy: 'apply', dryRun: req.dry_run }) };
    }),
    Get: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      const list = await resources.get(req.kind, req.name || undefined);
      return { documents: list.map((r) => JSON.stringify(r)) };
    }),
    Delete: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return { changes: await resources.delete(req.refs, req.dry_run) };
    }),
    GitStatus: unary(auth, async (_req, caller) => {
      auth.requireAdmin(caller);
      if (!git) return toWireGit({ url: '', ref: '', path: '', lastAttemptedRevision: '', lastAppliedRevision: '', ready: false, message: NO_SOURCE, suspended: false, lastAppliedAt: 0 });
      return toWireGit(await git.status());
    }),
    GitSync: unary(auth, async (_req, caller) => {
      auth.requireAdmin(caller);
      if (!git) throw new FailedPreconditionError(NO_SOURCE);
      return toWireGit(await git.sync());
    }),
  };
}
