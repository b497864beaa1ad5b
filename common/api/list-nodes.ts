// Every node, following ListNodes' pages (coordinator/grpc/node-pages.ts), so
// that callers see one list however large the fleet and no reply exceeds
// gRPC's message limit.
import type { ListNodesReply__Output } from '../../proto/generated/hostpilot/v1/ListNodesReply.js';
import type { ListNodesRequest } from '../../proto/generated/hostpilot/v1/ListNodesRequest.js';
import type { NodeRecord__Output } from '../../proto/generated/hostpilot/v1/NodeRecord.js';

/** A bound on pages, so a server that keeps answering with a token cannot make a client loop for ever. */
const MAX_PAGES = 100_000;

export async function listAllNodes(listPage: (request: ListNodesRequest) => Promise<ListNodesReply__Output>): Promise<NodeRecord__Output[]> {
  const nodes: NodeRecord__Output[] = [];
  let token = '';
  for (let page = 0; page < MAX_PAGES; page++) {
    const reply = await listPage({ page_token: token });
    nodes.push(...reply.nodes);
    if (!reply.next_page_token) return nodes;
    if (reply.next_page_token === token) throw new Error('ListNodes: the coordinator returned the same page token twice');
    token = reply.next_page_token;
  }
  throw new Error(`ListNodes: more than ${MAX_PAGES} pages`);
}
