// hostpilot.v1.Remediation: the remediation controller for operators.
import type { RemediationController, RemediationEntry } from '../remediation/controller.js';
import type { RemediationHandlers } from '../../proto/generated/hostpilot/v1/Remediation.js';
import type { RemediationEntry as WireEntry } from '../../proto/generated/hostpilot/v1/RemediationEntry.js';
import type { Authorizer } from '../auth/authorizer.js';
import { unary } from './call.js';

function toWireEntry(e: RemediationEntry): WireEntry {
  return {
    node_id: e.node,
    pool: e.pool,
    policy: e.policy,
    condition: e.condition,
    since_unix_ms: e.since,
    step: e.step,
    step_index: e.stepIndex,
    attempts: e.attempts,
    next_step_unix_ms: e.nextStepAt,
    order_id: e.orderId,
    result: e.result,
    message: e.message,
    needs_reprovision: e.needsReprovision,
  };
}

export function remediationHandlers(controller: RemediationController, auth: Authorizer): RemediationHandlers {
  return {
    List: unary(auth, async (_req, caller) => {
      auth.requireAdmin(caller);
      return { remediations: (await controller.list()).map(toWireEntry) };
    }),
    History: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      const r = await controller.history(req.node_id);
      const active = (await controller.list()).find((e) => e.node === r.node);
      return {
        node_id: r.node,
        ...(active ? { active: toWireEntry(active) } : {}),
        history: r.history.map((h) => ({ at_unix_ms: h.at, episode: h.episode, event: h.event, action: h.action ?? '', order_id: h.orderId ?? '', message: h.message })),
        reboots_unix_ms: r.reboots,
        needs_reprovision: r.needsReprovision !== undefined,
      };
    }),
    Pause: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      const p = await controller.pause(req.pool);
      return { pool: p.pool, paused: p.paused, storm: p.storm };
    }),
    Resume: unary(auth, async (req, caller) => {
      auth.requireAdmin(caller);
      const p = await controller.resume(req.pool);
      return { pool: p.pool, paused: p.paused, storm: p.storm };
    }),
  };
}
