// Original file: proto/hostpilot/v1/rollouts.proto


export interface RolloutRef {
  'id'?: (string);
  /**
   * Get only. Nodes per page of `nodes` (in node id order) [0: 1000, also the most].
   */
  'node_page_size'?: (number);
  /**
   * Get only. next_node_page_token of the previous page; empty: the first page.
   */
  'node_page_token'?: (string);
  /**
   * Get only. The counts without any node (`nodes` empty).
   */
  'summary_only'?: (boolean);
}

export interface RolloutRef__Output {
  'id': (string);
  /**
   * Get only. Nodes per page of `nodes` (in node id order) [0: 1000, also the most].
   */
  'node_page_size': (number);
  /**
   * Get only. next_node_page_token of the previous page; empty: the first page.
   */
  'node_page_token': (string);
  /**
   * Get only. The counts without any node (`nodes` empty).
   */
  'summary_only': (boolean);
}
