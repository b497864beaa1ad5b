// A real git remote on loopback for the git source's tests: a bare repository
// served as file://, and a working clone the test commits to and pushes from.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ProcessRunner } from '../../common/exec/runner.js';

const runner = new ProcessRunner({ ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' });

export class TestRemote {
  readonly bare: string;
  readonly work: string;

  private constructor(readonly root: string) {
    this.bare = join(root, 'remote', 'fleet.git');
    this.work = join(root, 'work');
  }

  static async create(root: string): Promise<TestRemote> {
    const r = new TestRemote(root);
    mkdirSync(r.bare, { recursive: true });
    mkdirSync(r.work, { recursive: true });
    await r.git(r.bare, 'init', '--quiet', '--bare', '-b', 'main');
    await r.git(r.work, 'init', '--quiet', '-b', 'main');
    await r.git(r.work, 'remote', 'add', 'origin', r.url);
    return r;
  }

  get url(): string {
    return `file://${this.bare}`;
  }

  /** Writes (or, with null, removes) files, commits, pushes main; returns the commit's SHA. */
  async commit(files: Record<string, string | null>, message = 'change'): Promise<string> {
    for (const [name, text] of Object.entries(files)) {
      const path = join(this.work, name);
      if (text === null) rmSync(path, { force: true });
      else {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, text);
      }
    }
    await this.git(this.work, 'add', '-A');
    await this.git(this.work, '-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '--quiet', '--allow-empty', '-m', message);
    await this.git(this.work, 'push', '--quiet', 'origin', 'main');
    return (await this.git(this.work, 'rev-parse', 'HEAD')).trim();
  }

  private async git(cwd: string, ...args: string[]): Promise<string> {
    return (await runner.run({ argv: ['git', ...args], cwd })).stdout;
  }
}
