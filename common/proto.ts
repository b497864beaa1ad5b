// The gRPC contract, loaded once with fixed options. The generated types in
// proto/generated/ come from the same files with the same options
// (`npm run gen:proto`), so the shapes at runtime and at compile time agree.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as FleetProto } from '../proto/generated/fleet.js';
import type { ProtoGrpcType as LocksProto } from '../proto/generated/locks.js';
import type { ProtoGrpcType as RolloutsProto } from '../proto/generated/rollouts.js';
import type { ProtoGrpcType as ResourcesProto } from '../proto/generated/resources.js';
import type { ProtoGrpcType as ConfigsProto } from '../proto/generated/configs.js';
import type { ProtoGrpcType as RemediationProto } from '../proto/generated/remediation.js';

// Both from the sources (common/ → ../proto) and from the build (dist/common/ → dist/proto, copied there by the build).
const PROTO_DIR = fileURLToPath(new URL('../proto/', import.meta.url));
const FILES = ['hostpilot/v1/locks.proto', 'hostpilot/v1/fleet.proto', 'hostpilot/v1/rollouts.proto', 'hostpilot/v1/resources.proto', 'hostpilot/v1/configs.proto', 'hostpilot/v1/remediation.proto'];

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

export type HostpilotProto = LocksProto & FleetProto & RolloutsProto & ResourcesProto & ConfigsProto & RemediationProto;

let loaded: HostpilotProto | undefined;

export function hostpilotProto(): HostpilotProto {
  loaded ??= grpc.loadPackageDefinition(protoLoader.loadSync(FILES, LOADER_OPTIONS)) as unknown as HostpilotProto;
  return loaded;
}
