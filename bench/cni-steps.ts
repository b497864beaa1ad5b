// bench:cni's step costs: the two per-ADD steps that used to be child
// processes, measured alone from a Node.js process (as the agent runs them),
// each option in turn, rotating the order per round:
//   pod side  nsenter --net=PATH ip -batch -   (what the fallback plugin runs)
//             ip -n NAME -batch -               (one exec less; needs a named netns)
//             the native helper's "pod" command (setns + rtnetlink, no child)
//   IPAM      host-local exec'd (ADD + DEL)     (the spec's delegation)
//             host-local in-process (ADD + DEL) (flock through the helper)
// Each pod-side option adds a distinct /32 to a veth in a namespace of the bench's own.
import { join } from 'node:path';
import type { CommandRunner } from '../common/exec/runner.js';
import { InProcessHostLocal } from '../agent/net/host-local.js';
import { IpamDelegate } from '../agent/net/ipam.js';
import { NetHelperSession } from '../agent/net/net-helper.js';
import { ipv4FromNumber, parseIpv4, parseIpv4Cidr } from '../agent/net/validate.js';

export interface StepOptions {
  runner: CommandRunner;
  helperPath: string;
  /** A named namespace (under /var/run/netns) holding a veth `ps0` whose peer is `ps1`. */
  netnsName: string;
  dataDir: string;
  cniDir: string;
  rounds: number;
}

const GATEWAY = parseIpv4('169.254.1.1', 'gateway');

export async function measureSteps(o: StepOptions, percentile: (xs: number[], p: number) => number): Promise<Record<string, number>> {
  const netnsPath = `/var/run/netns/${o.netnsName}`;
  const helper = new NetHelperSession(o.helperPath);
  const exec = new IpamDelegate(o.runner);
  const inProcess = new InProcessHostLocal(helper, exec);
  const lines = (addr: string) => `addr add ${addr}/32 dev ps0\nlink set ps0 up\nroute replace default via ${GATEWAY.text} dev ps0 onlink\n`;
  const ipamConfig = { cniVersion: '1.0.0', name: 'steps', ipam: { type: 'host-local', dataDir: o.dataDir, ranges: [[{ subnet: '10.96.0.0/16' }]] } };
  const ipamReq = (id: string) => ({ pluginType: 'host-local', containerId: id, netns: netnsPath, ifName: 'eth0', args: '', path: [o.cniDir], config: ipamConfig });
  const options: Record<string, (i: number) => Promise<void>> = {
    podside_nsenter_ip: async (i) => {
      await o.runner.run({ argv: ['nsenter', `--net=${netnsPath}`, 'ip', '-batch', '-'], input: lines(ipv4FromNumber(0x0a610000 + i)), timeoutMs: 10_000 });
    },
    podside_ip_netns: async (i) => {
      await o.runner.run({ argv: ['ip', '-n', o.netnsName, '-batch', '-'], input: lines(ipv4FromNumber(0x0a620000 + i)), timeoutMs: 10_000 });
    },
    podside_helper: (i) => helper.podSide({ netns: netnsPath, ifName: 'ps0', address: parseIpv4Cidr(`${ipv4FromNumber(0x0a630000 + i)}/32`, 'a'), gateway: GATEWAY }),
    ipam_exec: async (i) => {
      await exec.add(ipamReq(`exec-${i}`));
      await exec.del(ipamReq(`exec-${i}`));
    },
    ipam_in_process: async (i) => {
      await inProcess.add(ipamReq(`inproc-${i}`));
      await inProcess.del(ipamReq(`inproc-${i}`));
    },
  };
  const names = Object.keys(options);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  try {
    // One warm-up round, not counted (first exec of each binary, the helper's start).
    for (const name of names) await options[name]!(0);
    for (let i = 1; i <= o.rounds; i++) {
      const order = [...names.slice(i % names.length), ...names.slice(0, i % names.length)];
      for (const name of order) {
        const started = performance.now();
        await options[name]!(i);
        times[name]!.push(performance.now() - started);
      }
    }
  } finally {
    await helper.close();
  }
  return Object.fromEntries(names.map((n) => [`${n}_p50_ms`, Math.round(percentile(times[n]!, 50) * 100) / 100]));
}

export const STEP_DATA_DIR = (dir: string) => join(dir, 'steps-ipam');
