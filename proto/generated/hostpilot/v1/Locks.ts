// Original file: proto/hostpilot/v1/locks.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ListLocksReply as _hostpilot_v1_ListLocksReply, ListLocksReply__Output as _hostpilot_v1_ListLocksReply__Output } from '../../hostpilot/v1/ListLocksReply.js';
import type { ListLocksRequest as _hostpilot_v1_ListLocksRequest, ListLocksRequest__Output as _hostpilot_v1_ListLocksRequest__Output } from '../../hostpilot/v1/ListLocksRequest.js';
import type { LockReply as _hostpilot_v1_LockReply, LockReply__Output as _hostpilot_v1_LockReply__Output } from '../../hostpilot/v1/LockReply.js';
import type { LockRequest as _hostpilot_v1_LockRequest, LockRequest__Output as _hostpilot_v1_LockRequest__Output } from '../../hostpilot/v1/LockRequest.js';

export interface LocksClient extends grpc.Client {
  /**
   * Take a slot in `group` for `node_id`. Re-entrant: a node that already
   * holds a slot is granted again. A full group is a reply with
   * granted=false and the current holders, not an error.
   */
  Acquire(argument: _hostpilot_v1_LockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  Acquire(argument: _hostpilot_v1_LockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  Acquire(argument: _hostpilot_v1_LockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  Acquire(argument: _hostpilot_v1_LockRequest, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  /**
   * Take a slot in `group` for `node_id`. Re-entrant: a node that already
   * holds a slot is granted again. A full group is a reply with
   * granted=false and the current holders, not an error.
   */
  acquire(argument: _hostpilot_v1_LockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  acquire(argument: _hostpilot_v1_LockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  acquire(argument: _hostpilot_v1_LockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  acquire(argument: _hostpilot_v1_LockRequest, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Release another node's slot (a node that will never come back). Admin only.
   */
  ForceRelease(argument: _hostpilot_v1_LockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  ForceRelease(argument: _hostpilot_v1_LockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  ForceRelease(argument: _hostpilot_v1_LockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  ForceRelease(argument: _hostpilot_v1_LockRequest, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  /**
   * Release another node's slot (a node that will never come back). Admin only.
   */
  forceRelease(argument: _hostpilot_v1_LockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  forceRelease(argument: _hostpilot_v1_LockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  forceRelease(argument: _hostpilot_v1_LockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  forceRelease(argument: _hostpilot_v1_LockRequest, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Every group (or one) with its slots and holders. Admin only under mTLS.
   */
  List(argument: _hostpilot_v1_ListLocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListLocksReply__Output>): grpc.ClientUnaryCall;
  List(argument: _hostpilot_v1_ListLocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_ListLocksReply__Output>): grpc.ClientUnaryCall;
  List(argument: _hostpilot_v1_ListLocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListLocksReply__Output>): grpc.ClientUnaryCall;
  List(argument: _hostpilot_v1_ListLocksRequest, callback: grpc.requestCallback<_hostpilot_v1_ListLocksReply__Output>): grpc.ClientUnaryCall;
  /**
   * Every group (or one) with its slots and holders. Admin only under mTLS.
   */
  list(argument: _hostpilot_v1_ListLocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListLocksReply__Output>): grpc.ClientUnaryCall;
  list(argument: _hostpilot_v1_ListLocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_ListLocksReply__Output>): grpc.ClientUnaryCall;
  list(argument: _hostpilot_v1_ListLocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListLocksReply__Output>): grpc.ClientUnaryCall;
  list(argument: _hostpilot_v1_ListLocksRequest, callback: grpc.requestCallback<_hostpilot_v1_ListLocksReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Give back the slot `node_id` holds in `group`. Idempotent: releasing
   * nothing succeeds (granted=true means "the node holds no slot now").
   */
  Release(argument: _hostpilot_v1_LockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  Release(argument: _hostpilot_v1_LockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  Release(argument: _hostpilot_v1_LockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  Release(argument: _hostpilot_v1_LockRequest, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  /**
   * Give back the slot `node_id` holds in `group`. Idempotent: releasing
   * nothing succeeds (granted=true means "the node holds no slot now").
   */
  release(argument: _hostpilot_v1_LockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  release(argument: _hostpilot_v1_LockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  release(argument: _hostpilot_v1_LockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  release(argument: _hostpilot_v1_LockRequest, callback: grpc.requestCallback<_hostpilot_v1_LockReply__Output>): grpc.ClientUnaryCall;
  
}

export interface LocksHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Take a slot in `group` for `node_id`. Re-entrant: a node that already
   * holds a slot is granted again. A full group is a reply with
   * granted=false and the current holders, not an error.
   */
  Acquire: grpc.handleUnaryCall<_hostpilot_v1_LockRequest__Output, _hostpilot_v1_LockReply>;
  
  /**
   * Release another node's slot (a node that will never come back). Admin only.
   */
  ForceRelease: grpc.handleUnaryCall<_hostpilot_v1_LockRequest__Output, _hostpilot_v1_LockReply>;
  
  /**
   * Every group (or one) with its slots and holders. Admin only under mTLS.
   */
  List: grpc.handleUnaryCall<_hostpilot_v1_ListLocksRequest__Output, _hostpilot_v1_ListLocksReply>;
  
  /**
   * Give back the slot `node_id` holds in `group`. Idempotent: releasing
   * nothing succeeds (granted=true means "the node holds no slot now").
   */
  Release: grpc.handleUnaryCall<_hostpilot_v1_LockRequest__Output, _hostpilot_v1_LockReply>;
  
}

export interface LocksDefinition extends grpc.ServiceDefinition {
  Acquire: MethodDefinition<_hostpilot_v1_LockRequest, _hostpilot_v1_LockReply, _hostpilot_v1_LockRequest__Output, _hostpilot_v1_LockReply__Output>
  ForceRelease: MethodDefinition<_hostpilot_v1_LockRequest, _hostpilot_v1_LockReply, _hostpilot_v1_LockRequest__Output, _hostpilot_v1_LockReply__Output>
  List: MethodDefinition<_hostpilot_v1_ListLocksRequest, _hostpilot_v1_ListLocksReply, _hostpilot_v1_ListLocksRequest__Output, _hostpilot_v1_ListLocksReply__Output>
  Release: MethodDefinition<_hostpilot_v1_LockRequest, _hostpilot_v1_LockReply, _hostpilot_v1_LockRequest__Output, _hostpilot_v1_LockReply__Output>
}
