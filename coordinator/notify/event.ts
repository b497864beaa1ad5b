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
  | 'lock.forceReleased';

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
}

/** Where the rollout controller and the lock service send events. Never blocks, never throws. */
export interface Notifier {
  emit(event: NotifyEvent): void;
}

export const nullNotifier: Notifier = { emit() {} };
