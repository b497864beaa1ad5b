// The events a rollout change is worth telling a person about, from the
// document before and after a step or an operator's call. Pure.
import { describeTarget } from '../rollout/planner.js';
import type { Rollout } from '../rollout/types.js';
import type { NotifyEvent } from './event.js';

export function rolloutEvents(before: Rollout | undefined, after: Rollout, now: number): NotifyEvent[] {
  const time = new Date(now).toISOString();
  const id = after.spec.id;
  // The OS target, the config it carries, or both ("2 + config 3f2a9c01d4e5").
  const target = describeTarget(after.spec);
  const events: NotifyEvent[] = [];
  const nodeEvents: NotifyEvent[] = [];
  const phase = before?.phase;
  if (phase !== after.phase) {
    const why = after.reason ? `: ${after.reason}` : '';
    switch (after.phase) {
      case 'running':
        if (phase === 'paused') events.push({ event: 'rollout.resumed', time, rollout: id, target, text: `rollout ${id} to ${target} resumed` });
        else events.push({ event: 'rollout.started', time, rollout: id, target, text: `rollout ${id} to ${target} started (${Object.keys(after.nodes).length} node(s))` });
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
  for (const [node, n] of Object.entries(after.nodes)) {
    const was = before?.nodes[node]?.phase;
    if (n.phase !== 'failed' || was === 'failed') continue;
    const reason = n.error ?? 'failed';
    // A node leaves "reverting" for "failed" once it runs its previous version again.
    if (was === 'reverting') nodeEvents.push({ event: 'node.rolledBack', time, rollout: id, target, node, reason, text: `node ${node} rolled back (rollout ${id}): ${reason}` });
    else nodeEvents.push({ event: 'node.failed', time, rollout: id, target, node, reason, text: `node ${node} failed to update to ${target} (rollout ${id}): ${reason}` });
  }
  // In the order they happened: a rollout starts before its nodes fail, and pauses or ends after.
  return after.phase === 'running' ? [...events, ...nodeEvents] : [...nodeEvents, ...events];
}
