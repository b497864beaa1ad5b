// Original file: proto/hostpilot/v1/resources.proto


export interface GitStatusRequest {
}

export interface GitStatusRequest__Output {
}
