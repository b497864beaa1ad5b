// cordon: the coordinator hands the node over for reprovisioning. On Kubernetes
// the node is cordoned through the API the agent already publishes to (it stays
// cordoned: nothing here uncordons it); elsewhere there is nothing to cordon,
// and the result says so.
import { errorMessage } from '../../common/errors.js';
import type { Order } from './order.js';

export type CordonNode = (reason: string) => Promise<{ alreadyCordoned: boolean }>;

export async function cordonNode(cordon: CordonNode | undefined, order: Order): Promise<{ ok: boolean; message: string }> {
  if (!cordon) return { ok: true, message: 'no Kubernetes is configured on this node: nothing to cordon' };
  const reason = `order ${order.id}${order.condition ? ` for ${order.condition}` : ''}`;
  try {
    const { alreadyCordoned } = await cordon(reason);
    return { ok: true, message: alreadyCordoned ? 'the Kubernetes node was cordoned already; it stays cordoned' : 'cordoned the Kubernetes node' };
  } catch (err) {
    return { ok: false, message: `cordon: ${errorMessage(err)}` };
  }
}
