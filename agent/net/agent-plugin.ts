// The CNI plugin as the running agent serves it on its socket: host-side ip
// commands through one long-lived `ip -batch`, and, when the native helper
// was built, host-local IPAM in-process and the pod side over rtnetlink
// through that helper: no child process per call. Without the helper, the
// IPAM plugin and `nsenter ... ip` are exec'd per call, as the standalone
// plugin does. bench/cni-agent.ts and the tests build the same thing.
import type { CommandRunner } from '../../common/exec/runner.js';
import type { SpawnStream } from '../../common/exec/stream.js';
import { InProcessHostLocal } from './host-local.js';
import { IpBatchSession, type HostBatch } from './ip-batch.js';
import { NET_HELPER_PATH, NetHelperSession } from './net-helper.js';
import { CniPlugin } from './plugin.js';
import type { SysctlAccess } from './sysctl.js';

export interface AgentCniPlugin {
  plugin: CniPlugin;
  /** The long-lived host-side `ip -batch` the plugin uses. */
  hostBatch: HostBatch;
  /** False when dist/native/hostpilot-nethelper is missing. */
  nativeHelper: boolean;
  close(): Promise<void>;
}

export interface AgentCniOptions {
  /** Default: through the runner. The agent passes ProcSysctl. */
  sysctl?: SysctlAccess;
  /** How the long-lived children are started (tests start them inside a namespace). */
  spawn?: SpawnStream;
  helperPath?: string;
}

export function agentCniPlugin(runner: CommandRunner, options: AgentCniOptions = {}): AgentCniPlugin {
  const hostIp = new IpBatchSession(options.spawn);
  const helperPath = options.helperPath ?? NET_HELPER_PATH;
  const helper = NetHelperSession.available(helperPath) ? new NetHelperSession(helperPath, options.spawn) : undefined;
  const plugin = new CniPlugin({
    runner,
    hostBatch: hostIp.run,
    ...(options.sysctl ? { sysctl: options.sysctl } : {}),
    ...(helper ? { podSide: helper.podSide, ipam: (delegate) => new InProcessHostLocal(helper, delegate) } : {}),
  });
  return {
    plugin,
    hostBatch: hostIp.run,
    nativeHelper: helper !== undefined,
    close: async () => {
      await hostIp.close();
      await helper?.close();
    },
  };
}
