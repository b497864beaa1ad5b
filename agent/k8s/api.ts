// The Kubernetes API calls the agent makes, and nothing else. The drainer and the
// node status publisher depend on the small `NodeApi` interface; `ClientNodeApi`
// implements it on @kubernetes/client-node. `REQUIRED_API_CALLS` lists every
// (group, resource, verb) those methods use: deploy/rbac.yaml grants exactly these
// and test/k8s/manifests.test.ts checks that it does.
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type CoreV1Event,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import { ConflictError } from './errors.js';
import { FailedPreconditionError, HostpilotError, NotFoundError, UnavailableError, errorMessage } from '../../common/errors.js';

export type { CoreV1Event, V1Node, V1Pod };

export interface ApiCall {
  group: string; // '' is the core group
  resource: string; // with subresource, e.g. nodes/status
  verb: 'get' | 'list' | 'patch' | 'create' | 'delete';
  /** Which NodeApi method makes this call (documentation and the RBAC test). */
  usedBy: string;
}

export const REQUIRED_API_CALLS: readonly ApiCall[] = [
  { group: '', resource: 'nodes', verb: 'get', usedBy: 'getNode' },
  { group: '', resource: 'nodes', verb: 'patch', usedBy: 'patchNode' },
  { group: '', resource: 'nodes/status', verb: 'patch', usedBy: 'patchNodeStatus' },
  { group: '', resource: 'pods', verb: 'list', usedBy: 'listPodsOnNode' },
  { group: '', resource: 'pods/eviction', verb: 'create', usedBy: 'evictPod' },
  { group: '', resource: 'pods', verb: 'delete', usedBy: 'deletePod' },
  { group: '', resource: 'events', verb: 'create', usedBy: 'createEvent' },
];

/** The Eviction API's answer: done, the pod is already gone, or a PodDisruptionBudget said no (HTTP 429). */
export type EvictionResult = { kind: 'evicted' } | { kind: 'gone' } | { kind: 'blocked'; message: string };

export { ConflictError };

export interface NodeApi {
  getNode(name: string): Promise<V1Node>;
  /** JSON merge patch (RFC 7386) on the Node: labels, annotations, spec.unschedulable. */
  patchNode(name: string, patch: object): Promise<V1Node>;
  /** Strategic merge patch on nodes/status: conditions merge by `type`, others' conditions stay. */
  patchNodeStatus(name: string, patch: object): Promise<V1Node>;
  /** Pods bound to the node, in every namespace, optionally filtered by a label selector. */
  listPodsOnNode(nodeName: string, labelSelector?: string): Promise<V1Pod[]>;
  evictPod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<EvictionResult>;
  /** Deletes bypassing PodDisruptionBudgets (the `force` drain policy only). Already gone is fine. */
  deletePod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<void>;
  createEvent(namespace: string, event: CoreV1Event): Promise<void>;
}

/** Loads the API config: a kubeconfig file when given, else the pod's in-cluster service account. */
export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromCluster();
  return kc;
}

interface StatusBody {
  message?: unknown;
  details?: { causes?: { message?: unknown }[] };
}

/** A metav1.Status's message, with its causes (a PDB's 429 names the budget and its counts there). */
function statusMessage(err: ApiException<unknown>): string {
  let body: unknown = err.body;
  if (typeof body === 'string') {
    const text = body;
    try {
      body = JSON.parse(text);
    } catch {
      return text.slice(0, 300) || `HTTP ${err.code}`;
    }
  }
  const s = (body && typeof body === 'object' ? body : {}) as StatusBody;
  const causes = (s.details?.causes ?? []).map((c) => c.message).filter((m): m is string => typeof m === 'string');
  const main = typeof s.message === 'string' ? s.message : `HTTP ${err.code}`;
  return causes.length ? `${main} ${causes.join('; ')}` : main;
}

/** Maps an API failure onto the house error kinds (one place). */
export function mapApiError(err: unknown, what: string): HostpilotError {
  if (err instanceof HostpilotError) return err;
  if (err instanceof ApiException) {
    const msg = `${what}: ${statusMessage(err)}`;
    if (err.code === 404) return new NotFoundError(msg);
    if (err.code === 409) return new ConflictError(msg);
    if (err.code === 401 || err.code === 403 || err.code === 422 || err.code === 415 || err.code === 400) return new FailedPreconditionError(msg);
    return new UnavailableError(msg, { cause: err });
  }
  return new UnavailableError(`${what}: ${errorMessage(err)}`, { cause: err });
}

const LIST_PAGE = 500;

export class ClientNodeApi implements NodeApi {
  private readonly core: CoreV1Api;
  private readonly pageSize: number;

  constructor(kc: KubeConfig, options: { pageSize?: number } = {}) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.pageSize = options.pageSize ?? LIST_PAGE;
  }

  async getNode(name: string): Promise<V1Node> {
    try {
      return await this.core.readNode({ name });
    } catch (err) {
      throw mapApiError(err, `get node ${name}`);
    }
  }

  async patchNode(name: string, patch: object): Promise<V1Node> {
    try {
      return await this.core.patchNode({ name, body: patch }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    } catch (err) {
      throw mapApiError(err, `patch node ${name}`);
    }
  }

  async patchNodeStatus(name: string, patch: object): Promise<V1Node> {
    try {
      return await this.core.patchNodeStatus({ name, body: patch }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    } catch (err) {
      throw mapApiError(err, `patch node ${name} status`);
    }
  }

  async listPodsOnNode(nodeName: string, labelSelector?: string): Promise<V1Pod[]> {
    const pods: V1Pod[] = [];
    let cont: string | undefined;
    try {
      do {
        const page = await this.core.listPodForAllNamespaces({
          fieldSelector: `spec.nodeName=${nodeName}`,
          ...(labelSelector ? { labelSelector } : {}),
          limit: this.pageSize,
          ...(cont ? { _continue: cont } : {}),
        });
        pods.push(...page.items);
        cont = page.metadata?._continue || undefined;
      } while (cont);
    } catch (err) {
      throw mapApiError(err, `list pods on node ${nodeName}`);
    }
    return pods;
  }

  async evictPod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<EvictionResult> {
    try {
      await this.core.createNamespacedPodEviction({
        name,
        namespace,
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name, namespace },
          ...(gracePeriodSeconds !== undefined ? { deleteOptions: { gracePeriodSeconds } } : {}),
        },
      });
      return { kind: 'evicted' };
    } catch (err) {
      if (err instanceof ApiException) {
        if (err.code === 404) return { kind: 'gone' };
        // 429: a PodDisruptionBudget does not allow it now; the API server asks to retry.
        if (err.code === 429) return { kind: 'blocked', message: statusMessage(err) };
      }
      throw mapApiError(err, `evict pod ${namespace}/${name}`);
    }
  }

  async deletePod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<void> {
    try {
      await this.core.deleteNamespacedPod({ name, namespace, ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}) });
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return;
      throw mapApiError(err, `delete pod ${namespace}/${name}`);
    }
  }

  async createEvent(namespace: string, event: CoreV1Event): Promise<void> {
    try {
      await this.core.createNamespacedEvent({ namespace, body: event });
    } catch (err) {
      throw mapApiError(err, `create event in ${namespace}`);
    }
  }
}
