// Original file: proto/hostpilot/v1/fleet.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Directive as _hostpilot_v1_Directive, Directive__Output as _hostpilot_v1_Directive__Output } from '../../hostpilot/v1/Directive.js';
import type { ListNodesReply as _hostpilot_v1_ListNodesReply, ListNodesReply__Output as _hostpilot_v1_ListNodesReply__Output } from '../../hostpilot/v1/ListNodesReply.js';
import type { ListNodesRequest as _hostpilot_v1_ListNodesRequest, ListNodesRequest__Output as _hostpilot_v1_ListNodesRequest__Output } from '../../hostpilot/v1/ListNodesRequest.js';
import type { NodeReport as _hostpilot_v1_NodeReport, NodeReport__Output as _hostpilot_v1_NodeReport__Output } from '../../hostpilot/v1/NodeReport.js';
import type { RegisterReply as _hostpilot_v1_RegisterReply, RegisterReply__Output as _hostpilot_v1_RegisterReply__Output } from '../../hostpilot/v1/RegisterReply.js';
import type { RegisterRequest as _hostpilot_v1_RegisterRequest, RegisterRequest__Output as _hostpilot_v1_RegisterRequest__Output } from '../../hostpilot/v1/RegisterRequest.js';

export interface FleetClient extends grpc.Client {
  /**
   * The fleet as the coordinator sees it. Admin only under mTLS.
   */
  ListNodes(argument: _hostpilot_v1_ListNodesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListNodesReply__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _hostpilot_v1_ListNodesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_ListNodesReply__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _hostpilot_v1_ListNodesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListNodesReply__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _hostpilot_v1_ListNodesRequest, callback: grpc.requestCallback<_hostpilot_v1_ListNodesReply__Output>): grpc.ClientUnaryCall;
  /**
   * The fleet as the coordinator sees it. Admin only under mTLS.
   */
  listNodes(argument: _hostpilot_v1_ListNodesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListNodesReply__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _hostpilot_v1_ListNodesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_ListNodesReply__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _hostpilot_v1_ListNodesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListNodesReply__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _hostpilot_v1_ListNodesRequest, callback: grpc.requestCallback<_hostpilot_v1_ListNodesReply__Output>): grpc.ClientUnaryCall;
  
  Register(argument: _hostpilot_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  Register(argument: _hostpilot_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  Register(argument: _hostpilot_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  Register(argument: _hostpilot_v1_RegisterRequest, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _hostpilot_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _hostpilot_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _hostpilot_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _hostpilot_v1_RegisterRequest, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * The agent sends a NodeReport on connect, on every change and as a
   * heartbeat; the coordinator answers with Directives when it has any.
   */
  Report(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_hostpilot_v1_NodeReport, _hostpilot_v1_Directive__Output>;
  Report(options?: grpc.CallOptions): grpc.ClientDuplexStream<_hostpilot_v1_NodeReport, _hostpilot_v1_Directive__Output>;
  /**
   * The agent sends a NodeReport on connect, on every change and as a
   * heartbeat; the coordinator answers with Directives when it has any.
   */
  report(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_hostpilot_v1_NodeReport, _hostpilot_v1_Directive__Output>;
  report(options?: grpc.CallOptions): grpc.ClientDuplexStream<_hostpilot_v1_NodeReport, _hostpilot_v1_Directive__Output>;
  
}

export interface FleetHandlers extends grpc.UntypedServiceImplementation {
  /**
   * The fleet as the coordinator sees it. Admin only under mTLS.
   */
  ListNodes: grpc.handleUnaryCall<_hostpilot_v1_ListNodesRequest__Output, _hostpilot_v1_ListNodesReply>;
  
  Register: grpc.handleUnaryCall<_hostpilot_v1_RegisterRequest__Output, _hostpilot_v1_RegisterReply>;
  
  /**
   * The agent sends a NodeReport on connect, on every change and as a
   * heartbeat; the coordinator answers with Directives when it has any.
   */
  Report: grpc.handleBidiStreamingCall<_hostpilot_v1_NodeReport__Output, _hostpilot_v1_Directive>;
  
}

export interface FleetDefinition extends grpc.ServiceDefinition {
  ListNodes: MethodDefinition<_hostpilot_v1_ListNodesRequest, _hostpilot_v1_ListNodesReply, _hostpilot_v1_ListNodesRequest__Output, _hostpilot_v1_ListNodesReply__Output>
  Register: MethodDefinition<_hostpilot_v1_RegisterRequest, _hostpilot_v1_RegisterReply, _hostpilot_v1_RegisterRequest__Output, _hostpilot_v1_RegisterReply__Output>
  Report: MethodDefinition<_hostpilot_v1_NodeReport, _hostpilot_v1_Directive, _hostpilot_v1_NodeReport__Output, _hostpilot_v1_Directive__Output>
}
