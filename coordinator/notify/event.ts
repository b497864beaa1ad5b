// What the coordinator tells webhooks (--notify-url): one JSON object per
// event. `text` is a sentence for a person, so chat webhooks that read `text`
// (Slack, Mattermost, Rocket.Chat) show it as it comes; the other fields are
// for scripts. Keys are camelCase, like every document hostpilot shapes itself.

export type NotifyEventName =
  | 'rollout.started'
  | 'rollout.paused'
  | 'rollout.resumed'
  | 'rollout.completed'
  | 'rollout.aborted'
  | 'node.failed'
  | 'node.rolledBack'
  | 'lock.forceReleased'
  | 'remediation.started'
  | 'remediation.escalated'
  | 'remediation.repaired'
  | 'remediation.needsReprovision'
  | 'remediation.gaveUp'
  | 'remediation.storm'
  | 'remediation.stormCleared'
  | 'remediation.paused'
  | 'remediation.resumed';

export interface NotifyEvent {
  event: NotifyEventName;
  /** ISO 8601, when the coordinator saw the change. */
  time: string;
  text: string;
  rollout?: string;
  target?: string;
  node?: string;
  group?: string;
  /** Why: a pause reason, a node's error. */
  reason?: string;
  /** Remediation: the pool, the step's action and the condition that made the node unhealthy. */
  pool?: string;
  action?: string;
  condition?: string;
}

/** Where the rollout controller and the lock service send events. Never blocks, never throws. */
export interface Notifier {
  emit(event: NotifyEvent): void;
  /** Also to one more URL than --notify-url's (a RemediationPolicy's reprovision hand-off). */
  emitTo?(url: string, event: NotifyEvent): void;
}

export const nullNotifier: Notifier = { emit() {} };
