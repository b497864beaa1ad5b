import type * as grpc from '@grpc/grpc-js';
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
import { callerOf, unary } from './call.js';
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
  };
}

export interface ReportCounters {
  throttled: Counter;
  coalesced: Counter;
}

export function reportCounters(registry: Registry): ReportCounters {
  return {
    throttled: new Counter({ name: 'hostpilot_report_throttled_total', help: 'Node reports held back because their node reported faster than its rate.', registers: [registry] }),
    coalesced: new Counter({ name: 'hostpilot_report_coalesced_total', help: 'Node reports replaced by a newer report of the same node before they were applied.', registers: [registry] }),
  };
}

export function fleetHandlers(fleet: FleetRegistry, auth: Authorizer, log: Logger, registry: Registry, rate: ThrottleOptions = DEFAULT_REPORT_RATE): FleetHandlers {
  const counters = reportCounters(registry);
  return {
    Register: unary(auth, async (req, caller) => {
      auth.requireNode(caller, req.node_id);
      await fleet.register(req);
      return { heartbeat_interval_ms: fleet.options.heartbeatIntervalMs };
    }),
    ListNodes: unary(auth, async (_req, caller) => {
      auth.requireAdmin(caller);
      return { nodes: fleet.list().map(toWireNode) };
    }),
    Report: (call: grpc.ServerDuplexStream<NodeReport__Output, Directive>) => reportStream(call, fleet, auth, log, counters, rate),
  };
}

// One stream per node. The first report names the node; every later one must
// name the same node. Reports are applied in order, at most one at a time and
// within the node's rate; a newer report replaces one still waiting
// (report-throttle.ts).
function reportStream(
  call: grpc.ServerDuplexStream<NodeReport__Output, Directive>,
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
  const fail = (err: unknown) => {
    if (failed) return;
    failed = true;
    throttle.close();
    detach?.();
    call.emit('error', toServiceError(err));
  };
  const throttle = new ReportThrottle<NodeReport__Output>(
    {
      apply: async (report) => {
        if (failed) return;
        auth.requireNode(caller, report.node_id);
        if (nodeId === undefined) {
          const view = await fleet.report(report);
          nodeId = view.nodeId;
          detach = fleet.attach(nodeId, (d) => {
            if (!call.writableEnded && !call.destroyed) call.write(d);
          });
          log.info('node stream open', { node: nodeId });
        } else if (report.node_id !== nodeId) {
          throw new InvalidArgumentError('node_id', `this stream reports for ${nodeId}, not ${report.node_id}`);
        } else {
          await fleet.report(report);
        }
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
  call.on('data', (report: NodeReport__Output) => throttle.offer(report));
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
