// The real `git`, through the one command runner, on a bare cache repository:
// fetch one ref from the source, resolve it to a full SHA, read files at that
// SHA. Credentials come only from files (an SSH key, a token) and reach git
// through its environment, never its argv (which errors and logs carry).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnavailableError } from '../../common/errors.js';
import { CommandError, type CommandRunner } from '../../common/exec/runner.js';

export interface GitAuth {
  /** A private key for ssh:// and scp-style URLs. */
  sshKeyFile?: string;
  /** A file holding an HTTPS access token (sent as basic auth, user x-access-token). */
  tokenFile?: string;
}

const FETCHED = 'refs/hostpilot/source';
const FULL_SHA = /^[0-9a-f]{40}$/;

export class GitCache {
  constructor(
    private readonly runner: CommandRunner,
    private readonly dir: string,
    private readonly url: string,
    private readonly auth: GitAuth = {},
  ) {}

  /** Fetches `ref` (a branch, a tag or a full SHA) and returns the commit's full SHA. */
  async fetch(ref: string): Promise<string> {
    if (!existsSync(join(this.dir, 'HEAD'))) {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      await this.git(['init', '--quiet', '--bare', this.dir]);
    }
    const refspec = FULL_SHA.test(ref) ? ref : `+${ref}:${FETCHED}`;
    try {
      await this.git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', this.url, refspec], 120_000);
    } catch (err) {
      throw new UnavailableError(`cannot fetch ${ref} from ${this.url}: ${gitDetail(err)}`, { cause: err });
    }
    const out = await this.git(['rev-parse', '--verify', '--quiet', `${FULL_SHA.test(ref) ? ref : FETCHED}^{commit}`]);
    return out.trim();
  }

  /** Paths of the files under `path` (the whole tree for '') at `sha`. */
  async list(sha: string, path: string): Promise<string[]> {
    const out = await this.git(['ls-tree', '-r', '-z', '--name-only', sha, '--', ...(path ? [path] : [])]);
    return out.split('\0').filter(Boolean);
  }

  async read(sha: string, file: string): Promise<string> {
    return this.git(['cat-file', 'blob', `${sha}:${file}`]);
  }

  private async git(args: string[], timeoutMs = 30_000): Promise<string> {
    const result = await this.runner.run({ argv: ['git', `--git-dir=${this.dir}`, ...args], env: this.env(), timeoutMs, maxOutputBytes: 16 * 1024 * 1024 });
    return result.stdout;
  }

  private env(): Record<string, string> {
    // Never ask a person (there is none), never read the host's or a user's git config.
    const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', SSH_ASKPASS: 'true', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
    if (this.auth.sshKeyFile) env.GIT_SSH_COMMAND = `ssh -i ${shellQuote(this.auth.sshKeyFile)} -o IdentitiesOnly=yes -o BatchMode=yes`;
    if (this.auth.tokenFile) {
      const token = readFileSync(this.auth.tokenFile, 'utf8').trim();
      env.GIT_CONFIG_COUNT = '1';
      env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
      env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    }
    return env;
  }
}

/** GIT_SSH_COMMAND is read by a shell: the key path is quoted for it. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** git's own last words, without the argv (the runner's message carries it). */
export function gitDetail(err: unknown): string {
  if (err instanceof CommandError) {
    const lines = err.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
    return lines.find((l) => l.startsWith('fatal:'))?.replace(/^fatal: /, '') ?? lines.at(-1) ?? `${err.failure} ${err.exitCode ?? err.signal ?? ''}`.trim();
  }
  return err instanceof Error ? err.message : String(err);
}
