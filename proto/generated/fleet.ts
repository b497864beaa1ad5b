import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Condition as _hostpilot_v1_Condition, Condition__Output as _hostpilot_v1_Condition__Output } from './hostpilot/v1/Condition.js';
import type { Deployment as _hostpilot_v1_Deployment, Deployment__Output as _hostpilot_v1_Deployment__Output } from './hostpilot/v1/Deployment.js';
import type { Directive as _hostpilot_v1_Directive, Directive__Output as _hostpilot_v1_Directive__Output } from './hostpilot/v1/Directive.js';
import type { FleetClient as _hostpilot_v1_FleetClient, FleetDefinition as _hostpilot_v1_FleetDefinition } from './hostpilot/v1/Fleet.js';
import type { ListNodesReply as _hostpilot_v1_ListNodesReply, ListNodesReply__Output as _hostpilot_v1_ListNodesReply__Output } from './hostpilot/v1/ListNodesReply.js';
import type { ListNodesRequest as _hostpilot_v1_ListNodesRequest, ListNodesRequest__Output as _hostpilot_v1_ListNodesRequest__Output } from './hostpilot/v1/ListNodesRequest.js';
import type { NodeRecord as _hostpilot_v1_NodeRecord, NodeRecord__Output as _hostpilot_v1_NodeRecord__Output } from './hostpilot/v1/NodeRecord.js';
import type { NodeReport as _hostpilot_v1_NodeReport, NodeReport__Output as _hostpilot_v1_NodeReport__Output } from './hostpilot/v1/NodeReport.js';
import type { OsFacts as _hostpilot_v1_OsFacts, OsFacts__Output as _hostpilot_v1_OsFacts__Output } from './hostpilot/v1/OsFacts.js';
import type { OsTarget as _hostpilot_v1_OsTarget, OsTarget__Output as _hostpilot_v1_OsTarget__Output } from './hostpilot/v1/OsTarget.js';
import type { RegisterReply as _hostpilot_v1_RegisterReply, RegisterReply__Output as _hostpilot_v1_RegisterReply__Output } from './hostpilot/v1/RegisterReply.js';
import type { RegisterRequest as _hostpilot_v1_RegisterRequest, RegisterRequest__Output as _hostpilot_v1_RegisterRequest__Output } from './hostpilot/v1/RegisterRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  hostpilot: {
    v1: {
      Condition: MessageTypeDefinition<_hostpilot_v1_Condition, _hostpilot_v1_Condition__Output>
      Deployment: MessageTypeDefinition<_hostpilot_v1_Deployment, _hostpilot_v1_Deployment__Output>
      Directive: MessageTypeDefinition<_hostpilot_v1_Directive, _hostpilot_v1_Directive__Output>
      Fleet: SubtypeConstructor<typeof grpc.Client, _hostpilot_v1_FleetClient> & { service: _hostpilot_v1_FleetDefinition }
      ListNodesReply: MessageTypeDefinition<_hostpilot_v1_ListNodesReply, _hostpilot_v1_ListNodesReply__Output>
      ListNodesRequest: MessageTypeDefinition<_hostpilot_v1_ListNodesRequest, _hostpilot_v1_ListNodesRequest__Output>
      NodeRecord: MessageTypeDefinition<_hostpilot_v1_NodeRecord, _hostpilot_v1_NodeRecord__Output>
      NodeReport: MessageTypeDefinition<_hostpilot_v1_NodeReport, _hostpilot_v1_NodeReport__Output>
      OsFacts: MessageTypeDefinition<_hostpilot_v1_OsFacts, _hostpilot_v1_OsFacts__Output>
      OsTarget: MessageTypeDefinition<_hostpilot_v1_OsTarget, _hostpilot_v1_OsTarget__Output>
      RegisterReply: MessageTypeDefinition<_hostpilot_v1_RegisterReply, _hostpilot_v1_RegisterReply__Output>
      RegisterRequest: MessageTypeDefinition<_hostpilot_v1_RegisterRequest, _hostpilot_v1_RegisterRequest__Output>
    }
  }
}

