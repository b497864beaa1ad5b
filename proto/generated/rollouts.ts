import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { BudgetHolder as _hostpilot_v1_BudgetHolder, BudgetHolder__Output as _hostpilot_v1_BudgetHolder__Output } from './hostpilot/v1/BudgetHolder.js';
import type { Condition as _hostpilot_v1_Condition, Condition__Output as _hostpilot_v1_Condition__Output } from './hostpilot/v1/Condition.js';
import type { Deployment as _hostpilot_v1_Deployment, Deployment__Output as _hostpilot_v1_Deployment__Output } from './hostpilot/v1/Deployment.js';
import type { DesiredConfig as _hostpilot_v1_DesiredConfig, DesiredConfig__Output as _hostpilot_v1_DesiredConfig__Output } from './hostpilot/v1/DesiredConfig.js';
import type { Directive as _hostpilot_v1_Directive, Directive__Output as _hostpilot_v1_Directive__Output } from './hostpilot/v1/Directive.js';
import type { ExcludeNodeRequest as _hostpilot_v1_ExcludeNodeRequest, ExcludeNodeRequest__Output as _hostpilot_v1_ExcludeNodeRequest__Output } from './hostpilot/v1/ExcludeNodeRequest.js';
import type { FleetClient as _hostpilot_v1_FleetClient, FleetDefinition as _hostpilot_v1_FleetDefinition } from './hostpilot/v1/Fleet.js';
import type { ListNodesReply as _hostpilot_v1_ListNodesReply, ListNodesReply__Output as _hostpilot_v1_ListNodesReply__Output } from './hostpilot/v1/ListNodesReply.js';
import type { ListNodesRequest as _hostpilot_v1_ListNodesRequest, ListNodesRequest__Output as _hostpilot_v1_ListNodesRequest__Output } from './hostpilot/v1/ListNodesRequest.js';
import type { ListPoolsReply as _hostpilot_v1_ListPoolsReply, ListPoolsReply__Output as _hostpilot_v1_ListPoolsReply__Output } from './hostpilot/v1/ListPoolsReply.js';
import type { ListPoolsRequest as _hostpilot_v1_ListPoolsRequest, ListPoolsRequest__Output as _hostpilot_v1_ListPoolsRequest__Output } from './hostpilot/v1/ListPoolsRequest.js';
import type { ListRolloutsReply as _hostpilot_v1_ListRolloutsReply, ListRolloutsReply__Output as _hostpilot_v1_ListRolloutsReply__Output } from './hostpilot/v1/ListRolloutsReply.js';
import type { ListRolloutsRequest as _hostpilot_v1_ListRolloutsRequest, ListRolloutsRequest__Output as _hostpilot_v1_ListRolloutsRequest__Output } from './hostpilot/v1/ListRolloutsRequest.js';
import type { NodeRecord as _hostpilot_v1_NodeRecord, NodeRecord__Output as _hostpilot_v1_NodeRecord__Output } from './hostpilot/v1/NodeRecord.js';
import type { NodeRef as _hostpilot_v1_NodeRef, NodeRef__Output as _hostpilot_v1_NodeRef__Output } from './hostpilot/v1/NodeRef.js';
import type { NodeReport as _hostpilot_v1_NodeReport, NodeReport__Output as _hostpilot_v1_NodeReport__Output } from './hostpilot/v1/NodeReport.js';
import type { OsFacts as _hostpilot_v1_OsFacts, OsFacts__Output as _hostpilot_v1_OsFacts__Output } from './hostpilot/v1/OsFacts.js';
import type { OsTarget as _hostpilot_v1_OsTarget, OsTarget__Output as _hostpilot_v1_OsTarget__Output } from './hostpilot/v1/OsTarget.js';
import type { PoolBudget as _hostpilot_v1_PoolBudget, PoolBudget__Output as _hostpilot_v1_PoolBudget__Output } from './hostpilot/v1/PoolBudget.js';
import type { PoolStatus as _hostpilot_v1_PoolStatus, PoolStatus__Output as _hostpilot_v1_PoolStatus__Output } from './hostpilot/v1/PoolStatus.js';
import type { RegisterReply as _hostpilot_v1_RegisterReply, RegisterReply__Output as _hostpilot_v1_RegisterReply__Output } from './hostpilot/v1/RegisterReply.js';
import type { RegisterRequest as _hostpilot_v1_RegisterRequest, RegisterRequest__Output as _hostpilot_v1_RegisterRequest__Output } from './hostpilot/v1/RegisterRequest.js';
import type { RemediationOrder as _hostpilot_v1_RemediationOrder, RemediationOrder__Output as _hostpilot_v1_RemediationOrder__Output } from './hostpilot/v1/RemediationOrder.js';
import type { RemediationResult as _hostpilot_v1_RemediationResult, RemediationResult__Output as _hostpilot_v1_RemediationResult__Output } from './hostpilot/v1/RemediationResult.js';
import type { RemoveNodeReply as _hostpilot_v1_RemoveNodeReply, RemoveNodeReply__Output as _hostpilot_v1_RemoveNodeReply__Output } from './hostpilot/v1/RemoveNodeReply.js';
import type { RemoveNodeRequest as _hostpilot_v1_RemoveNodeRequest, RemoveNodeRequest__Output as _hostpilot_v1_RemoveNodeRequest__Output } from './hostpilot/v1/RemoveNodeRequest.js';
import type { RolloutBucket as _hostpilot_v1_RolloutBucket, RolloutBucket__Output as _hostpilot_v1_RolloutBucket__Output } from './hostpilot/v1/RolloutBucket.js';
import type { RolloutBucketSummary as _hostpilot_v1_RolloutBucketSummary, RolloutBucketSummary__Output as _hostpilot_v1_RolloutBucketSummary__Output } from './hostpilot/v1/RolloutBucketSummary.js';
import type { RolloutNodeCounts as _hostpilot_v1_RolloutNodeCounts, RolloutNodeCounts__Output as _hostpilot_v1_RolloutNodeCounts__Output } from './hostpilot/v1/RolloutNodeCounts.js';
import type { RolloutNodeStatus as _hostpilot_v1_RolloutNodeStatus, RolloutNodeStatus__Output as _hostpilot_v1_RolloutNodeStatus__Output } from './hostpilot/v1/RolloutNodeStatus.js';
import type { RolloutPlan as _hostpilot_v1_RolloutPlan, RolloutPlan__Output as _hostpilot_v1_RolloutPlan__Output } from './hostpilot/v1/RolloutPlan.js';
import type { RolloutPlanBucket as _hostpilot_v1_RolloutPlanBucket, RolloutPlanBucket__Output as _hostpilot_v1_RolloutPlanBucket__Output } from './hostpilot/v1/RolloutPlanBucket.js';
import type { RolloutPlanWave as _hostpilot_v1_RolloutPlanWave, RolloutPlanWave__Output as _hostpilot_v1_RolloutPlanWave__Output } from './hostpilot/v1/RolloutPlanWave.js';
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
      BudgetHolder: MessageTypeDefinition<_hostpilot_v1_BudgetHolder, _hostpilot_v1_BudgetHolder__Output>
      Condition: MessageTypeDefinition<_hostpilot_v1_Condition, _hostpilot_v1_Condition__Output>
      Deployment: MessageTypeDefinition<_hostpilot_v1_Deployment, _hostpilot_v1_Deployment__Output>
      DesiredConfig: MessageTypeDefinition<_hostpilot_v1_DesiredConfig, _hostpilot_v1_DesiredConfig__Output>
      Directive: MessageTypeDefinition<_hostpilot_v1_Directive, _hostpilot_v1_Directive__Output>
      ExcludeNodeRequest: MessageTypeDefinition<_hostpilot_v1_ExcludeNodeRequest, _hostpilot_v1_ExcludeNodeRequest__Output>
      Fleet: SubtypeConstructor<typeof grpc.Client, _hostpilot_v1_FleetClient> & { service: _hostpilot_v1_FleetDefinition }
      ListNodesReply: MessageTypeDefinition<_hostpilot_v1_ListNodesReply, _hostpilot_v1_ListNodesReply__Output>
      ListNodesRequest: MessageTypeDefinition<_hostpilot_v1_ListNodesRequest, _hostpilot_v1_ListNodesRequest__Output>
      ListPoolsReply: MessageTypeDefinition<_hostpilot_v1_ListPoolsReply, _hostpilot_v1_ListPoolsReply__Output>
      ListPoolsRequest: MessageTypeDefinition<_hostpilot_v1_ListPoolsRequest, _hostpilot_v1_ListPoolsRequest__Output>
      ListRolloutsReply: MessageTypeDefinition<_hostpilot_v1_ListRolloutsReply, _hostpilot_v1_ListRolloutsReply__Output>
      ListRolloutsRequest: MessageTypeDefinition<_hostpilot_v1_ListRolloutsRequest, _hostpilot_v1_ListRolloutsRequest__Output>
      NodeRecord: MessageTypeDefinition<_hostpilot_v1_NodeRecord, _hostpilot_v1_NodeRecord__Output>
      NodeRef: MessageTypeDefinition<_hostpilot_v1_NodeRef, _hostpilot_v1_NodeRef__Output>
      NodeReport: MessageTypeDefinition<_hostpilot_v1_NodeReport, _hostpilot_v1_NodeReport__Output>
      OsFacts: MessageTypeDefinition<_hostpilot_v1_OsFacts, _hostpilot_v1_OsFacts__Output>
      OsTarget: MessageTypeDefinition<_hostpilot_v1_OsTarget, _hostpilot_v1_OsTarget__Output>
      PoolBudget: MessageTypeDefinition<_hostpilot_v1_PoolBudget, _hostpilot_v1_PoolBudget__Output>
      PoolStatus: MessageTypeDefinition<_hostpilot_v1_PoolStatus, _hostpilot_v1_PoolStatus__Output>
      RegisterReply: MessageTypeDefinition<_hostpilot_v1_RegisterReply, _hostpilot_v1_RegisterReply__Output>
      RegisterRequest: MessageTypeDefinition<_hostpilot_v1_RegisterRequest, _hostpilot_v1_RegisterRequest__Output>
      RemediationOrder: MessageTypeDefinition<_hostpilot_v1_RemediationOrder, _hostpilot_v1_RemediationOrder__Output>
      RemediationResult: MessageTypeDefinition<_hostpilot_v1_RemediationResult, _hostpilot_v1_RemediationResult__Output>
      RemoveNodeReply: MessageTypeDefinition<_hostpilot_v1_RemoveNodeReply, _hostpilot_v1_RemoveNodeReply__Output>
      RemoveNodeRequest: MessageTypeDefinition<_hostpilot_v1_RemoveNodeRequest, _hostpilot_v1_RemoveNodeRequest__Output>
      RolloutBucket: MessageTypeDefinition<_hostpilot_v1_RolloutBucket, _hostpilot_v1_RolloutBucket__Output>
      RolloutBucketSummary: MessageTypeDefinition<_hostpilot_v1_RolloutBucketSummary, _hostpilot_v1_RolloutBucketSummary__Output>
      RolloutNodeCounts: MessageTypeDefinition<_hostpilot_v1_RolloutNodeCounts, _hostpilot_v1_RolloutNodeCounts__Output>
      RolloutNodeStatus: MessageTypeDefinition<_hostpilot_v1_RolloutNodeStatus, _hostpilot_v1_RolloutNodeStatus__Output>
      RolloutPlan: MessageTypeDefinition<_hostpilot_v1_RolloutPlan, _hostpilot_v1_RolloutPlan__Output>
      RolloutPlanBucket: MessageTypeDefinition<_hostpilot_v1_RolloutPlanBucket, _hostpilot_v1_RolloutPlanBucket__Output>
      RolloutPlanWave: MessageTypeDefinition<_hostpilot_v1_RolloutPlanWave, _hostpilot_v1_RolloutPlanWave__Output>
      RolloutRef: MessageTypeDefinition<_hostpilot_v1_RolloutRef, _hostpilot_v1_RolloutRef__Output>
      RolloutSpec: MessageTypeDefinition<_hostpilot_v1_RolloutSpec, _hostpilot_v1_RolloutSpec__Output>
      RolloutStatus: MessageTypeDefinition<_hostpilot_v1_RolloutStatus, _hostpilot_v1_RolloutStatus__Output>
      Rollouts: SubtypeConstructor<typeof grpc.Client, _hostpilot_v1_RolloutsClient> & { service: _hostpilot_v1_RolloutsDefinition }
    }
  }
}

