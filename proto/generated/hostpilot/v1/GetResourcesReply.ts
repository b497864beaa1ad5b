// Original file: proto/hostpilot/v1/resources.proto


export interface GetResourcesReply {
  /**
   * Each a JSON document with metadata (generation, managedBy), spec and status.
   */
  'documents'?: (string)[];
}

export interface GetResourcesReply__Output {
  /**
   * Each a JSON document with metadata (generation, managedBy), spec and status.
   */
  'documents': (string)[];
}
