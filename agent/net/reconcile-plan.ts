// The reconciler's pure core: from the CNI records (desired) and what the
// host shows (observed), the list of repairs. No I/O here.
import type { LinkState, RouteState } from './host-state.js';
import { hostRouteFor, podSysctls } from './plumbing.js';
import type { PodRecord } from './state-store.js';
import { isHostVethName, parseIpv4Cidr } from './validate.js';

export const DRIFT_KINDS = ['pod_gone', 'veth_missing', 'route_missing', 'sysctl', 'orphan_veth', 'stale_route'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export type Repair =
  /** The pod's namespace is gone: remove its veth, release its address, drop the record. */
  | { kind: 'pod_gone'; record: PodRecord }
  /** The namespace is there but the veth pair is not: set the pod up again. */
  | { kind: 'veth_missing'; record: PodRecord }
  | { kind: 'route_missing'; dst: string; dev: string }
  | { kind: 'sysctl'; key: string; value: string; was: string | undefined }
  /** One of our veths with no record: a pod that was never cleaned up. */
  | { kind: 'orphan_veth'; name: string }
  /** A /32 route on a pod's veth for an address that is not the pod's. */
  | { kind: 'stale_route'; dst: string; dev: string };

export interface Observed {
  veths: readonly LinkState[];
  routes: readonly RouteState[];
  sysctls: ReadonlyMap<string, string>;
  netnsExists: (path: string) => boolean;
}

/** The sysctls to read for this set of records (only pods whose veth exists). */
export function sysctlsToRead(records: readonly PodRecord[], veths: readonly LinkState[]): string[] {
  const names = new Set(veths.map((l) => l.name));
  const keys = new Set<string>();
  for (const r of records) if (r.phase === 'ready' && names.has(r.hostVeth)) for (const k of podSysctls(r.hostVeth, r.uplink, r.mode).keys()) keys.add(k);
  return [...keys];
}

export function planRepairs(records: readonly PodRecord[], observed: Observed, vethPrefixes: readonly string[]): Repair[] {
  const repairs: Repair[] = [];
  const vethNames = new Set(observed.veths.map((l) => l.name));
  const recorded = new Set(records.map((r) => r.hostVeth));
  const sysctlWanted = new Map<string, string>();

  for (const record of records) {
    if (!observed.netnsExists(record.netns)) {
      repairs.push({ kind: 'pod_gone', record });
      continue;
    }
    // An ADD or DEL in progress (or one that crashed, which the runtime retries): hands off.
    if (record.phase !== 'ready') continue;
    if (!vethNames.has(record.hostVeth)) {
      repairs.push({ kind: 'veth_missing', record });
      continue;
    }
    const dst = hostRouteFor({ address: parseIpv4Cidr(record.address, 'address') });
    const onVeth = observed.routes.filter((r) => r.dev === record.hostVeth);
    if (!onVeth.some((r) => r.dst === dst && !r.gateway)) repairs.push({ kind: 'route_missing', dst, dev: record.hostVeth });
    for (const r of onVeth) if (r.dst !== dst && r.dst.endsWith('/32')) repairs.push({ kind: 'stale_route', dst: r.dst, dev: record.hostVeth });
    for (const [key, value] of podSysctls(record.hostVeth, record.uplink, record.mode)) sysctlWanted.set(key, value);
  }
  for (const [key, value] of sysctlWanted) {
    const was = observed.sysctls.get(key);
    if (was !== value) repairs.push({ kind: 'sysctl', key, value, was });
  }
  const prefixes = [...new Set([...vethPrefixes, ...records.map((r) => r.hostVethPrefix)])];
  for (const link of observed.veths) {
    if (recorded.has(link.name)) continue;
    if (prefixes.some((p) => isHostVethName(link.name, p))) repairs.push({ kind: 'orphan_veth', name: link.name });
  }
  return repairs;
}

export function describeRepair(r: Repair): string {
  switch (r.kind) {
    case 'pod_gone':
      return `pod ${r.record.containerId}/${r.record.ifName} is gone (${r.record.netns}): removed veth ${r.record.hostVeth}${r.record.address ? `, released ${r.record.address}` : ''}`;
    case 'veth_missing':
      return `veth ${r.record.hostVeth} of pod ${r.record.containerId}/${r.record.ifName} was missing: set up again`;
    case 'route_missing':
      return `route ${r.dst} dev ${r.dev} was missing: added`;
    case 'sysctl':
      return `${r.key} was ${r.was ?? 'absent'}: set to ${r.value}`;
    case 'orphan_veth':
      return `veth ${r.name} has no pod record: removed`;
    case 'stale_route':
      return `route ${r.dst} dev ${r.dev} is not the pod's: removed`;
    default: {
      const never: never = r;
      return String(never);
    }
  }
}
