// Original file: proto/hostpilot/v1/resources.proto


export interface GetResourcesRequest {
  /**
   * Any spelling: Rollout, rollouts, lockgroup...
   */
  'kind'?: (string);
  /**
   * Empty: every object of the kind.
   */
  'name'?: (string);
}

export interface GetResourcesRequest__Output {
  /**
   * Any spelling: Rollout, rollouts, lockgroup...
   */
  'kind': (string);
  /**
   * Empty: every object of the kind.
   */
  'name': (string);
}
