// Original file: proto/hostpilot/v1/rollouts.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ListRolloutsReply as _hostpilot_v1_ListRolloutsReply, ListRolloutsReply__Output as _hostpilot_v1_ListRolloutsReply__Output } from '../../hostpilot/v1/ListRolloutsReply.js';
import type { ListRolloutsRequest as _hostpilot_v1_ListRolloutsRequest, ListRolloutsRequest__Output as _hostpilot_v1_ListRolloutsRequest__Output } from '../../hostpilot/v1/ListRolloutsRequest.js';
import type { RolloutPlan as _hostpilot_v1_RolloutPlan, RolloutPlan__Output as _hostpilot_v1_RolloutPlan__Output } from '../../hostpilot/v1/RolloutPlan.js';
import type { RolloutRef as _hostpilot_v1_RolloutRef, RolloutRef__Output as _hostpilot_v1_RolloutRef__Output } from '../../hostpilot/v1/RolloutRef.js';
import type { RolloutSpec as _hostpilot_v1_RolloutSpec, RolloutSpec__Output as _hostpilot_v1_RolloutSpec__Output } from '../../hostpilot/v1/RolloutSpec.js';
import type { RolloutStatus as _hostpilot_v1_RolloutStatus, RolloutStatus__Output as _hostpilot_v1_RolloutStatus__Output } from '../../hostpilot/v1/RolloutStatus.js';

