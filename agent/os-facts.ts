// What the coordinator is told about the host OS, from systeminformation.
import si from 'systeminformation';
import type { OsFacts } from '../proto/generated/hostpilot/v1/OsFacts.js';
import { readBootId } from './identity.js';

export async function collectOsFacts(): Promise<OsFacts> {
  const info = await si.osInfo();
  return { distro: info.distro, release: info.release, kernel: info.kernel, arch: info.arch, boot_id: readBootId() };
}
