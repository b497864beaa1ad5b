// ListNodes in pages. A fleet of any size must list without any reply
// exceeding gRPC's 4 MiB message limit (hostpilotctl and other clients keep
// grpc-js's default): a page holds at most `page_size` nodes (default and
// maximum 1000) and stops early once its encoded size nears MAX_PAGE_BYTES.
// The token is the last node id of the page, opaque to clients; node ids are
// listed in order, so a node added or removed between pages shifts nothing.
import { InvalidArgumentError } from '../../common/errors.js';
import { isNodeId } from '../../common/names.js';
import type { NodeRecord } from '../../proto/generated/hostpilot/v1/NodeRecord.js';

export const DEFAULT_PAGE_SIZE = 1000;
export const MAX_PAGE_SIZE = 1000;
/** Well under 4 MiB: JSON text is larger than the protobuf encoding of the same record. */
export const MAX_PAGE_BYTES = 3 * 1024 * 1024;

export function pageSize(requested: number): number {
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  if (requested > MAX_PAGE_SIZE) throw new InvalidArgumentError('page_size', `${requested}: at most ${MAX_PAGE_SIZE}`);
  return requested;
}

export function encodePageToken(lastNodeId: string): string {
  return Buffer.from(lastNodeId, 'utf8').toString('base64url');
}

export function decodePageToken(token: string): string | undefined {
  if (token === '') return undefined;
  const after = token.length <= 400 ? Buffer.from(token, 'base64url').toString('utf8') : '';
  if (!isNodeId(after)) throw new InvalidArgumentError('page_token', 'is not a token from a previous ListNodes reply');
  return after;
}

/** Takes nodes from `source` until the page is full by count or size; the token is empty when `source` ran out. */
export function takePage(source: Iterable<NodeRecord>, size: number): { nodes: NodeRecord[]; next_page_token: string } {
  const nodes: NodeRecord[] = [];
  let bytes = 0;
  for (const node of source) {
    // Each record is bounded (coordinator/fleet/limits.ts) far below the page budget, so a page holds at least one.
    const cost = Buffer.byteLength(JSON.stringify(node));
    if (nodes.length >= size || (nodes.length > 0 && bytes + cost > MAX_PAGE_BYTES)) {
      return { nodes, next_page_token: encodePageToken(nodes.at(-1)!.node_id!) };
    }
    nodes.push(node);
    bytes += cost;
  }
  return { nodes, next_page_token: '' };
}
