// The agent's long-lived native helper (native/hostpilot-nethelper.c, built
// into dist/native/): host-local's flock and the pod side of ADD over
// rtnetlink inside the pod's namespace, without a child process per call.
// Node.js has neither flock(2) nor setns(2); docs/networking.md ("The fast
// CNI path") has the measurements behind this choice.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HostpilotError } from '../../common/errors.js';
import type { SpawnStream } from '../../common/exec/stream.js';
import { LineSession } from './line-session.js';
import type { Ipv4, Ipv4Cidr } from './validate.js';

/** Where `npm run build` puts it, next to dist/agent/. */
export const NET_HELPER_PATH = fileURLToPath(new URL('../../native/hostpilot-nethelper', import.meta.url));

/** Takes and releases one exclusive flock at a time (host-local's lock discipline). */
export interface FileLock {
  lock(path: string): Promise<void>;
  unlock(): Promise<void>;
}

export interface PodSideRequest {
  netns: string;
  ifName: string;
  address: Ipv4Cidr;
  gateway: Ipv4;
}

/** Adds the pod's address, sets its interface up and its default route (via gateway, onlink). */
export type PodSide = (req: PodSideRequest) => Promise<void>;

function okOrThrow(command: string) {
  return (line: string): true => {
    if (line === 'ok') return true;
    throw new HostpilotError('unavailable', `${command}: ${line.replace(/^err /, '')}`);
  };
}

// Every word goes on one space-separated line: anything else would change the command.
function word(value: string, field: string): string {
  if (value === '' || /[\s\0]/.test(value)) throw new HostpilotError('invalid_argument', `${field}: ${JSON.stringify(value)} cannot be passed to the helper`);
  return value;
}

export class NetHelperSession extends LineSession implements FileLock {
  constructor(binary = NET_HELPER_PATH, spawn?: SpawnStream, timeoutMs?: number) {
    super([binary], spawn, timeoutMs);
  }

  /** False when the binary was not built: callers keep their child-process paths. */
  static available(binary = NET_HELPER_PATH): boolean {
    return existsSync(binary);
  }

  lock(path: string): Promise<void> {
    return this.request(`lock ${word(path, 'lock path')}\n`, okOrThrow(`lock ${path}`)).then(() => undefined);
  }

  unlock(): Promise<void> {
    return this.request('unlock\n', okOrThrow('unlock')).then(() => undefined);
  }

  readonly podSide: PodSide = (req) => {
    const line = ['pod', word(req.netns, 'netns'), word(req.ifName, 'ifName'), req.address.ip.text, String(req.address.prefix), req.gateway.text].join(' ');
    return this.request(`${line}\n`, okOrThrow(`pod ${req.netns} ${req.ifName}`)).then(() => undefined);
  };
}
