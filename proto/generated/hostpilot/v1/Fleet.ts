// Original file: proto/hostpilot/v1/fleet.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Directive as _hostpilot_v1_Directive, Directive__Output as _hostpilot_v1_Directive__Output } from '../../hostpilot/v1/Directive.js';
import type { ExcludeNodeRequest as _hostpilot_v1_ExcludeNodeRequest, ExcludeNodeRequest__Output as _hostpilot_v1_ExcludeNodeRequest__Output } from '../../hostpilot/v1/ExcludeNodeRequest.js';
import type { ListNodesReply as _hostpilot_v1_ListNodesReply, ListNodesReply__Output as _hostpilot_v1_ListNodesReply__Output } from '../../hostpilot/v1/ListNodesReply.js';
import type { ListNodesRequest as _hostpilot_v1_ListNodesRequest, ListNodesRequest__Output as _hostpilot_v1_ListNodesRequest__Output } from '../../hostpilot/v1/ListNodesRequest.js';
import type { ListPoolsReply as _hostpilot_v1_ListPoolsReply, ListPoolsReply__Output as _hostpilot_v1_ListPoolsReply__Output } from '../../hostpilot/v1/ListPoolsReply.js';
import type { ListPoolsRequest as _hostpilot_v1_ListPoolsRequest, ListPoolsRequest__Output as _hostpilot_v1_ListPoolsRequest__Output } from '../../hostpilot/v1/ListPoolsRequest.js';
import type { NodeRecord as _hostpilot_v1_NodeRecord, NodeRecord__Output as _hostpilot_v1_NodeRecord__Output } from '../../hostpilot/v1/NodeRecord.js';
import type { NodeRef as _hostpilot_v1_NodeRef, NodeRef__Output as _hostpilot_v1_NodeRef__Output } from '../../hostpilot/v1/NodeRef.js';
import type { NodeReport as _hostpilot_v1_NodeReport, NodeReport__Output as _hostpilot_v1_NodeReport__Output } from '../../hostpilot/v1/NodeReport.js';
import type { RegisterReply as _hostpilot_v1_RegisterReply, RegisterReply__Output as _hostpilot_v1_RegisterReply__Output } from '../../hostpilot/v1/RegisterReply.js';
import type { RegisterRequest as _hostpilot_v1_RegisterRequest, RegisterRequest__Output as _hostpilot_v1_RegisterRequest__Output } from '../../hostpilot/v1/RegisterRequest.js';
import type { RemoveNodeReply as _hostpilot_v1_RemoveNodeReply, RemoveNodeReply__Output as _hostpilot_v1_RemoveNodeReply__Output } from '../../hostpilot/v1/RemoveNodeReply.js';
import type { RemoveNodeRequest as _hostpilot_v1_RemoveNodeRequest, RemoveNodeRequest__Output as _hostpilot_v1_RemoveNodeRequest__Output } from '../../hostpilot/v1/RemoveNodeRequest.js';

