// Original file: proto/hostpilot/v1/configs.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { RenderedConfigReply as _hostpilot_v1_RenderedConfigReply, RenderedConfigReply__Output as _hostpilot_v1_RenderedConfigReply__Output } from '../../hostpilot/v1/RenderedConfigReply.js';
import type { RenderedConfigRequest as _hostpilot_v1_RenderedConfigRequest, RenderedConfigRequest__Output as _hostpilot_v1_RenderedConfigRequest__Output } from '../../hostpilot/v1/RenderedConfigRequest.js';

export interface ConfigsClient extends grpc.Client {
  /**
   * The pool's current rendered config (its target) and its hash.
   */
  Rendered(argument: _hostpilot_v1_RenderedConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RenderedConfigReply__Output>): grpc.ClientUnaryCall;
  Rendered(argument: _hostpilot_v1_RenderedConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RenderedConfigReply__Output>): grpc.ClientUnaryCall;
  Rendered(argument: _hostpilot_v1_RenderedConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RenderedConfigReply__Output>): grpc.ClientUnaryCall;
  Rendered(argument: _hostpilot_v1_RenderedConfigRequest, callback: grpc.requestCallback<_hostpilot_v1_RenderedConfigReply__Output>): grpc.ClientUnaryCall;
  /**
   * The pool's current rendered config (its target) and its hash.
   */
  rendered(argument: _hostpilot_v1_RenderedConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RenderedConfigReply__Output>): grpc.ClientUnaryCall;
  rendered(argument: _hostpilot_v1_RenderedConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RenderedConfigReply__Output>): grpc.ClientUnaryCall;
  rendered(argument: _hostpilot_v1_RenderedConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RenderedConfigReply__Output>): grpc.ClientUnaryCall;
  rendered(argument: _hostpilot_v1_RenderedConfigRequest, callback: grpc.requestCallback<_hostpilot_v1_RenderedConfigReply__Output>): grpc.ClientUnaryCall;
  
}

export interface ConfigsHandlers extends grpc.UntypedServiceImplementation {
  /**
   * The pool's current rendered config (its target) and its hash.
   */
  Rendered: grpc.handleUnaryCall<_hostpilot_v1_RenderedConfigRequest__Output, _hostpilot_v1_RenderedConfigReply>;
  
}

export interface ConfigsDefinition extends grpc.ServiceDefinition {
  Rendered: MethodDefinition<_hostpilot_v1_RenderedConfigRequest, _hostpilot_v1_RenderedConfigReply, _hostpilot_v1_RenderedConfigRequest__Output, _hostpilot_v1_RenderedConfigReply__Output>
}
