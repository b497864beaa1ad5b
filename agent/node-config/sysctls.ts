// Sysctls of a rendered config: persisted in /etc/sysctl.d/90-hostpilot.conf
// (systemd-sysctl applies it at boot) and applied now through /proc/sys
// (agent/net/sysctl.ts). Drift is a value in /proc/sys that differs.
import { SYSCTL_FILE } from '../../common/api/node-config.js';
import type { SysctlAccess } from '../net/sysctl.js';

const HEADER = '# Managed by hostpilot (NodeConfig): local edits are overwritten.\n';

/**
 * Pure: the sysctl.d file for these values. With none, only the header: once
 * written, the file is kept in step (keys a config drops stop being set at
 * boot; their live values stay), but it is never created for nothing.
 */
export function sysctlFile(values: Record<string, string>): string {
  return HEADER + Object.keys(values).sort().map((k) => `${k} = ${values[k]}\n`).join('');
}

export { SYSCTL_FILE };

/** /proc/sys prints several numbers with tabs (net.ipv4.tcp_rmem); compare them as words. */
function words(value: string): string {
  return value.trim().split(/\s+/).join(' ');
}

export interface SysctlDrift {
  key: string;
  /** null: the key does not exist on this kernel. */
  have: string | null;
  want: string;
}

/** Keys whose live value differs from the config. */
export async function sysctlDrift(access: SysctlAccess, values: Record<string, string>): Promise<SysctlDrift[]> {
  const keys = Object.keys(values).sort();
  if (keys.length === 0) return [];
  const live = await access.read(keys);
  return keys.flatMap((key) => {
    const have = live.get(key);
    const want = values[key]!;
    return have !== undefined && words(have) === words(want) ? [] : [{ key, have: have ?? null, want }];
  });
}

export async function applySysctls(access: SysctlAccess, drift: readonly SysctlDrift[]): Promise<void> {
  await access.write(new Map(drift.map((d) => [d.key, d.want])));
}
