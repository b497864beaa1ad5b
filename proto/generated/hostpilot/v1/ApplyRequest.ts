// Original file: proto/hostpilot/v1/resources.proto

import type { ResourceDocument as _hostpilot_v1_ResourceDocument, ResourceDocument__Output as _hostpilot_v1_ResourceDocument__Output } from '../../hostpilot/v1/ResourceDocument.js';

export interface ApplyRequest {
  'documents'?: (_hostpilot_v1_ResourceDocument)[];
  /**
   * Only say what would change (hostpilotctl diff).
   */
  'dry_run'?: (boolean);
}

export interface ApplyRequest__Output {
  'documents': (_hostpilot_v1_ResourceDocument__Output)[];
  /**
   * Only say what would change (hostpilotctl diff).
   */
  'dry_run': (boolean);
}
