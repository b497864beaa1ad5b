import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ConfigsClient as _hostpilot_v1_ConfigsClient, ConfigsDefinition as _hostpilot_v1_ConfigsDefinition } from './hostpilot/v1/Configs.js';
import type { RenderedConfigReply as _hostpilot_v1_RenderedConfigReply, RenderedConfigReply__Output as _hostpilot_v1_RenderedConfigReply__Output } from './hostpilot/v1/RenderedConfigReply.js';
import type { RenderedConfigRequest as _hostpilot_v1_RenderedConfigRequest, RenderedConfigRequest__Output as _hostpilot_v1_RenderedConfigRequest__Output } from './hostpilot/v1/RenderedConfigRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  hostpilot: {
    v1: {
      Configs: SubtypeConstructor<typeof grpc.Client, _hostpilot_v1_ConfigsClient> & { service: _hostpilot_v1_ConfigsDefinition }
      RenderedConfigReply: MessageTypeDefinition<_hostpilot_v1_RenderedConfigReply, _hostpilot_v1_RenderedConfigReply__Output>
      RenderedConfigRequest: MessageTypeDefinition<_hostpilot_v1_RenderedConfigRequest, _hostpilot_v1_RenderedConfigRequest__Output>
    }
  }
}

