// Original file: proto/hostpilot/v1/remediation.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ListRemediationsReply as _hostpilot_v1_ListRemediationsReply, ListRemediationsReply__Output as _hostpilot_v1_ListRemediationsReply__Output } from '../../hostpilot/v1/ListRemediationsReply.js';
import type { ListRemediationsRequest as _hostpilot_v1_ListRemediationsRequest, ListRemediationsRequest__Output as _hostpilot_v1_ListRemediationsRequest__Output } from '../../hostpilot/v1/ListRemediationsRequest.js';
import type { RemediationHistoryReply as _hostpilot_v1_RemediationHistoryReply, RemediationHistoryReply__Output as _hostpilot_v1_RemediationHistoryReply__Output } from '../../hostpilot/v1/RemediationHistoryReply.js';
import type { RemediationHistoryRequest as _hostpilot_v1_RemediationHistoryRequest, RemediationHistoryRequest__Output as _hostpilot_v1_RemediationHistoryRequest__Output } from '../../hostpilot/v1/RemediationHistoryRequest.js';
import type { RemediationPoolRequest as _hostpilot_v1_RemediationPoolRequest, RemediationPoolRequest__Output as _hostpilot_v1_RemediationPoolRequest__Output } from '../../hostpilot/v1/RemediationPoolRequest.js';
import type { RemediationPoolStatus as _hostpilot_v1_RemediationPoolStatus, RemediationPoolStatus__Output as _hostpilot_v1_RemediationPoolStatus__Output } from '../../hostpilot/v1/RemediationPoolStatus.js';

export interface RemediationClient extends grpc.Client {
  /**
   * One node's remediation under way and its bounded history (newest last).
   */
  History(argument: _hostpilot_v1_RemediationHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemediationHistoryReply__Output>): grpc.ClientUnaryCall;
  History(argument: _hostpilot_v1_RemediationHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RemediationHistoryReply__Output>): grpc.ClientUnaryCall;
  History(argument: _hostpilot_v1_RemediationHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemediationHistoryReply__Output>): grpc.ClientUnaryCall;
  History(argument: _hostpilot_v1_RemediationHistoryRequest, callback: grpc.requestCallback<_hostpilot_v1_RemediationHistoryReply__Output>): grpc.ClientUnaryCall;
  /**
   * One node's remediation under way and its bounded history (newest last).
   */
  history(argument: _hostpilot_v1_RemediationHistoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemediationHistoryReply__Output>): grpc.ClientUnaryCall;
  history(argument: _hostpilot_v1_RemediationHistoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RemediationHistoryReply__Output>): grpc.ClientUnaryCall;
  history(argument: _hostpilot_v1_RemediationHistoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemediationHistoryReply__Output>): grpc.ClientUnaryCall;
  history(argument: _hostpilot_v1_RemediationHistoryRequest, callback: grpc.requestCallback<_hostpilot_v1_RemediationHistoryReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Every node under remediation, or unhealthy by a policy and waiting (and why).
   */
  List(argument: _hostpilot_v1_ListRemediationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListRemediationsReply__Output>): grpc.ClientUnaryCall;
  List(argument: _hostpilot_v1_ListRemediationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_ListRemediationsReply__Output>): grpc.ClientUnaryCall;
  List(argument: _hostpilot_v1_ListRemediationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListRemediationsReply__Output>): grpc.ClientUnaryCall;
  List(argument: _hostpilot_v1_ListRemediationsRequest, callback: grpc.requestCallback<_hostpilot_v1_ListRemediationsReply__Output>): grpc.ClientUnaryCall;
  /**
   * Every node under remediation, or unhealthy by a policy and waiting (and why).
   */
  list(argument: _hostpilot_v1_ListRemediationsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListRemediationsReply__Output>): grpc.ClientUnaryCall;
  list(argument: _hostpilot_v1_ListRemediationsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_ListRemediationsReply__Output>): grpc.ClientUnaryCall;
  list(argument: _hostpilot_v1_ListRemediationsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListRemediationsReply__Output>): grpc.ClientUnaryCall;
  list(argument: _hostpilot_v1_ListRemediationsRequest, callback: grpc.requestCallback<_hostpilot_v1_ListRemediationsReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Nothing new starts or escalates in the pool until Resume; steps under way finish.
   */
  Pause(argument: _hostpilot_v1_RemediationPoolRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  Pause(argument: _hostpilot_v1_RemediationPoolRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  Pause(argument: _hostpilot_v1_RemediationPoolRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  Pause(argument: _hostpilot_v1_RemediationPoolRequest, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  /**
   * Nothing new starts or escalates in the pool until Resume; steps under way finish.
   */
  pause(argument: _hostpilot_v1_RemediationPoolRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  pause(argument: _hostpilot_v1_RemediationPoolRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  pause(argument: _hostpilot_v1_RemediationPoolRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  pause(argument: _hostpilot_v1_RemediationPoolRequest, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  
  Resume(argument: _hostpilot_v1_RemediationPoolRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  Resume(argument: _hostpilot_v1_RemediationPoolRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  Resume(argument: _hostpilot_v1_RemediationPoolRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  Resume(argument: _hostpilot_v1_RemediationPoolRequest, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  resume(argument: _hostpilot_v1_RemediationPoolRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  resume(argument: _hostpilot_v1_RemediationPoolRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  resume(argument: _hostpilot_v1_RemediationPoolRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  resume(argument: _hostpilot_v1_RemediationPoolRequest, callback: grpc.requestCallback<_hostpilot_v1_RemediationPoolStatus__Output>): grpc.ClientUnaryCall;
  
}

export interface RemediationHandlers extends grpc.UntypedServiceImplementation {
  /**
   * One node's remediation under way and its bounded history (newest last).
   */
  History: grpc.handleUnaryCall<_hostpilot_v1_RemediationHistoryRequest__Output, _hostpilot_v1_RemediationHistoryReply>;
  
  /**
   * Every node under remediation, or unhealthy by a policy and waiting (and why).
   */
  List: grpc.handleUnaryCall<_hostpilot_v1_ListRemediationsRequest__Output, _hostpilot_v1_ListRemediationsReply>;
  
  /**
   * Nothing new starts or escalates in the pool until Resume; steps under way finish.
   */
  Pause: grpc.handleUnaryCall<_hostpilot_v1_RemediationPoolRequest__Output, _hostpilot_v1_RemediationPoolStatus>;
  
  Resume: grpc.handleUnaryCall<_hostpilot_v1_RemediationPoolRequest__Output, _hostpilot_v1_RemediationPoolStatus>;
  
}

export interface RemediationDefinition extends grpc.ServiceDefinition {
  History: MethodDefinition<_hostpilot_v1_RemediationHistoryRequest, _hostpilot_v1_RemediationHistoryReply, _hostpilot_v1_RemediationHistoryRequest__Output, _hostpilot_v1_RemediationHistoryReply__Output>
  List: MethodDefinition<_hostpilot_v1_ListRemediationsRequest, _hostpilot_v1_ListRemediationsReply, _hostpilot_v1_ListRemediationsRequest__Output, _hostpilot_v1_ListRemediationsReply__Output>
  Pause: MethodDefinition<_hostpilot_v1_RemediationPoolRequest, _hostpilot_v1_RemediationPoolStatus, _hostpilot_v1_RemediationPoolRequest__Output, _hostpilot_v1_RemediationPoolStatus__Output>
  Resume: MethodDefinition<_hostpilot_v1_RemediationPoolRequest, _hostpilot_v1_RemediationPoolStatus, _hostpilot_v1_RemediationPoolRequest__Output, _hostpilot_v1_RemediationPoolStatus__Output>
}
