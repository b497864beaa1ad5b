// The git source: on the leader, every interval (and on `hostpilotctl git
// sync`), fetch the ref, and when it points at a commit not applied yet, apply
// every document under the path as one set, pruning what an earlier commit
// declared and this one does not. A commit that does not validate changes
// nothing; an unreachable remote changes nothing. The status lives in the
// store, so a restart resumes at the last applied revision without applying it again.
import { Counter, Gauge, type Registry } from 'prom-client';
import { readResources, isResourceFile } from '../../common/api/documents.js';
import { FailedPreconditionError, HostpilotError, errorMessage } from '../../common/errors.js';
import type { CommandRunner } from '../../common/exec/runner.js';
import type { Logger } from '../../common/log.js';
import type { ResourceChange, ResourceService } from '../resources/service.js';
import type { Store } from '../store/store.js';
import type { GitSourceConfig } from './config.js';
import { GitCache } from './git-cli.js';
import { GIT_STATUS_KEY, revision, type GitSourceApi, type GitSourceStatus } from './status.js';

type SyncResult = 'applied' | 'unchanged' | 'invalid' | 'error';

interface StoredStatus extends Omit<GitSourceStatus, 'suspended'> {
  /** The SHA of lastAppliedRevision (what a restart compares with). */
  lastAppliedSha: string;
}

export class GitSource implements GitSourceApi {
  private readonly cache: GitCache;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<GitSourceStatus> | undefined;
  private readonly syncs: Counter<'result'>;
  private readonly lastApplied: Gauge;
  private readonly interval: Gauge;

  constructor(
    private readonly config: GitSourceConfig,
    private readonly deps: { runner: CommandRunner; store: Store; resources: ResourceService; registry: Registry; log: Logger; now: () => number },
  ) {
    this.cache = new GitCache(deps.runner, config.cacheDir, config.url, { ...(config.sshKeyFile ? { sshKeyFile: config.sshKeyFile } : {}), ...(config.tokenFile ? { tokenFile: config.tokenFile } : {}) });
    this.syncs = new Counter({ name: 'hostpilot_git_sync_total', help: 'Git source syncs by result (applied, unchanged, invalid, error).', labelNames: ['result'], registers: [deps.registry] });
    for (const result of ['applied', 'unchanged', 'invalid', 'error'] as const) this.syncs.inc({ result }, 0);
    this.lastApplied = new Gauge({ name: 'hostpilot_git_last_applied_timestamp_seconds', help: 'When a sync last ended with the fleet as the git source declares it.', registers: [deps.registry] });
    this.interval = new Gauge({ name: 'hostpilot_git_sync_interval_seconds', help: 'How often the git source syncs; 0 while suspended.', registers: [deps.registry] });
    this.interval.set(config.suspend ? 0 : config.intervalMs / 1000);
  }

  /** Loads the gauge from the store (any replica can be scraped). */
  async init(): Promise<void> {
    const s = await this.deps.store.get<StoredStatus>(GIT_STATUS_KEY);
    if (s?.lastAppliedAt) this.lastApplied.set(s.lastAppliedAt / 1000);
  }

