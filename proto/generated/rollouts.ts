import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ListRolloutsReply as _hostpilot_v1_ListRolloutsReply, ListRolloutsReply__Output as _hostpilot_v1_ListRolloutsReply__Output } from './hostpilot/v1/ListRolloutsReply.js';
import type { ListRolloutsRequest as _hostpilot_v1_ListRolloutsRequest, ListRolloutsRequest__Output as _hostpilot_v1_ListRolloutsRequest__Output } from './hostpilot/v1/ListRolloutsRequest.js';
import type { RolloutBucket as _hostpilot_v1_RolloutBucket, RolloutBucket__Output as _hostpilot_v1_RolloutBucket__Output } from './hostpilot/v1/RolloutBucket.js';
import type { RolloutNodeStatus as _hostpilot_v1_RolloutNodeStatus, RolloutNodeStatus__Output as _hostpilot_v1_RolloutNodeStatus__Output } from './hostpilot/v1/RolloutNodeStatus.js';
import type { RolloutRef as _hostpilot_v1_RolloutRef, RolloutRef__Output as _hostpilot_v1_RolloutRef__Output } from './hostpilot/v1/RolloutRef.js';
import type { RolloutSpec as _hostpilot_v1_RolloutSpec, RolloutSpec__Output as _hostpilot_v1_RolloutSpec__Output } from './hostpilot/v1/RolloutSpec.js';
import type { RolloutStatus as _hostpilot_v1_RolloutStatus, RolloutStatus__Output as _hostpilot_v1_RolloutStatus__Output } from './hostpilot/v1/RolloutStatus.js';
import type { RolloutsClient as _hostpilot_v1_RolloutsClient, RolloutsDefinition as _hostpilot_v1_RolloutsDefinition } from './hostpilot/v1/Rollouts.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  hostpilot: {
    v1: {
      ListRolloutsReply: MessageTypeDefinition<_hostpilot_v1_ListRolloutsReply, _hostpilot_v1_ListRolloutsReply__Output>
      ListRolloutsRequest: MessageTypeDefinition<_hostpilot_v1_ListRolloutsRequest, _hostpilot_v1_ListRolloutsRequest__Output>
      RolloutBucket: MessageTypeDefinition<_hostpilot_v1_RolloutBucket, _hostpilot_v1_RolloutBucket__Output>
      RolloutNodeStatus: MessageTypeDefinition<_hostpilot_v1_RolloutNodeStatus, _hostpilot_v1_RolloutNodeStatus__Output>
      RolloutRef: MessageTypeDefinition<_hostpilot_v1_RolloutRef, _hostpilot_v1_RolloutRef__Output>
      RolloutSpec: MessageTypeDefinition<_hostpilot_v1_RolloutSpec, _hostpilot_v1_RolloutSpec__Output>
      RolloutStatus: MessageTypeDefinition<_hostpilot_v1_RolloutStatus, _hostpilot_v1_RolloutStatus__Output>
      Rollouts: SubtypeConstructor<typeof grpc.Client, _hostpilot_v1_RolloutsClient> & { service: _hostpilot_v1_RolloutsDefinition }
    }
  }
}

