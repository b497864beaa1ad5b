// Original file: proto/hostpilot/v1/resources.proto


export interface ResourceChange {
  'kind'?: (string);
  'name'?: (string);
  /**
   * created | configured | unchanged | deleted | not-found
   */
  'action'?: (string);
  /**
   * One line per changed field: `spec.maxUnavailable: "1" -> "10%"`.
   */
  'changes'?: (string)[];
}

export interface ResourceChange__Output {
  'kind': (string);
  'name': (string);
  /**
   * created | configured | unchanged | deleted | not-found
   */
  'action': (string);
  /**
   * One line per changed field: `spec.maxUnavailable: "1" -> "10%"`.
   */
  'changes': (string)[];
}
