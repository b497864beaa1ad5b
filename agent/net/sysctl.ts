// Reading and writing sysctls. Two ways, one interface: through the command
// runner (`sysctl`, for the agent, whose runner may act in another
// namespace) or by writing /proc/sys directly (for the CNI plugin, a
// short-lived process already in the host namespace, where one less child
// process per pod is measurable: see bench/README.md).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandRunner } from '../../common/exec/runner.js';
import { parseSysctl } from './host-state.js';

const TIMEOUT_MS = 10_000;

export interface SysctlAccess {
  /** Keys that do not exist (an interface that is gone) are absent from the map. */
  read(keys: Iterable<string>): Promise<Map<string, string>>;
  write(values: ReadonlyMap<string, string>): Promise<void>;
}

export class CommandSysctl implements SysctlAccess {
  constructor(private readonly runner: CommandRunner) {}

  async read(keys: Iterable<string>): Promise<Map<string, string>> {
    const list = [...new Set(keys)];
    if (list.length === 0) return new Map();
    const result = await this.runner.run({ argv: ['sysctl', '-e', ...list], timeoutMs: TIMEOUT_MS });
    return parseSysctl(result.stdout);
  }

  async write(values: ReadonlyMap<string, string>): Promise<void> {
    if (values.size === 0) return;
    await this.runner.run({ argv: ['sysctl', '-q', '-w', ...[...values].map(([k, v]) => `${k}=${v}`)], timeoutMs: TIMEOUT_MS });
  }
}

/** "net.ipv4.conf.bond0/100.proxy_arp" → "<root>/net/ipv4/conf/bond0.100/proxy_arp" (sysctl's own convention). */
export function sysctlPath(root: string, key: string): string {
  return join(root, ...key.split('.').map((part) => part.replaceAll('/', '.')));
}

export class ProcSysctl implements SysctlAccess {
  constructor(private readonly root = '/proc/sys') {}

  async read(keys: Iterable<string>): Promise<Map<string, string>> {
    const values = new Map<string, string>();
    for (const key of new Set(keys)) {
      try {
        values.set(key, (await readFile(sysctlPath(this.root, key), 'utf8')).trim());
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return values;
  }

  async write(values: ReadonlyMap<string, string>): Promise<void> {
    for (const [key, value] of values) {
      try {
        await writeFile(sysctlPath(this.root, key), value);
      } catch (err) {
        throw new Error(`sysctl ${key}=${value}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
}