export interface RolloutsClient extends grpc.Client {
  Abort(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  Abort(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  Abort(argument: _hostpilot_v1_RolloutRef, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  Abort(argument: _hostpilot_v1_RolloutRef, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  abort(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  abort(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  abort(argument: _hostpilot_v1_RolloutRef, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  abort(argument: _hostpilot_v1_RolloutRef, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  
  Create(argument: _hostpilot_v1_RolloutSpec, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  Create(argument: _hostpilot_v1_RolloutSpec, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  Create(argument: _hostpilot_v1_RolloutSpec, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  Create(argument: _hostpilot_v1_RolloutSpec, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  create(argument: _hostpilot_v1_RolloutSpec, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  create(argument: _hostpilot_v1_RolloutSpec, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  create(argument: _hostpilot_v1_RolloutSpec, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  create(argument: _hostpilot_v1_RolloutSpec, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  
  /**
   * What Create would do, without creating anything: buckets, waves, expected duration.
   */
  DryRun(argument: _hostpilot_v1_RolloutSpec, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutPlan__Output>): grpc.ClientUnaryCall;
  DryRun(argument: _hostpilot_v1_RolloutSpec, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RolloutPlan__Output>): grpc.ClientUnaryCall;
  DryRun(argument: _hostpilot_v1_RolloutSpec, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutPlan__Output>): grpc.ClientUnaryCall;
  DryRun(argument: _hostpilot_v1_RolloutSpec, callback: grpc.requestCallback<_hostpilot_v1_RolloutPlan__Output>): grpc.ClientUnaryCall;
  /**
   * What Create would do, without creating anything: buckets, waves, expected duration.
   */
  dryRun(argument: _hostpilot_v1_RolloutSpec, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutPlan__Output>): grpc.ClientUnaryCall;
  dryRun(argument: _hostpilot_v1_RolloutSpec, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RolloutPlan__Output>): grpc.ClientUnaryCall;
  dryRun(argument: _hostpilot_v1_RolloutSpec, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutPlan__Output>): grpc.ClientUnaryCall;
  dryRun(argument: _hostpilot_v1_RolloutSpec, callback: grpc.requestCallback<_hostpilot_v1_RolloutPlan__Output>): grpc.ClientUnaryCall;
  
  Get(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  Get(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  Get(argument: _hostpilot_v1_RolloutRef, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  Get(argument: _hostpilot_v1_RolloutRef, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  get(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  get(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  get(argument: _hostpilot_v1_RolloutRef, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  get(argument: _hostpilot_v1_RolloutRef, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  
  List(argument: _hostpilot_v1_ListRolloutsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListRolloutsReply__Output>): grpc.ClientUnaryCall;
  List(argument: _hostpilot_v1_ListRolloutsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_ListRolloutsReply__Output>): grpc.ClientUnaryCall;
  List(argument: _hostpilot_v1_ListRolloutsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListRolloutsReply__Output>): grpc.ClientUnaryCall;
  List(argument: _hostpilot_v1_ListRolloutsRequest, callback: grpc.requestCallback<_hostpilot_v1_ListRolloutsReply__Output>): grpc.ClientUnaryCall;
  list(argument: _hostpilot_v1_ListRolloutsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListRolloutsReply__Output>): grpc.ClientUnaryCall;
  list(argument: _hostpilot_v1_ListRolloutsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_ListRolloutsReply__Output>): grpc.ClientUnaryCall;
  list(argument: _hostpilot_v1_ListRolloutsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListRolloutsReply__Output>): grpc.ClientUnaryCall;
  list(argument: _hostpilot_v1_ListRolloutsRequest, callback: grpc.requestCallback<_hostpilot_v1_ListRolloutsReply__Output>): grpc.ClientUnaryCall;
  
  Pause(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  Pause(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  Pause(argument: _hostpilot_v1_RolloutRef, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  Pause(argument: _hostpilot_v1_RolloutRef, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  pause(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  pause(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  pause(argument: _hostpilot_v1_RolloutRef, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  pause(argument: _hostpilot_v1_RolloutRef, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  
  Resume(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  Resume(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  Resume(argument: _hostpilot_v1_RolloutRef, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  Resume(argument: _hostpilot_v1_RolloutRef, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  resume(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  resume(argument: _hostpilot_v1_RolloutRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  resume(argument: _hostpilot_v1_RolloutRef, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  resume(argument: _hostpilot_v1_RolloutRef, callback: grpc.requestCallback<_hostpilot_v1_RolloutStatus__Output>): grpc.ClientUnaryCall;
  
}

export interface RolloutsHandlers extends grpc.UntypedServiceImplementation {
  Abort: grpc.handleUnaryCall<_hostpilot_v1_RolloutRef__Output, _hostpilot_v1_RolloutStatus>;
  
  Create: grpc.handleUnaryCall<_hostpilot_v1_RolloutSpec__Output, _hostpilot_v1_RolloutStatus>;
  
  /**
   * What Create would do, without creating anything: buckets, waves, expected duration.
   */
  DryRun: grpc.handleUnaryCall<_hostpilot_v1_RolloutSpec__Output, _hostpilot_v1_RolloutPlan>;
  
  Get: grpc.handleUnaryCall<_hostpilot_v1_RolloutRef__Output, _hostpilot_v1_RolloutStatus>;
  
  List: grpc.handleUnaryCall<_hostpilot_v1_ListRolloutsRequest__Output, _hostpilot_v1_ListRolloutsReply>;
  
  Pause: grpc.handleUnaryCall<_hostpilot_v1_RolloutRef__Output, _hostpilot_v1_RolloutStatus>;
  
  Resume: grpc.handleUnaryCall<_hostpilot_v1_RolloutRef__Output, _hostpilot_v1_RolloutStatus>;
  
}

export interface RolloutsDefinition extends grpc.ServiceDefinition {
  Abort: MethodDefinition<_hostpilot_v1_RolloutRef, _hostpilot_v1_RolloutStatus, _hostpilot_v1_RolloutRef__Output, _hostpilot_v1_RolloutStatus__Output>
  Create: MethodDefinition<_hostpilot_v1_RolloutSpec, _hostpilot_v1_RolloutStatus, _hostpilot_v1_RolloutSpec__Output, _hostpilot_v1_RolloutStatus__Output>
  DryRun: MethodDefinition<_hostpilot_v1_RolloutSpec, _hostpilot_v1_RolloutPlan, _hostpilot_v1_RolloutSpec__Output, _hostpilot_v1_RolloutPlan__Output>
  Get: MethodDefinition<_hostpilot_v1_RolloutRef, _hostpilot_v1_RolloutStatus, _hostpilot_v1_RolloutRef__Output, _hostpilot_v1_RolloutStatus__Output>
  List: MethodDefinition<_hostpilot_v1_ListRolloutsRequest, _hostpilot_v1_ListRolloutsReply, _hostpilot_v1_ListRolloutsRequest__Output, _hostpilot_v1_ListRolloutsReply__Output>
  Pause: MethodDefinition<_hostpilot_v1_RolloutRef, _hostpilot_v1_RolloutStatus, _hostpilot_v1_RolloutRef__Output, _hostpilot_v1_RolloutStatus__Output>
  Resume: MethodDefinition<_hostpilot_v1_RolloutRef, _hostpilot_v1_RolloutStatus, _hostpilot_v1_RolloutRef__Output, _hostpilot_v1_RolloutStatus__Output>
}
