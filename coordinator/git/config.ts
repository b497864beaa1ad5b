// The git source's settings (--git-url and friends), validated once. A URL
// with credentials in it is refused: they would end up in logs, in the
// status every admin can read and in `ps`; give --git-ssh-key or
// --git-token-file instead.
import { InvalidArgumentError } from '../../common/errors.js';

export interface GitSourceConfig {
  url: string;
  /** A branch, a tag or a full SHA. */
  ref: string;
  /** The directory of the repository whose documents are applied ('' for all of it). */
  path: string;
  intervalMs: number;
  suspend: boolean;
  sshKeyFile?: string;
  tokenFile?: string;
  /** Where the fetched repository is kept. */
  cacheDir: string;
}

const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/]/;

export function validateGitUrl(url: string, field = '--git-url'): string {
  if (url.startsWith('-')) throw new InvalidArgumentError(field, 'must not start with "-"');
  // user:secret@host:path (scp style, not a URL): a password.
  if (!/^[a-z+]+:\/\//.test(url) && /^[^/@]*:[^/@]*@/.test(url)) throw new InvalidArgumentError(field, 'has a password in it; use --git-ssh-key');
  // user@host:path: the user names an SSH account (git@github.com), never a secret.
  if (SCP_LIKE.test(url)) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError(field, 'is not a URL (https://, ssh://, git://, file:// or user@host:path)');
  }
  if (!['https:', 'http:', 'ssh:', 'git:', 'file:'].includes(parsed.protocol)) throw new InvalidArgumentError(field, `${parsed.protocol} is not https, http, ssh, git or file`);
  const credentials = parsed.password !== '' || (parsed.username !== '' && parsed.protocol !== 'ssh:');
  if (credentials) throw new InvalidArgumentError(field, 'has credentials in it (they would show in logs and status); use --git-token-file or --git-ssh-key');
  return url;
}

export function validateGitRef(ref: string, field = '--git-ref'): string {
  if (!/^[A-Za-z0-9._/-]{1,255}$/.test(ref) || ref.startsWith('-') || ref.startsWith('/') || ref.includes('..') || ref.endsWith('/') || ref.endsWith('.lock')) {
    throw new InvalidArgumentError(field, `${JSON.stringify(ref.slice(0, 80))} is not a branch, tag or SHA`);
  }
  return ref;
}

/** A relative directory inside the repository: "fleet", "clusters/prod"; "." or "" for the root. */
export function validateGitPath(path: string, field = '--git-path'): string {
  const p = path.replace(/^\.\/?/, '').replace(/\/+$/, '');
  if (p === '') return '';
  if (p.startsWith('/') || p.startsWith('-') || p.split('/').some((s) => s === '..' || s === '.' || s === '') || !/^[A-Za-z0-9._/ -]+$/.test(p)) {
    throw new InvalidArgumentError(field, `${JSON.stringify(path.slice(0, 80))} is not a relative directory inside the repository`);
  }
  return p;
}
