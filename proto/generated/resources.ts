import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ApplyReply as _hostpilot_v1_ApplyReply, ApplyReply__Output as _hostpilot_v1_ApplyReply__Output } from './hostpilot/v1/ApplyReply.js';
import type { ApplyRequest as _hostpilot_v1_ApplyRequest, ApplyRequest__Output as _hostpilot_v1_ApplyRequest__Output } from './hostpilot/v1/ApplyRequest.js';
import type { DeleteResourcesRequest as _hostpilot_v1_DeleteResourcesRequest, DeleteResourcesRequest__Output as _hostpilot_v1_DeleteResourcesRequest__Output } from './hostpilot/v1/DeleteResourcesRequest.js';
import type { GetResourcesReply as _hostpilot_v1_GetResourcesReply, GetResourcesReply__Output as _hostpilot_v1_GetResourcesReply__Output } from './hostpilot/v1/GetResourcesReply.js';
import type { GetResourcesRequest as _hostpilot_v1_GetResourcesRequest, GetResourcesRequest__Output as _hostpilot_v1_GetResourcesRequest__Output } from './hostpilot/v1/GetResourcesRequest.js';
import type { GitStatusReply as _hostpilot_v1_GitStatusReply, GitStatusReply__Output as _hostpilot_v1_GitStatusReply__Output } from './hostpilot/v1/GitStatusReply.js';
import type { GitStatusRequest as _hostpilot_v1_GitStatusRequest, GitStatusRequest__Output as _hostpilot_v1_GitStatusRequest__Output } from './hostpilot/v1/GitStatusRequest.js';
import type { ResourceChange as _hostpilot_v1_ResourceChange, ResourceChange__Output as _hostpilot_v1_ResourceChange__Output } from './hostpilot/v1/ResourceChange.js';
import type { ResourceDocument as _hostpilot_v1_ResourceDocument, ResourceDocument__Output as _hostpilot_v1_ResourceDocument__Output } from './hostpilot/v1/ResourceDocument.js';
import type { ResourceRef as _hostpilot_v1_ResourceRef, ResourceRef__Output as _hostpilot_v1_ResourceRef__Output } from './hostpilot/v1/ResourceRef.js';
import type { ResourcesClient as _hostpilot_v1_ResourcesClient, ResourcesDefinition as _hostpilot_v1_ResourcesDefinition } from './hostpilot/v1/Resources.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  hostpilot: {
    v1: {
      ApplyReply: MessageTypeDefinition<_hostpilot_v1_ApplyReply, _hostpilot_v1_ApplyReply__Output>
      ApplyRequest: MessageTypeDefinition<_hostpilot_v1_ApplyRequest, _hostpilot_v1_ApplyRequest__Output>
      DeleteResourcesRequest: MessageTypeDefinition<_hostpilot_v1_DeleteResourcesRequest, _hostpilot_v1_DeleteResourcesRequest__Output>
      GetResourcesReply: MessageTypeDefinition<_hostpilot_v1_GetResourcesReply, _hostpilot_v1_GetResourcesReply__Output>
      GetResourcesRequest: MessageTypeDefinition<_hostpilot_v1_GetResourcesRequest, _hostpilot_v1_GetResourcesRequest__Output>
      GitStatusReply: MessageTypeDefinition<_hostpilot_v1_GitStatusReply, _hostpilot_v1_GitStatusReply__Output>
      GitStatusRequest: MessageTypeDefinition<_hostpilot_v1_GitStatusRequest, _hostpilot_v1_GitStatusRequest__Output>
      ResourceChange: MessageTypeDefinition<_hostpilot_v1_ResourceChange, _hostpilot_v1_ResourceChange__Output>
      ResourceDocument: MessageTypeDefinition<_hostpilot_v1_ResourceDocument, _hostpilot_v1_ResourceDocument__Output>
      ResourceRef: MessageTypeDefinition<_hostpilot_v1_ResourceRef, _hostpilot_v1_ResourceRef__Output>
      Resources: SubtypeConstructor<typeof grpc.Client, _hostpilot_v1_ResourcesClient> & { service: _hostpilot_v1_ResourcesDefinition }
    }
  }
}

