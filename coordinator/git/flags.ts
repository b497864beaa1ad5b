// --git-* flags into the git source's config; none given: no git source.
import { dirname, join } from 'node:path';
import { boolFlag, stringFlag, type ParsedFlags } from '../../common/cli.js';
import { parseDuration } from '../../common/duration.js';
import { InvalidArgumentError } from '../../common/errors.js';
import type { StoreSpec } from '../store/open.js';
import { validateGitPath, validateGitRef, validateGitUrl, type GitSourceConfig } from './config.js';

export type { GitSourceConfig } from './config.js';

const OTHERS = ['git-ref', 'git-path', 'git-interval', 'git-suspend', 'git-ssh-key', 'git-token-file', 'git-cache-dir'];

export function parseGitFlags(flags: ParsedFlags, store: StoreSpec): GitSourceConfig | undefined {
  const url = stringFlag(flags, 'git-url');
  if (url === undefined) {
    const stray = OTHERS.find((name) => flags.values[name] !== undefined);
    if (stray) throw new InvalidArgumentError(`--${stray}`, 'needs --git-url');
    return undefined;
  }
  const intervalMs = parseDuration(stringFlag(flags, 'git-interval') ?? '1m', '--git-interval');
  if (intervalMs < 1000) throw new InvalidArgumentError('--git-interval', 'must be at least 1s');
  const sshKeyFile = stringFlag(flags, 'git-ssh-key');
  const tokenFile = stringFlag(flags, 'git-token-file');
  if (sshKeyFile && tokenFile) throw new InvalidArgumentError('--git-ssh-key/--git-token-file', 'give one of them');
  return {
    url: validateGitUrl(url),
    ref: validateGitRef(stringFlag(flags, 'git-ref') ?? 'main'),
    path: validateGitPath(stringFlag(flags, 'git-path') ?? '.'),
    intervalMs,
    suspend: boolFlag(flags, 'git-suspend'),
    ...(sshKeyFile ? { sshKeyFile } : {}),
    ...(tokenFile ? { tokenFile } : {}),
    cacheDir: stringFlag(flags, 'git-cache-dir') ?? (store.kind === 'sqlite' ? join(dirname(store.path), 'git-cache') : '/var/lib/hostpilot/git-cache'),
  };
}
