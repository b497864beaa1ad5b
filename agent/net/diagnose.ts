// What CHECK compares: the pod's network as it is against what ADD recorded.
import type { HostPlumbing } from './plumbing.js';
import { hostRouteFor, podSysctls } from './plumbing.js';
import type { PodRecord } from './state-store.js';
import { parseIpv4Cidr } from './validate.js';

/** Human-readable differences; empty when all is as ADD left it. */
export async function diagnosePod(plumbing: HostPlumbing, record: PodRecord): Promise<string[]> {
  const problems: string[] = [];
  const address = parseIpv4Cidr(record.address, 'address');
  const [veth] = await plumbing.links(record.hostVeth);
  if (!veth) problems.push(`host veth ${record.hostVeth} is missing`);
  else if (!veth.up) problems.push(`host veth ${record.hostVeth} is down`);
  const dst = hostRouteFor({ address });
  const routes = await plumbing.routes();
  if (!routes.some((r) => r.dst === dst && r.dev === record.hostVeth && !r.gateway)) problems.push(`host route ${dst} dev ${record.hostVeth} is missing`);
  const wanted = podSysctls(record.hostVeth, record.uplink, record.mode);
  const actual = await plumbing.readSysctls(wanted.keys());
  for (const [key, value] of wanted) if (actual.get(key) !== value) problems.push(`${key} is ${actual.get(key) ?? 'absent'}, want ${value}`);
  const [podIf] = await plumbing.addresses(record.ifName, record.netns);
  if (!podIf) problems.push(`${record.ifName} is missing in ${record.netns}`);
  else if (!podIf.cidrs.includes(address.text)) problems.push(`${record.ifName} in the pod lacks ${address.text}`);
  const podRoutes = podIf ? await plumbing.routes(record.netns) : [];
  if (podIf && !podRoutes.some((r) => r.dst === 'default' && r.gateway === record.gateway && r.dev === record.ifName)) {
    problems.push(`pod default route via ${record.gateway} dev ${record.ifName} is missing`);
  }
  return problems;
}
