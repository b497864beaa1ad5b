// Original file: proto/hostpilot/v1/fleet.proto


export interface ListNodesRequest {
}

export interface ListNodesRequest__Output {
}