export interface FleetClient extends grpc.Client {
  /**
   * Hold a node out of rollouts (and of budget counting unless it is down), or take it back.
   */
  ExcludeNode(argument: _hostpilot_v1_ExcludeNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  ExcludeNode(argument: _hostpilot_v1_ExcludeNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  ExcludeNode(argument: _hostpilot_v1_ExcludeNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  ExcludeNode(argument: _hostpilot_v1_ExcludeNodeRequest, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  /**
   * Hold a node out of rollouts (and of budget counting unless it is down), or take it back.
   */
  excludeNode(argument: _hostpilot_v1_ExcludeNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  excludeNode(argument: _hostpilot_v1_ExcludeNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  excludeNode(argument: _hostpilot_v1_ExcludeNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  excludeNode(argument: _hostpilot_v1_ExcludeNodeRequest, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  
  IncludeNode(argument: _hostpilot_v1_NodeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  IncludeNode(argument: _hostpilot_v1_NodeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  IncludeNode(argument: _hostpilot_v1_NodeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  IncludeNode(argument: _hostpilot_v1_NodeRef, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  includeNode(argument: _hostpilot_v1_NodeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  includeNode(argument: _hostpilot_v1_NodeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  includeNode(argument: _hostpilot_v1_NodeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  includeNode(argument: _hostpilot_v1_NodeRef, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  
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
  
  /**
   * Per pool: node counts by state, versions running, the rollout moving it, its budget.
   */
  ListPools(argument: _hostpilot_v1_ListPoolsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListPoolsReply__Output>): grpc.ClientUnaryCall;
  ListPools(argument: _hostpilot_v1_ListPoolsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_ListPoolsReply__Output>): grpc.ClientUnaryCall;
  ListPools(argument: _hostpilot_v1_ListPoolsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListPoolsReply__Output>): grpc.ClientUnaryCall;
  ListPools(argument: _hostpilot_v1_ListPoolsRequest, callback: grpc.requestCallback<_hostpilot_v1_ListPoolsReply__Output>): grpc.ClientUnaryCall;
  /**
   * Per pool: node counts by state, versions running, the rollout moving it, its budget.
   */
  listPools(argument: _hostpilot_v1_ListPoolsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListPoolsReply__Output>): grpc.ClientUnaryCall;
  listPools(argument: _hostpilot_v1_ListPoolsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_ListPoolsReply__Output>): grpc.ClientUnaryCall;
  listPools(argument: _hostpilot_v1_ListPoolsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_ListPoolsReply__Output>): grpc.ClientUnaryCall;
  listPools(argument: _hostpilot_v1_ListPoolsRequest, callback: grpc.requestCallback<_hostpilot_v1_ListPoolsReply__Output>): grpc.ClientUnaryCall;
  
  Register(argument: _hostpilot_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  Register(argument: _hostpilot_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  Register(argument: _hostpilot_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  Register(argument: _hostpilot_v1_RegisterRequest, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _hostpilot_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _hostpilot_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _hostpilot_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _hostpilot_v1_RegisterRequest, callback: grpc.requestCallback<_hostpilot_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  
  /**
   * Forget a node's record; refused while it is connected unless force.
   */
  RemoveNode(argument: _hostpilot_v1_RemoveNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemoveNodeReply__Output>): grpc.ClientUnaryCall;
  RemoveNode(argument: _hostpilot_v1_RemoveNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RemoveNodeReply__Output>): grpc.ClientUnaryCall;
  RemoveNode(argument: _hostpilot_v1_RemoveNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemoveNodeReply__Output>): grpc.ClientUnaryCall;
  RemoveNode(argument: _hostpilot_v1_RemoveNodeRequest, callback: grpc.requestCallback<_hostpilot_v1_RemoveNodeReply__Output>): grpc.ClientUnaryCall;
  /**
   * Forget a node's record; refused while it is connected unless force.
   */
  removeNode(argument: _hostpilot_v1_RemoveNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemoveNodeReply__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _hostpilot_v1_RemoveNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_RemoveNodeReply__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _hostpilot_v1_RemoveNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_RemoveNodeReply__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _hostpilot_v1_RemoveNodeRequest, callback: grpc.requestCallback<_hostpilot_v1_RemoveNodeReply__Output>): grpc.ClientUnaryCall;
  
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
  
  /**
   * Node lifecycle, admin only under mTLS. Reset: after a person repaired the node, clear its
   * failed state, its quarantined target and a target left by an ended rollout.
   */
  ResetNode(argument: _hostpilot_v1_NodeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  ResetNode(argument: _hostpilot_v1_NodeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  ResetNode(argument: _hostpilot_v1_NodeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  ResetNode(argument: _hostpilot_v1_NodeRef, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  /**
   * Node lifecycle, admin only under mTLS. Reset: after a person repaired the node, clear its
   * failed state, its quarantined target and a target left by an ended rollout.
   */
  resetNode(argument: _hostpilot_v1_NodeRef, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  resetNode(argument: _hostpilot_v1_NodeRef, metadata: grpc.Metadata, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  resetNode(argument: _hostpilot_v1_NodeRef, options: grpc.CallOptions, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  resetNode(argument: _hostpilot_v1_NodeRef, callback: grpc.requestCallback<_hostpilot_v1_NodeRecord__Output>): grpc.ClientUnaryCall;
  
}

export interface FleetHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Hold a node out of rollouts (and of budget counting unless it is down), or take it back.
   */
  ExcludeNode: grpc.handleUnaryCall<_hostpilot_v1_ExcludeNodeRequest__Output, _hostpilot_v1_NodeRecord>;
  
  IncludeNode: grpc.handleUnaryCall<_hostpilot_v1_NodeRef__Output, _hostpilot_v1_NodeRecord>;
  
  /**
   * The fleet as the coordinator sees it. Admin only under mTLS.
   */
  ListNodes: grpc.handleUnaryCall<_hostpilot_v1_ListNodesRequest__Output, _hostpilot_v1_ListNodesReply>;
  
  /**
   * Per pool: node counts by state, versions running, the rollout moving it, its budget.
   */
  ListPools: grpc.handleUnaryCall<_hostpilot_v1_ListPoolsRequest__Output, _hostpilot_v1_ListPoolsReply>;
  
  Register: grpc.handleUnaryCall<_hostpilot_v1_RegisterRequest__Output, _hostpilot_v1_RegisterReply>;
  
  /**
   * Forget a node's record; refused while it is connected unless force.
   */
  RemoveNode: grpc.handleUnaryCall<_hostpilot_v1_RemoveNodeRequest__Output, _hostpilot_v1_RemoveNodeReply>;
  
  /**
   * The agent sends a NodeReport on connect, on every change and as a
   * heartbeat; the coordinator answers with Directives when it has any.
   */
  Report: grpc.handleBidiStreamingCall<_hostpilot_v1_NodeReport__Output, _hostpilot_v1_Directive>;
  
  /**
   * Node lifecycle, admin only under mTLS. Reset: after a person repaired the node, clear its
   * failed state, its quarantined target and a target left by an ended rollout.
   */
  ResetNode: grpc.handleUnaryCall<_hostpilot_v1_NodeRef__Output, _hostpilot_v1_NodeRecord>;
  
}

export interface FleetDefinition extends grpc.ServiceDefinition {
  ExcludeNode: MethodDefinition<_hostpilot_v1_ExcludeNodeRequest, _hostpilot_v1_NodeRecord, _hostpilot_v1_ExcludeNodeRequest__Output, _hostpilot_v1_NodeRecord__Output>
  IncludeNode: MethodDefinition<_hostpilot_v1_NodeRef, _hostpilot_v1_NodeRecord, _hostpilot_v1_NodeRef__Output, _hostpilot_v1_NodeRecord__Output>
  ListNodes: MethodDefinition<_hostpilot_v1_ListNodesRequest, _hostpilot_v1_ListNodesReply, _hostpilot_v1_ListNodesRequest__Output, _hostpilot_v1_ListNodesReply__Output>
  ListPools: MethodDefinition<_hostpilot_v1_ListPoolsRequest, _hostpilot_v1_ListPoolsReply, _hostpilot_v1_ListPoolsRequest__Output, _hostpilot_v1_ListPoolsReply__Output>
  Register: MethodDefinition<_hostpilot_v1_RegisterRequest, _hostpilot_v1_RegisterReply, _hostpilot_v1_RegisterRequest__Output, _hostpilot_v1_RegisterReply__Output>
  RemoveNode: MethodDefinition<_hostpilot_v1_RemoveNodeRequest, _hostpilot_v1_RemoveNodeReply, _hostpilot_v1_RemoveNodeRequest__Output, _hostpilot_v1_RemoveNodeReply__Output>
  Report: MethodDefinition<_hostpilot_v1_NodeReport, _hostpilot_v1_Directive, _hostpilot_v1_NodeReport__Output, _hostpilot_v1_Directive__Output>
  ResetNode: MethodDefinition<_hostpilot_v1_NodeRef, _hostpilot_v1_NodeRecord, _hostpilot_v1_NodeRef__Output, _hostpilot_v1_NodeRecord__Output>
}
