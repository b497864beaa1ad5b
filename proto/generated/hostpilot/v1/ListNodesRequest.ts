// Original file: proto/hostpilot/v1/fleet.proto


export interface ListNodesRequest {
  /**
   * Nodes per page: 0 means the server's default (1000); at most 1000. A page also
   * stops early so that a reply stays well under gRPC's 4 MiB message limit.
   */
  'page_size'?: (number);
  /**
   * next_page_token of the previous reply; empty for the first page.
   */
  'page_token'?: (string);
}

export interface ListNodesRequest__Output {
  /**
   * Nodes per page: 0 means the server's default (1000); at most 1000. A page also
   * stops early so that a reply stays well under gRPC's 4 MiB message limit.
   */
  'page_size': (number);
  /**
   * next_page_token of the previous reply; empty for the first page.
   */
  'page_token': (string);
}
