// Original file: proto/hostpilot/v1/rollouts.proto


export interface ListRolloutsRequest {
}

export interface ListRolloutsRequest__Output {
}
