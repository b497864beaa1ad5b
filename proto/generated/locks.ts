import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ListLocksReply as _hostpilot_v1_ListLocksReply, ListLocksReply__Output as _hostpilot_v1_ListLocksReply__Output } from './hostpilot/v1/ListLocksReply.js';
import type { ListLocksRequest as _hostpilot_v1_ListLocksRequest, ListLocksRequest__Output as _hostpilot_v1_ListLocksRequest__Output } from './hostpilot/v1/ListLocksRequest.js';
import type { LockGroup as _hostpilot_v1_LockGroup, LockGroup__Output as _hostpilot_v1_LockGroup__Output } from './hostpilot/v1/LockGroup.js';
import type { LockHolder as _hostpilot_v1_LockHolder, LockHolder__Output as _hostpilot_v1_LockHolder__Output } from './hostpilot/v1/LockHolder.js';
import type { LockReply as _hostpilot_v1_LockReply, LockReply__Output as _hostpilot_v1_LockReply__Output } from './hostpilot/v1/LockReply.js';
import type { LockRequest as _hostpilot_v1_LockRequest, LockRequest__Output as _hostpilot_v1_LockRequest__Output } from './hostpilot/v1/LockRequest.js';
import type { LocksClient as _hostpilot_v1_LocksClient, LocksDefinition as _hostpilot_v1_LocksDefinition } from './hostpilot/v1/Locks.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  hostpilot: {
    v1: {
      ListLocksReply: MessageTypeDefinition<_hostpilot_v1_ListLocksReply, _hostpilot_v1_ListLocksReply__Output>
      ListLocksRequest: MessageTypeDefinition<_hostpilot_v1_ListLocksRequest, _hostpilot_v1_ListLocksRequest__Output>
      LockGroup: MessageTypeDefinition<_hostpilot_v1_LockGroup, _hostpilot_v1_LockGroup__Output>
      LockHolder: MessageTypeDefinition<_hostpilot_v1_LockHolder, _hostpilot_v1_LockHolder__Output>
      LockReply: MessageTypeDefinition<_hostpilot_v1_LockReply, _hostpilot_v1_LockReply__Output>
      LockRequest: MessageTypeDefinition<_hostpilot_v1_LockRequest, _hostpilot_v1_LockRequest__Output>
      Locks: SubtypeConstructor<typeof grpc.Client, _hostpilot_v1_LocksClient> & { service: _hostpilot_v1_LocksDefinition }
    }
  }
}

