// Original file: proto/hostpilot/v1/fleet.proto

import type { Long } from '@grpc/proto-loader';

export interface Deployment {
  'id'?: (string);
  'osname'?: (string);
  'checksum'?: (string);
  'version'?: (string);
  /**
   * The origin refspec, or the container image reference for image-based hosts.
   */
  'origin'?: (string);
  'booted'?: (boolean);
  'staged'?: (boolean);
  'pinned'?: (boolean);
  'index'?: (number);
  'timestamp_unix'?: (number | string | Long);
}

export interface Deployment__Output {
  'id': (string);
  'osname': (string);
  'checksum': (string);
  'version': (string);
  /**
   * The origin refspec, or the container image reference for image-based hosts.
   */
  'origin': (string);
  'booted': (boolean);
  'staged': (boolean);
  'pinned': (boolean);
  'index': (number);
  'timestamp_unix': (number);
}
