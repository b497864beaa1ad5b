// What the coordinator is told about the host OS: os-release (the host's, as
// systemd reads it) and the kernel. Read directly: systeminformation's osInfo()
// reads the same files and was about 10 MB of the agent's RSS (bench:footprint).
import { readFile } from 'node:fs/promises';
import { arch, release } from 'node:os';
import type { OsFacts } from '../proto/generated/hostpilot/v1/OsFacts.js';
import { readBootId } from './identity.js';

const OS_RELEASE = ['/etc/os-release', '/usr/lib/os-release'];

/** KEY=value lines, values optionally quoted (os-release(5)). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!;
    if (/^(["']).*\1$/.test(v)) v = v.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    out[m[1]!] = v;
  }
  return out;
}

export async function collectOsFacts(): Promise<OsFacts> {
  let fields: Record<string, string> = {};
  for (const path of OS_RELEASE) {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      fields = parseOsRelease(text);
      break;
    }
  }
  return { distro: fields.NAME ?? fields.ID ?? 'Linux', release: fields.VERSION_ID ?? fields.VERSION ?? '', kernel: release(), arch: arch(), boot_id: readBootId() };
}
