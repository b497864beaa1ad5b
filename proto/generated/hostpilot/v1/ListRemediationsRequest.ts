// Original file: proto/hostpilot/v1/remediation.proto


export interface ListRemediationsRequest {
}

export interface ListRemediationsRequest__Output {
}
