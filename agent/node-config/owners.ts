// A managed file's `owner` ("user" or "user:group", names or numeric ids) as
// the uid and gid to chown to. Names are resolved with `getent` through the
// command runner, so every NSS source the host uses counts (on Fedora CoreOS
// many system users live in /usr/lib/passwd, not /etc/passwd).
import { FailedPreconditionError } from '../../common/errors.js';
import { CommandError, type CommandRunner } from '../../common/exec/runner.js';

export interface Ids {
  uid: number;
  gid: number;
}

export class OwnerResolver {
  private readonly cache = new Map<string, number>();

  constructor(private readonly runner: CommandRunner) {}

  /** root:root when absent; a user alone gets its primary group. */
  async resolve(owner: string | undefined): Promise<Ids> {
    if (owner === undefined) return { uid: 0, gid: 0 };
    const [user, group] = owner.split(':') as [string, string | undefined];
    const entry = await this.lookup('passwd', user);
    const uid = /^\d+$/.test(user) ? Number(user) : entry.id;
    const gid = group === undefined ? (/^\d+$/.test(user) ? uid : entry.gid) : /^\d+$/.test(group) ? Number(group) : (await this.lookup('group', group)).id;
    return { uid, gid };
  }

  private async lookup(db: 'passwd' | 'group', name: string): Promise<{ id: number; gid: number }> {
    if (/^\d+$/.test(name)) return { id: Number(name), gid: Number(name) };
    const key = `${db}:${name}`;
    const cached = this.cache.get(key);
    const cachedGid = this.cache.get(`${key}:gid`);
    if (cached !== undefined && cachedGid !== undefined) return { id: cached, gid: cachedGid };
    let line: string;
    try {
      line = (await this.runner.run({ argv: ['getent', db, name], timeoutMs: 10_000 })).stdout.split('\n')[0] ?? '';
    } catch (err) {
      // getent exits 2 for a name that does not exist.
      if (err instanceof CommandError && err.exitCode === 2) throw new FailedPreconditionError(`owner: no ${db === 'passwd' ? 'user' : 'group'} named ${name} on this node`);
      throw err;
    }
    // passwd: name:x:uid:gid:...  group: name:x:gid:members
    const fields = line.split(':');
    const id = Number(fields[2]);
    const gid = db === 'passwd' ? Number(fields[3]) : id;
    if (!Number.isInteger(id) || !Number.isInteger(gid)) throw new FailedPreconditionError(`owner: getent ${db} ${name} printed no id`);
    this.cache.set(key, id);
    this.cache.set(`${key}:gid`, gid);
    return { id, gid };
  }
}
