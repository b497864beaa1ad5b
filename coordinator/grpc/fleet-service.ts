import type * as grpc from '@grpc/grpc-js';
import { hostpilotProto } from '../../common/proto.js';
import { Counter, type Registry } from 'prom-client';
import { InvalidArgumentError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { Directive } from '../../proto/generated/hostpilot/v1/Directive.js';
import type { FleetHandlers } from '../../proto/generated/hostpilot/v1/Fleet.js';
import type { NodeRecord as WireNodeRecord } from '../../proto/generated/hostpilot/v1/NodeRecord.js';
import type { NodeReport__Output } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { FleetRegistry, NodeView } from '../fleet/registry.js';
import { DEFAULT_REPORT_RATE, ReportThrottle, type ThrottleOptions } from '../fleet/report-throttle.js';
import type { PoolView } from '../rollout/pools.js';
import type { PoolStatus } from '../../proto/generated/hostpilot/v1/PoolStatus.js';
import { callerOf, unary } from './call.js';
import { decodePageToken, pageSize, takePage } from './node-pages.js';
import { toServiceError } from '../../common/api/grpc-errors.js';

export function toWireNode(n: NodeView): WireNodeRecord {
  return {
    node_id: n.nodeId,
    hostname: n.hostname,
    labels: n.labels,
    os: n.os,
    deployments: n.deployments,
    flow_state: n.flowState,
    flow_target: n.flowTarget,
    flow_error: n.flowError,
    conditions: n.conditions,
    state: n.state,
    last_seen_unix_ms: n.lastSeen,
    connected: n.connected,
    desired: n.desired ? { target: n.desired.target, rollout_id: n.desired.rolloutId } : null,
    excluded: n.excluded !== undefined,
    excluded_reason: n.excluded?.reason ?? '',
    excluded_since_unix_ms: n.excluded?.since ?? 0,
    config_hash: n.configHash ?? '',
    desired_config_hash: n.desiredConfig?.hash ?? '',
  };
}

export interface ReportCounters {
  throttled: Counter;
  coalesced: Counter;
  repeated: Counter;
}

export function reportCounters(registry: Registry): ReportCounters {
  return {
    throttled: new Counter({ name: 'hostpilot_report_throttled_total', help: 'Node reports held back because their node reported faster than its rate.', registers: [registry] }),
    coalesced: new Counter({ name: 'hostpilot_report_coalesced_total', help: 'Node reports replaced by a newer report of the same node before they were applied.', registers: [registry] }),
    repeated: new Counter({ name: 'hostpilot_report_repeated_total', help: 'Node reports that repeated the last one of their stream byte for byte (heartbeats): only lastSeen moved.', registers: [registry] }),
  };
}

/** A pool as `pools list` shows it: the rollout view, and whether remediation is held there. */
export type PoolListing = PoolView & { remediationStorm?: boolean; remediationPaused?: boolean };

export function toWirePool(p: PoolListing): PoolStatus {
  return {
    name: p.name,
    nodes: p.nodes,
    ready: p.ready,
    updating: p.updating,
    degraded: p.degraded,
    excluded: p.excluded,
    unreachable: p.unreachable,
    versions: p.versions,
    rollout: p.rollout,
    budget: p.budget,
    budget_used_by: p.usedBy.map((h) => ({ node_id: h.nodeId, why: h.why, since_unix_ms: h.since ?? 0 })),
    config_target: p.configTarget,
    configs: p.configs,
    remediation_storm: p.remediationStorm ?? false,
    remediation_paused: p.remediationPaused ?? false,
  };
}

/** Why an operator excluded a node: one line a person wrote. */
function excludeReason(reason: string): string {
  const text = reason.trim();
  if (text === '' || text.length > 500 || /[\r\n]/.test(text)) throw new InvalidArgumentError('reason', 'is one line of 1-500 characters saying why the node is excluded');
  return text;
}

/**
 * The Fleet service as served. Report messages reach the handler as their
 * bytes: an idle fleet's traffic is heartbeats that repeat the node's last
 * report byte for byte (the report carries no clock), and such a repeat is
 * not decoded, built into a record or compared (reportStream).
 */
export function fleetService(): grpc.ServiceDefinition {
  const fleet = hostpilotProto().hostpilot.v1.Fleet.service;
  return { ...fleet, Report: { ...fleet.Report, requestDeserialize: (bytes: Buffer) => bytes } };
}

function decodeReport(bytes: Buffer): NodeReport__Output {
  try {
    return hostpilotProto().hostpilot.v1.Fleet.service.Report.requestDeserialize(bytes);
  } catch (err) {
    throw new InvalidArgumentError('report', `is not a NodeReport message (${(err as Error).message})`);
  }
}

/**
 * Kept for the next report's comparison: grpc-js hands out slices of a shared
 * 8 KB pool, and one kept slice per node would hold a whole slab each.
 */
function ownCopy(bytes: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(bytes.length);
  bytes.copy(copy);
  return copy;
}

/** fleetHandlers' Report takes the bytes of each message (fleetService). */
export type FleetServerHandlers = Omit<FleetHandlers, 'Report'> & { Report: grpc.handleBidiStreamingCall<Buffer, Directive> };

export function fleetHandlers(
  fleet: FleetRegistry,
  auth: Authorizer,
  log: Logger,
  registry: Registry,
  pools: (poolLabel: string) => Promise<PoolListing[]>,
  rate: ThrottleOptions = DEFAULT_REPORT_RATE,
): FleetServerHandlers {
  const counters = reportCounters(registry);
  return {
    Register: unary(auth, async (req, caller) => {
      auth.requireNode(caller, req.node_id);
      await fleet.register(req);
      return { heartbeat_interval_ms: fleet.options.heartbeatIntervalMs };
    }),
    ListNodes: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      const size = pageSize(req.page_size);
      const after = decodePageToken(req.page_token);
      return takePage(mapIter(fleet.listAfter(after), toWireNode), size);
    }),
    ResetNode: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return toWireNode(await fleet.reset(req.node_id));
    }),
    RemoveNode: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      const { wasConnected } = await fleet.remove(req.node_id, req.force);
      return { removed: true, was_connected: wasConnected };
    }),
    ExcludeNode: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return toWireNode(await fleet.exclude(req.node_id, excludeReason(req.reason)));
    }),
    IncludeNode: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return toWireNode(await fleet.include(req.node_id));
    }),
    ListPools: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      return { pools: (await pools(req.pool_label || 'pool')).map(toWirePool) };
    }),
    Report: (call: grpc.ServerDuplexStream<Buffer, Directive>) => reportStream(call, fleet, auth, log, counters, rate),
  };
}

