// The events a rollout change is worth telling a person about, from the
// rollout before and after a step or an operator's call and the nodes the
// step changed. Pure.
import type { RolloutHeadFields, RolloutNode } from '../rollout/types.js';
import type { NotifyEvent } from './event.js';

export interface NodeChanges {
  /** Nodes in the rollout. */
  total: number;
  /** Each changed node: id, entry before (undefined: new), entry after. */
  changed: Iterable<readonly [string, RolloutNode | undefined, RolloutNode]>;
}

export function rolloutEvents(before: RolloutHeadFields | undefined, after: RolloutHeadFields, now: number, nodes: NodeChanges): NotifyEvent[] {
  const time = new Date(now).toISOString();
  const id = after.spec.id;
  const target = after.spec.target;
  const events: NotifyEvent[] = [];
  const nodeEvents: NotifyEvent[] = [];
  const phase = before?.phase;
  if (phase !== after.phase) {
    const why = after.reason ? `: ${after.reason}` : '';
    switch (after.phase) {
      case 'running':
        if (phase === 'paused') events.push({ event: 'rollout.resumed', time, rollout: id, target, text: `rollout ${id} to ${target} resumed` });
        else events.push({ event: 'rollout.started', time, rollout: id, target, text: `rollout ${id} to ${target} started (${nodes.total} node(s))` });
        break;
      case 'paused':
        events.push({ event: 'rollout.paused', time, rollout: id, target, text: `rollout ${id} to ${target} paused${why}`, ...(after.reason ? { reason: after.reason } : {}) });
        break;
      case 'completed':
        events.push({ event: 'rollout.completed', time, rollout: id, target, text: `rollout ${id} to ${target} completed` });
        break;
      case 'aborted':
        events.push({ event: 'rollout.aborted', time, rollout: id, target, text: `rollout ${id} to ${target} aborted${why}`, ...(after.reason ? { reason: after.reason } : {}) });
        break;
    }
  }
  for (const [node, old, n] of nodes.changed) {
    const was = old?.phase;
    if (n.phase !== 'failed' || was === 'failed') continue;
    const reason = n.error ?? 'failed';
    // A node leaves "reverting" for "failed" once it runs its previous version again.
    if (was === 'reverting') nodeEvents.push({ event: 'node.rolledBack', time, rollout: id, target, node, reason, text: `node ${node} rolled back (rollout ${id}): ${reason}` });
    else nodeEvents.push({ event: 'node.failed', time, rollout: id, target, node, reason, text: `node ${node} failed to update to ${target} (rollout ${id}): ${reason}` });
  }
  // In the order they happened: a rollout starts before its nodes fail, and pauses or ends after.
  return after.phase === 'running' ? [...events, ...nodeEvents] : [...nodeEvents, ...events];
}
