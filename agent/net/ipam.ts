// Address allocation is delegated to the IPAM plugin the config names
// (host-local, dhcp, whereabouts ...): executed from CNI_PATH through the
// command runner, with the CNI_* variables and the network config on stdin,
// as the spec's "Delegated plugins" section describes.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { CommandError, type CommandRunner } from '../../common/exec/runner.js';
import { CniCode, CniError } from './cni-error.js';
import { parseIpv4, parseIpv4Cidr, type Ipv4, type Ipv4Cidr } from './validate.js';

export const IPAM_TIMEOUT_MS = 30_000;

export interface IpamRequest {
  command: 'ADD' | 'DEL' | 'CHECK';
  pluginType: string;
  containerId: string;
  netns: string;
  ifName: string;
  args: string;
  path: readonly string[];
  /** The network config as the runtime gave it (the IPAM plugin reads its own `ipam` section). */
  config: Record<string, unknown>;
}

export interface IpamAllocation {
  address: Ipv4Cidr;
  gateway?: Ipv4;
  /** Passed through to our result unchanged. */
  dns?: Record<string, unknown>;
}

/** What the plugin needs of IPAM: the exec'd plugin (IpamDelegate) or the agent's in-process host-local (host-local.ts). */
export interface Ipam {
  /** The plugin's path in CNI_PATH; throws a CNI error naming ipam.type when it is not there. */
  findPlugin(type: string, path: readonly string[]): string;
  add(req: Omit<IpamRequest, 'command'>): Promise<IpamAllocation>;
  del(req: Omit<IpamRequest, 'command'>): Promise<void>;
  check(req: Omit<IpamRequest, 'command'>): Promise<void>;
}

export function defaultIsExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export class IpamDelegate implements Ipam {
  constructor(
    private readonly runner: CommandRunner,
    private readonly isExecutable: (path: string) => boolean = defaultIsExecutable,
  ) {}

  findPlugin(type: string, path: readonly string[]): string {
    for (const dir of path) {
      const candidate = join(dir, type);
      if (this.isExecutable(candidate)) return candidate;
    }
    throw new CniError(CniCode.invalidConfig, `ipam.type: plugin ${JSON.stringify(type)} not found in CNI_PATH`, `searched: ${path.join(':') || '(empty)'}`);
  }

  /** Runs the plugin; returns its stdout, or throws its CNI error. */
  async exec(req: IpamRequest): Promise<string> {
    const binary = this.findPlugin(req.pluginType, req.path);
    try {
      const result = await this.runner.run({
        argv: [binary],
        input: JSON.stringify(req.config),
        env: {
          CNI_COMMAND: req.command,
          CNI_CONTAINERID: req.containerId,
          CNI_NETNS: req.netns,
          CNI_IFNAME: req.ifName,
          CNI_ARGS: req.args,
          CNI_PATH: req.path.join(':'),
        },
        timeoutMs: IPAM_TIMEOUT_MS,
        maxOutputBytes: 1024 * 1024,
      });
      return result.stdout;
    } catch (err) {
      if (err instanceof CommandError) throw ipamError(req, err);
      throw err;
    }
  }

  async add(req: Omit<IpamRequest, 'command'>): Promise<IpamAllocation> {
    const stdout = await this.exec({ ...req, command: 'ADD' });
    return parseIpamResult(stdout, req.pluginType);
  }

  async del(req: Omit<IpamRequest, 'command'>): Promise<void> {
    await this.exec({ ...req, command: 'DEL' });
  }

  async check(req: Omit<IpamRequest, 'command'>): Promise<void> {
    await this.exec({ ...req, command: 'CHECK' });
  }
}

/** The plugin's own CNI error when it printed one, else a plugin-specific code with its stderr. */
function ipamError(req: IpamRequest, err: CommandError): CniError {
  const prefix = `ipam ${req.pluginType} ${req.command}`;
  if (err.failure === 'exit') {
    try {
      const parsed = JSON.parse(err.stdout) as { code?: unknown; msg?: unknown; details?: unknown };
      if (typeof parsed.msg === 'string') {
        // Its well-known codes mean the same to our caller; its own codes (e.g. 999) do not.
        const code = typeof parsed.code === 'number' && parsed.code >= 1 && parsed.code < 100 ? parsed.code : CniCode.ipamFailed;
        const details = [typeof parsed.code === 'number' ? `plugin code ${parsed.code}` : '', typeof parsed.details === 'string' ? parsed.details : ''].filter(Boolean).join('; ');
        return new CniError(code, `${prefix}: ${parsed.msg}`, details, { cause: err });
      }
    } catch {
      // Not JSON: fall through to stderr.
    }
  }
  return new CniError(CniCode.ipamFailed, `${prefix} failed: ${err.failure}`, err.stderr.trim().slice(0, 500) || err.message, { cause: err });
}

/** Takes the first IPv4 address of a CNI result (0.3.x-1.0.0 shape: `ips[].address`). */
export function parseIpamResult(stdout: string, pluginType: string): IpamAllocation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new CniError(CniCode.ipamFailed, `ipam ${pluginType} returned a result that is not JSON`, stdout.slice(0, 200));
  }
  const ips = (parsed as { ips?: unknown }).ips;
  if (!Array.isArray(ips)) throw new CniError(CniCode.ipamFailed, `ipam ${pluginType} returned no "ips"`);
  for (const entry of ips as unknown[]) {
    const address = (entry as { address?: unknown }).address;
    if (typeof address !== 'string' || address.includes(':')) continue;
    try {
      const cidr = parseIpv4Cidr(address, 'ips[].address');
      const gw = (entry as { gateway?: unknown }).gateway;
      const dns = (parsed as { dns?: unknown }).dns;
      return {
        address: cidr,
        ...(typeof gw === 'string' ? { gateway: parseIpv4(gw, 'ips[].gateway') } : {}),
        ...(typeof dns === 'object' && dns !== null && !Array.isArray(dns) ? { dns: dns as Record<string, unknown> } : {}),
      };
    } catch (err) {
      throw new CniError(CniCode.ipamFailed, `ipam ${pluginType} returned a bad address: ${(err as Error).message}`);
    }
  }
  throw new CniError(CniCode.ipamFailed, `ipam ${pluginType} returned no IPv4 address`);
}