// One stream per node. The first report names the node; every later one must
// name the same node. Reports are applied in order, at most one at a time and
// within the node's rate; a newer report replaces one still waiting
// (report-throttle.ts). A report that repeats the last one applied on this
// stream byte for byte only refreshes lastSeen (FleetRegistry.repeatReport).
function reportStream(
  call: grpc.ServerDuplexStream<Buffer, Directive>,
  fleet: FleetRegistry,
  auth: Authorizer,
  log: Logger,
  counters: ReportCounters,
  rate: ThrottleOptions,
): void {
  let nodeId: string | undefined;
  let detach: (() => void) | undefined;
  let failed = false;
  let warned = false;
  let lastApplied: Buffer | undefined;
  const fail = (err: unknown) => {
    if (failed) return;
    failed = true;
    throttle.close();
    detach?.();
    call.emit('error', toServiceError(err));
  };
  // The first report names the node and attaches the stream; later ones must name the same node.
  const applyInFull = async (bytes: Buffer): Promise<void> => {
    const report = decodeReport(bytes);
    auth.requireNode(caller, report.node_id);
    if (nodeId === undefined) {
      const view = await fleet.report(report);
      nodeId = view.nodeId;
      detach = fleet.attach(
        nodeId,
        (d) => {
          if (!call.writableEnded && !call.destroyed) call.write(d);
        },
        () => {
          if (!call.writableEnded) call.end();
        },
      );
      log.info('node stream open', { node: nodeId });
    } else if (report.node_id !== nodeId) {
      throw new InvalidArgumentError('node_id', `this stream reports for ${nodeId}, not ${report.node_id}`);
    } else {
      await fleet.report(report);
    }
    lastApplied = ownCopy(bytes);
  };
  const throttle = new ReportThrottle<Buffer>(
    {
      apply: (bytes) => {
        if (failed) return undefined;
        if (nodeId !== undefined && lastApplied?.equals(bytes)) {
          const repeat = fleet.repeatReport(nodeId);
          if (repeat !== false) {
            counters.repeated.inc();
            return repeat === true ? undefined : repeat;
          }
        }
        return applyInFull(bytes);
      },
      pause: () => call.pause(),
      resume: () => call.resume(),
      onThrottled: () => {
        counters.throttled.inc();
        if (!warned) log.warn('node reports faster than its rate: throttled', { node: nodeId ?? '?', ratePerSecond: rate.ratePerSecond });
        warned = true;
      },
      onCoalesced: () => counters.coalesced.inc(),
      onError: fail,
    },
    rate,
  );
  let caller: ReturnType<typeof callerOf>;
  try {
    caller = callerOf(auth, call);
  } catch (err) {
    fail(err);
    return;
  }
  call.on('data', (bytes: Buffer) => throttle.offer(bytes));
  const close = () => {
    throttle.close();
    detach?.();
  };
  call.on('end', () => {
    close();
    if (!failed && !call.writableEnded) call.end();
  });
  call.on('cancelled', close);
  call.on('error', close);
  call.on('close', close);
}

function* mapIter<T, U>(items: Iterable<T>, fn: (item: T) => U): IterableIterator<U> {
  for (const item of items) yield fn(item);
}
