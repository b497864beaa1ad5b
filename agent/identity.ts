// Which node this is: --node-id, else /etc/machine-id, else the hostname.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { validateNodeId } from '../common/names.js';

export function resolveNodeId(flag: string | undefined, machineIdPath = '/etc/machine-id', host: () => string = hostname): string {
  if (flag !== undefined) return validateNodeId(flag, '--node-id');
  try {
    const id = readFileSync(machineIdPath, 'utf8').trim();
    if (id) return validateNodeId(id, machineIdPath);
  } catch {
    // No machine id (a container): fall back to the hostname.
  }
  return validateNodeId(host(), 'hostname');
}

export function readBootId(path = '/proc/sys/kernel/random/boot_id'): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}
