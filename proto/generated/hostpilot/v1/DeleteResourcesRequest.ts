// Original file: proto/hostpilot/v1/resources.proto

import type { ResourceRef as _hostpilot_v1_ResourceRef, ResourceRef__Output as _hostpilot_v1_ResourceRef__Output } from '../../hostpilot/v1/ResourceRef.js';

export interface DeleteResourcesRequest {
  'refs'?: (_hostpilot_v1_ResourceRef)[];
  'dry_run'?: (boolean);
}

export interface DeleteResourcesRequest__Output {
  'refs': (_hostpilot_v1_ResourceRef__Output)[];
  'dry_run': (boolean);
}
