// Original file: proto/hostpilot/v1/resources.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApplyReply as _hostpilot_v1_ApplyReply, ApplyReply__Output as _hostpilot_v1_ApplyReply__Output } from '../../hostpilot/v1/ApplyReply.js';
import type { ApplyRequest as _hostpilot_v1_ApplyRequest, ApplyRequest__Output as _hostpilot_v1_ApplyRequest__Output } from '../../hostpilot/v1/ApplyRequest.js';
import type { DeleteResourcesRequest as _hostpilot_v1_DeleteResourcesRequest, DeleteResourcesRequest__Output as _hostpilot_v1_DeleteResourcesRequest__Output } from '../../hostpilot/v1/DeleteResourcesRequest.js';
import type { GetResourcesReply as _hostpilot_v1_GetResourcesReply, GetResourcesReply__Output as _hostpilot_v1_GetResourcesReply__Output } from '../../hostpilot/v1/GetResourcesReply.js';
import type { GetResourcesRequest as _hostpilot_v1_GetResourcesRequest, GetResourcesRequest__Output as _hostpilot_v1_GetResourcesRequest__Output } from '../../hostpilot/v1/GetResourcesRequest.js';
import type { GitStatusReply as _hostpilot_v1_GitStatusReply, GitStatusReply__Output as _hostpilot_v1_GitStatusReply__Output } from '../../hostpilot/v1/GitStatusReply.js';
import type { GitStatusRequest as _hostpilot_v1_GitStatusRequest, GitStatusRequest__Output as _hostpilot_v1_GitStatusRequest__Output } from '../../hostpilot/v1/GitStatusRequest.js';

export interface ResourcesClient extends grpc.Client {
  /**
   * Validates every document first (all or nothing), then creates, changes or leaves each.
   */
  Apply(argument: _hostpilot_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  Apply(argument: _hostpilot_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  Apply(argument: _hostpilot_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  Apply(argument: _hostpilot_v1_ApplyRequest, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  /**
   * Validates every document first (all or nothing), then creates, changes or leaves each.
   */
  apply(argument: _hostpilot_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  apply(argument: _hostpilot_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  apply(argument: _hostpilot_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  apply(argument: _hostpilot_v1_ApplyRequest, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  
  Delete(argument: _hostpilot_v1_DeleteResourcesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  Delete(argument: _hostpilot_v1_DeleteResourcesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  Delete(argument: _hostpilot_v1_DeleteResourcesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  Delete(argument: _hostpilot_v1_DeleteResourcesRequest, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  delete(argument: _hostpilot_v1_DeleteResourcesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  delete(argument: _hostpilot_v1_DeleteResourcesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  delete(argument: _hostpilot_v1_DeleteResourcesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  delete(argument: _hostpilot_v1_DeleteResourcesRequest, callback: grpc.requestCallback<_hostpilot_v1_ApplyReply__Output>): grpc.ClientUnaryCall;
  
  Get(argument: _hostpilot_v1_GetResourcesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_GetResourcesReply__Output>): grpc.ClientUnaryCall;
  Get(argument: _hostpilot_v1_GetResourcesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_GetResourcesReply__Output>): grpc.ClientUnaryCall;
  Get(argument: _hostpilot_v1_GetResourcesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_GetResourcesReply__Output>): grpc.ClientUnaryCall;
  Get(argument: _hostpilot_v1_GetResourcesRequest, callback: grpc.requestCallback<_hostpilot_v1_GetResourcesReply__Output>): grpc.ClientUnaryCall;
  get(argument: _hostpilot_v1_GetResourcesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_GetResourcesReply__Output>): grpc.ClientUnaryCall;
  get(argument: _hostpilot_v1_GetResourcesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_GetResourcesReply__Output>): grpc.ClientUnaryCall;
  get(argument: _hostpilot_v1_GetResourcesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_GetResourcesReply__Output>): grpc.ClientUnaryCall;
  get(argument: _hostpilot_v1_GetResourcesRequest, callback: grpc.requestCallback<_hostpilot_v1_GetResourcesReply__Output>): grpc.ClientUnaryCall;
  
  GitStatus(argument: _hostpilot_v1_GitStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  GitStatus(argument: _hostpilot_v1_GitStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  GitStatus(argument: _hostpilot_v1_GitStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  GitStatus(argument: _hostpilot_v1_GitStatusRequest, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  gitStatus(argument: _hostpilot_v1_GitStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  gitStatus(argument: _hostpilot_v1_GitStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  gitStatus(argument: _hostpilot_v1_GitStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  gitStatus(argument: _hostpilot_v1_GitStatusRequest, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Fetches and applies now; replies with the status after it.
   */
  GitSync(argument: _hostpilot_v1_GitStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  GitSync(argument: _hostpilot_v1_GitStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  GitSync(argument: _hostpilot_v1_GitStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  GitSync(argument: _hostpilot_v1_GitStatusRequest, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  /**
   * Fetches and applies now; replies with the status after it.
   */
  gitSync(argument: _hostpilot_v1_GitStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  gitSync(argument: _hostpilot_v1_GitStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  gitSync(argument: _hostpilot_v1_GitStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  gitSync(argument: _hostpilot_v1_GitStatusRequest, callback: grpc.requestCallback<_hostpilot_v1_GitStatusReply__Output>): grpc.ClientUnaryCall;
  
}

export interface ResourcesHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Validates every document first (all or nothing), then creates, changes or leaves each.
   */
  Apply: grpc.handleUnaryCall<_hostpilot_v1_ApplyRequest__Output, _hostpilot_v1_ApplyReply>;
  
  Delete: grpc.handleUnaryCall<_hostpilot_v1_DeleteResourcesRequest__Output, _hostpilot_v1_ApplyReply>;
  
  Get: grpc.handleUnaryCall<_hostpilot_v1_GetResourcesRequest__Output, _hostpilot_v1_GetResourcesReply>;
  
  GitStatus: grpc.handleUnaryCall<_hostpilot_v1_GitStatusRequest__Output, _hostpilot_v1_GitStatusReply>;
  
  /**
   * Fetches and applies now; replies with the status after it.
   */
  GitSync: grpc.handleUnaryCall<_hostpilot_v1_GitStatusRequest__Output, _hostpilot_v1_GitStatusReply>;
  
}

export interface ResourcesDefinition extends grpc.ServiceDefinition {
  Apply: MethodDefinition<_hostpilot_v1_ApplyRequest, _hostpilot_v1_ApplyReply, _hostpilot_v1_ApplyRequest__Output, _hostpilot_v1_ApplyReply__Output>
  Delete: MethodDefinition<_hostpilot_v1_DeleteResourcesRequest, _hostpilot_v1_ApplyReply, _hostpilot_v1_DeleteResourcesRequest__Output, _hostpilot_v1_ApplyReply__Output>
  Get: MethodDefinition<_hostpilot_v1_GetResourcesRequest, _hostpilot_v1_GetResourcesReply, _hostpilot_v1_GetResourcesRequest__Output, _hostpilot_v1_GetResourcesReply__Output>
  GitStatus: MethodDefinition<_hostpilot_v1_GitStatusRequest, _hostpilot_v1_GitStatusReply, _hostpilot_v1_GitStatusRequest__Output, _hostpilot_v1_GitStatusReply__Output>
  GitSync: MethodDefinition<_hostpilot_v1_GitStatusRequest, _hostpilot_v1_GitStatusReply, _hostpilot_v1_GitStatusRequest__Output, _hostpilot_v1_GitStatusReply__Output>
}