  /** On the leader: sync now and every interval. */
  start(): void {
    clearInterval(this.timer);
    if (this.config.suspend) {
      this.deps.log.warn('git source suspended: not syncing', { url: this.config.url });
      return;
    }
    this.timer = setInterval(() => void this.syncQuietly(), this.config.intervalMs);
    void this.syncQuietly();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  async status(): Promise<GitSourceStatus> {
    const s = await this.deps.store.get<StoredStatus>(GIT_STATUS_KEY);
    const { lastAppliedSha: _sha, ...rest } = s ?? { url: '', ref: '', path: '', lastAttemptedRevision: '', lastAppliedRevision: '', ready: false, message: 'not synced yet', lastAppliedAt: 0, lastAppliedSha: '' };
    const message = this.config.suspend ? `suspended: not syncing${rest.lastAppliedRevision ? ` (the fleet stays as ${rest.lastAppliedRevision} left it)` : ''}` : rest.message;
    return { ...rest, url: this.config.url, ref: this.config.ref, path: this.config.path, message, suspended: this.config.suspend };
  }

  sync(): Promise<GitSourceStatus> {
    if (this.config.suspend) return Promise.reject(new FailedPreconditionError('the git source is suspended (--git-suspend): not syncing'));
    if (!this.timer) return Promise.reject(new FailedPreconditionError('this coordinator replica does not lead: the leader syncs the git source'));
    // One sync at a time; a request during one waits for it and then runs its own (the remote may have moved).
    const run = (this.running ?? Promise.resolve()).catch(() => undefined).then(() => this.syncNow());
    this.running = run.finally(() => {
      if (this.running === run) this.running = undefined;
    });
    return run;
  }

  private syncQuietly(): Promise<void> {
    return this.sync().then(
      () => undefined,
      (err: unknown) => this.deps.log.warn('git sync failed', { err: errorMessage(err) }),
    );
  }

  private async syncNow(): Promise<GitSourceStatus> {
    const { url, ref, path } = this.config;
    const prev = await this.deps.store.get<StoredStatus>(GIT_STATUS_KEY);
    const sameSource = prev !== undefined && prev.url === url && prev.ref === ref && prev.path === path;
    const base: StoredStatus = {
      url,
      ref,
      path,
      lastAttemptedRevision: prev?.lastAttemptedRevision ?? '',
      lastAppliedRevision: prev?.lastAppliedRevision ?? '',
      lastAppliedSha: prev?.lastAppliedSha ?? '',
      lastAppliedAt: prev?.lastAppliedAt ?? 0,
      ready: false,
      message: '',
    };
    let sha: string;
    try {
      sha = await this.cache.fetch(ref);
    } catch (err) {
      const kept = base.lastAppliedRevision ? `the fleet stays as ${base.lastAppliedRevision} left it` : 'nothing applied yet';
      return this.record('error', { ...base, message: `${errorMessage(err)}; ${kept}` });
    }
    const rev = revision(ref, sha);
    const now = this.deps.now();
    if (sameSource && prev.lastAppliedSha === sha) {
      return this.record('unchanged', { ...base, lastAttemptedRevision: rev, ready: true, lastAppliedAt: now, message: `up to date at ${rev}` });
    }
    let changes: ResourceChange[];
    try {
      const files = (await this.cache.list(sha, path)).filter(isResourceFile).sort();
      const sources = [];
      for (const name of files) sources.push({ name, text: await this.cache.read(sha, name) });
      const located = readResources(sources);
      // An empty set would prune everything the source ever declared: more likely a wrong path or a broken commit.
      if (located.length === 0) throw new FailedPreconditionError(`no documents under ${path || 'the repository root'} at ${rev}; nothing applied (an empty set would delete every resource from git)`);
      changes = await this.deps.resources.apply(located, { managedBy: 'git', prune: true });
    } catch (err) {
      const invalid = err instanceof HostpilotError && (err.kind === 'invalid_argument' || err.kind === 'failed_precondition');
      return this.record(invalid ? 'invalid' : 'error', { ...base, lastAttemptedRevision: rev, message: errorMessage(err) });
    }
    const count = (a: string) => changes.filter((c) => c.action === a).length;
    const summary = `${count('created')} created, ${count('configured')} configured, ${count('unchanged')} unchanged, ${count('deleted')} pruned`;
    return this.record('applied', { ...base, lastAttemptedRevision: rev, lastAppliedRevision: rev, lastAppliedSha: sha, lastAppliedAt: now, ready: true, message: `applied ${rev}: ${summary}` });
  }

  private async record(result: SyncResult, s: StoredStatus): Promise<GitSourceStatus> {
    this.syncs.inc({ result });
    if (result === 'applied' || result === 'unchanged') this.lastApplied.set(s.lastAppliedAt / 1000);
    const log = result === 'applied' ? this.deps.log.info.bind(this.deps.log) : result === 'unchanged' ? this.deps.log.debug.bind(this.deps.log) : this.deps.log.warn.bind(this.deps.log);
    log(`git sync ${result}`, { url: s.url, ref: s.ref, revision: s.lastAttemptedRevision, message: s.message });
    await this.deps.store.put(GIT_STATUS_KEY, s);
    const { lastAppliedSha: _sha, ...rest } = s;
    return { ...rest, suspended: false };
  }
}
