// Original file: proto/hostpilot/v1/fleet.proto


export interface OsFacts {
  'distro'?: (string);
  'release'?: (string);
  'kernel'?: (string);
  'arch'?: (string);
  'boot_id'?: (string);
}

export interface OsFacts__Output {
  'distro': (string);
  'release': (string);
  'kernel': (string);
  'arch': (string);
  'boot_id': (string);
}
