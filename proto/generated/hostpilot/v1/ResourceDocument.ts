// Original file: proto/hostpilot/v1/resources.proto


export interface ResourceDocument {
  /**
   * Where it came from, for errors: `fleet/rollouts.yaml: document 2 (Rollout "workers-41")`.
   */
  'where'?: (string);
  /**
   * The document as JSON (hostpilotctl parses YAML).
   */
  'json'?: (string);
}

export interface ResourceDocument__Output {
  /**
   * Where it came from, for errors: `fleet/rollouts.yaml: document 2 (Rollout "workers-41")`.
   */
  'where': (string);
  /**
   * The document as JSON (hostpilotctl parses YAML).
   */
  'json': (string);
}
