import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ListRemediationsReply as _hostpilot_v1_ListRemediationsReply, ListRemediationsReply__Output as _hostpilot_v1_ListRemediationsReply__Output } from './hostpilot/v1/ListRemediationsReply.js';
import type { ListRemediationsRequest as _hostpilot_v1_ListRemediationsRequest, ListRemediationsRequest__Output as _hostpilot_v1_ListRemediationsRequest__Output } from './hostpilot/v1/ListRemediationsRequest.js';
import type { RemediationClient as _hostpilot_v1_RemediationClient, RemediationDefinition as _hostpilot_v1_RemediationDefinition } from './hostpilot/v1/Remediation.js';
import type { RemediationEntry as _hostpilot_v1_RemediationEntry, RemediationEntry__Output as _hostpilot_v1_RemediationEntry__Output } from './hostpilot/v1/RemediationEntry.js';
import type { RemediationHistoryEntry as _hostpilot_v1_RemediationHistoryEntry, RemediationHistoryEntry__Output as _hostpilot_v1_RemediationHistoryEntry__Output } from './hostpilot/v1/RemediationHistoryEntry.js';
import type { RemediationHistoryReply as _hostpilot_v1_RemediationHistoryReply, RemediationHistoryReply__Output as _hostpilot_v1_RemediationHistoryReply__Output } from './hostpilot/v1/RemediationHistoryReply.js';
import type { RemediationHistoryRequest as _hostpilot_v1_RemediationHistoryRequest, RemediationHistoryRequest__Output as _hostpilot_v1_RemediationHistoryRequest__Output } from './hostpilot/v1/RemediationHistoryRequest.js';
import type { RemediationPoolRequest as _hostpilot_v1_RemediationPoolRequest, RemediationPoolRequest__Output as _hostpilot_v1_RemediationPoolRequest__Output } from './hostpilot/v1/RemediationPoolRequest.js';
import type { RemediationPoolStatus as _hostpilot_v1_RemediationPoolStatus, RemediationPoolStatus__Output as _hostpilot_v1_RemediationPoolStatus__Output } from './hostpilot/v1/RemediationPoolStatus.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  hostpilot: {
    v1: {
      ListRemediationsReply: MessageTypeDefinition<_hostpilot_v1_ListRemediationsReply, _hostpilot_v1_ListRemediationsReply__Output>
      ListRemediationsRequest: MessageTypeDefinition<_hostpilot_v1_ListRemediationsRequest, _hostpilot_v1_ListRemediationsRequest__Output>
      Remediation: SubtypeConstructor<typeof grpc.Client, _hostpilot_v1_RemediationClient> & { service: _hostpilot_v1_RemediationDefinition }
      RemediationEntry: MessageTypeDefinition<_hostpilot_v1_RemediationEntry, _hostpilot_v1_RemediationEntry__Output>
      RemediationHistoryEntry: MessageTypeDefinition<_hostpilot_v1_RemediationHistoryEntry, _hostpilot_v1_RemediationHistoryEntry__Output>
      RemediationHistoryReply: MessageTypeDefinition<_hostpilot_v1_RemediationHistoryReply, _hostpilot_v1_RemediationHistoryReply__Output>
      RemediationHistoryRequest: MessageTypeDefinition<_hostpilot_v1_RemediationHistoryRequest, _hostpilot_v1_RemediationHistoryRequest__Output>
      RemediationPoolRequest: MessageTypeDefinition<_hostpilot_v1_RemediationPoolRequest, _hostpilot_v1_RemediationPoolRequest__Output>
      RemediationPoolStatus: MessageTypeDefinition<_hostpilot_v1_RemediationPoolStatus, _hostpilot_v1_RemediationPoolStatus__Output>
    }
  }
}

