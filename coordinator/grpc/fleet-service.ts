import type * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { Directive } from '../../proto/generated/hostpilot/v1/Directive.js';
import type { FleetHandlers } from '../../proto/generated/hostpilot/v1/Fleet.js';
import type { NodeRecord as WireNodeRecord } from '../../proto/generated/hostpilot/v1/NodeRecord.js';
import type { NodeReport__Output } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { FleetRegistry, NodeView } from '../fleet/registry.js';
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

export function fleetHandlers(fleet: FleetRegistry, auth: Authorizer, log: Logger): FleetHandlers {
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
    Report: (call: grpc.ServerDuplexStream<NodeReport__Output, Directive>) => reportStream(call, fleet, auth, log),
  };
}

// One stream per node. The first report names the node; every later one must
// name the same node. Reports are applied in order.
function reportStream(call: grpc.ServerDuplexStream<NodeReport__Output, Directive>, fleet: FleetRegistry, auth: Authorizer, log: Logger): void {
  let nodeId: string | undefined;
  let detach: (() => void) | undefined;
  let chain = Promise.resolve();
  let failed = false;
  const fail = (err: unknown) => {
    if (failed) return;
    failed = true;
    detach?.();
    call.emit('error', toServiceError(err));
  };
  let caller: ReturnType<typeof callerOf>;
  try {
    caller = callerOf(auth, call);
  } catch (err) {
    fail(err);
    return;
  }
  call.on('data', (report: NodeReport__Output) => {
    chain = chain.then(async () => {
      if (failed) return;
      try {
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
      } catch (err) {
        fail(err);
      }
    });
  });
  const close = () => detach?.();
  call.on('end', () => {
    close();
    if (!failed && !call.writableEnded) call.end();
  });
  call.on('cancelled', close);
  call.on('error', close);
  call.on('close', close);
}
