// Original file: proto/hostpilot/v1/remediation.proto

import type { Long } from '@grpc/proto-loader';

export interface RemediationEntry {
  'node_id'?: (string);
  'pool'?: (string);
  'policy'?: (string);
  /**
   * The condition type that made the node unhealthy ("Unreachable" for a silent node).
   */
  'condition'?: (string);
  'since_unix_ms'?: (number | string | Long);
  /**
   * "restart-unit kubelet.service", "reboot", "reprovision"; empty while no step is under way.
   */
  'step'?: (string);
  /**
   * 1-based index of the step in the policy's ladder; 0: none.
   */
  'step_index'?: (number);
  /**
   * Steps ordered in this remediation.
   */
  'attempts'?: (number);
  /**
   * When the step under way times out and the next is due (or when a waiting node becomes due); 0: none.
   */
  'next_step_unix_ms'?: (number | string | Long);
  'order_id'?: (string);
  /**
   * running | succeeded | failed, as the agent reported; empty: no answer yet.
   */
  'result'?: (string);
  /**
   * Why nothing moves, when nothing does.
   */
  'message'?: (string);
  'needs_reprovision'?: (boolean);
}

export interface RemediationEntry__Output {
  'node_id': (string);
  'pool': (string);
  'policy': (string);
  /**
   * The condition type that made the node unhealthy ("Unreachable" for a silent node).
   */
  'condition': (string);
  'since_unix_ms': (number);
  /**
   * "restart-unit kubelet.service", "reboot", "reprovision"; empty while no step is under way.
   */
  'step': (string);
  /**
   * 1-based index of the step in the policy's ladder; 0: none.
   */
  'step_index': (number);
  /**
   * Steps ordered in this remediation.
   */
  'attempts': (number);
  /**
   * When the step under way times out and the next is due (or when a waiting node becomes due); 0: none.
   */
  'next_step_unix_ms': (number);
  'order_id': (string);
  /**
   * running | succeeded | failed, as the agent reported; empty: no answer yet.
   */
  'result': (string);
  /**
   * Why nothing moves, when nothing does.
   */
  'message': (string);
  'needs_reprovision': (boolean);
}
