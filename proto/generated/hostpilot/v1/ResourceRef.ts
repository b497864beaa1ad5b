// Original file: proto/hostpilot/v1/resources.proto


export interface ResourceRef {
  'kind'?: (string);
  'name'?: (string);
}

export interface ResourceRef__Output {
  'kind': (string);
  'name': (string);
}
