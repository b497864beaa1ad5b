// An in-process HTTP stand-in for the Kubernetes API server, for the calls hostpilot
// makes (agent/k8s/api.ts REQUIRED_API_CALLS). There is no real API server on these
// machines; this one is built from the real API's JSON shapes and status codes:
//  - GET    /api/v1/nodes/{name}                         200 Node | 404 Status NotFound
//  - PATCH  /api/v1/nodes/{name}                         merge-patch+json (RFC 7386) or strategic-merge-patch+json;
//                                                        metadata.resourceVersion in the patch is a precondition (409 Conflict);
//                                                        other content types 415
//  - PATCH  /api/v1/nodes/{name}/status                  strategic merge: status.conditions merge by `type` (patchMergeKey)
//  - GET    /api/v1/pods?fieldSelector=spec.nodeName=N   PodList (items without kind/apiVersion), labelSelector, limit/continue;
//                                                        other field selectors 400 BadRequest
//  - POST   /api/v1/namespaces/{ns}/pods/{name}/eviction 201 Status Success | 404 | 429 TooManyRequests with a
//                                                        DisruptionBudget cause | 500 when several PDBs match the pod
//  - DELETE /api/v1/namespaces/{ns}/pods/{name}          200 Pod with deletionTimestamp | 404
//  - POST   /api/v1/namespaces/{ns}/events               201 Event (generateName honoured)
// The messages are the API server's own wording (k8s.io/apiserver, pkg/registry/core/pod/storage/eviction.go).
// A request without the expected bearer token gets 401, anything else 404 like an unknown path.
// Pods evicted or deleted get a deletionTimestamp and disappear after `terminationLists` further pod lists
// (graceful termination), unless marked stuck.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { matchesSelector, parseLabelSelector } from '../../agent/k8s/label-selector.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface FakePdb {
  namespace: string;
  name: string;
  matchLabels: Record<string, string>;
  minAvailable: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: Json;
  status: number;
}

export interface PodSpecInput {
  namespace: string;
  name: string;
  node: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerKind?: string; // a controller ownerReference of this kind (ReplicaSet, DaemonSet, ...)
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** Never finishes terminating once evicted/deleted (a stuck finalizer). */
  stuckTerminating?: boolean;
}

function status(code: number, reason: string, message: string, details?: Json): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: Json, patch: Json): Json {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Json = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Strategic merge patch for the fields used here: lists under `conditions` merge by `type`; the rest as merge patch. */
export function strategicMergePatch(target: Json, patch: Json, key?: string): Json {
  if (key === 'conditions' && Array.isArray(patch)) {
    const list: Json[] = Array.isArray(target) ? target.map((c) => ({ ...c })) : [];
    for (const item of patch) {
      const i = list.findIndex((c) => c.type === item.type);
      if (i >= 0) list[i] = strategicMergePatch(list[i], item);
      else list.push(item);
    }
    return list;
  }
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Json = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = strategicMergePatch(out[k], v, k);
  }
  return out;
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

export class FakeApiServer {
  readonly token = 'stand-in-token';
  url = '';
  readonly requests: RecordedRequest[] = [];
  readonly events: Json[] = [];
  readonly pdbs: FakePdb[] = [];
  /** Pod lists a terminating pod survives before it is gone. */
  terminationLists = 1;
  private readonly nodes = new Map<string, Json>();
  private readonly pods = new Map<string, Json & { __stuck?: boolean; __listsLeft?: number }>();
  private rv = 1000;
  private uid = 0;
  private server: Server | undefined;
  /** One-shot failures: the next request matching method+path gets this status. */
  private readonly failures: { method: string; path: RegExp; code: number }[] = [];

  addNode(name: string, opts: { unschedulable?: boolean; labels?: Record<string, string>; annotations?: Record<string, string> } = {}): void {
    this.nodes.set(name, {
      kind: 'Node',
      apiVersion: 'v1',
      metadata: {
        name,
        uid: this.newUid(),
        resourceVersion: this.nextRv(),
        creationTimestamp: '2026-11-01T00:00:00Z',
        labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...opts.labels },
        ...(opts.annotations ? { annotations: { ...opts.annotations } } : {}),
      },
      spec: { podCIDR: '10.244.1.0/24', ...(opts.unschedulable ? { unschedulable: true } : {}) },
      status: {
        conditions: [
          { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: '2026-11-21T00:00:00Z', lastTransitionTime: '2026-11-01T00:00:00Z', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
          { type: 'Ready', status: 'True', lastHeartbeatTime: '2026-11-21T00:00:00Z', lastTransitionTime: '2026-11-01T00:00:00Z', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
        ],
        nodeInfo: { kubeletVersion: 'v1.31.2', osImage: 'Fedora CoreOS 40.20241019.3.0' },
      },
    });
  }

  addPod(p: PodSpecInput): void {
    const pod: Json = {
      metadata: {
        name: p.name,
        namespace: p.namespace,
        uid: this.newUid(),
        resourceVersion: this.nextRv(),
        creationTimestamp: '2026-11-20T00:00:00Z',
        labels: p.labels ?? {},
        ...(p.annotations ? { annotations: p.annotations } : {}),
        ...(p.ownerKind
          ? { ownerReferences: [{ apiVersion: p.ownerKind === 'DaemonSet' || p.ownerKind === 'ReplicaSet' ? 'apps/v1' : 'v1', kind: p.ownerKind, name: `${p.name}-owner`, uid: this.newUid(), controller: true, blockOwnerDeletion: true }] }
          : {}),
      },
      spec: { nodeName: p.node, containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }], terminationGracePeriodSeconds: 30 },
      status: { phase: p.phase ?? 'Running' },
    };
    if (p.stuckTerminating) pod.__stuck = true;
    this.pods.set(`${p.namespace}/${p.name}`, pod);
  }

  node(name: string): Json {
    return structuredClone(this.nodes.get(name));
  }

  /** Someone else edits the node (a person with kubectl, another controller). */
  editNode(name: string, patch: Json): void {
    const n = mergePatch(this.nodes.get(name), patch);
    n.metadata.resourceVersion = this.nextRv();
    this.nodes.set(name, n);
  }

  podNames(): string[] {
    return [...this.pods.keys()].sort();
  }

  pod(key: string): Json {
    return this.pods.get(key);
  }

  failNext(method: string, path: RegExp, code: number): void {
    this.failures.push({ method, path, code });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private nextRv(): string {
    return String(++this.rv);
  }

  private newUid(): string {
    return `00000000-0000-4000-8000-${String(++this.uid).padStart(12, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const contentType = req.headers['content-type']?.split(';')[0]?.trim();
    let body: Json;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const send = (code: number, obj: Json) => {
      this.requests.push({ method, path: url.pathname, query: url.searchParams, contentType, body, status: code });
      res.writeHead(code, { 'content-type': 'application/json', 'audit-id': `audit-${this.requests.length}` });
      res.end(JSON.stringify(obj, (k, v) => (k.startsWith('__') ? undefined : v)));
    };
    if (req.headers.authorization !== `Bearer ${this.token}`) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    const fi = this.failures.findIndex((f) => f.method === method && f.path.test(url.pathname));
    if (fi >= 0) {
      const [f] = this.failures.splice(fi, 1);
      return send(f!.code, status(f!.code, f!.code === 503 ? 'ServiceUnavailable' : 'InternalError', f!.code === 503 ? 'the server is currently unable to handle the request' : 'Internal error occurred: injected'));
    }
    let m: RegExpExecArray | null;
    if ((m = /^\/api\/v1\/nodes\/([^/]+)(\/status)?$/.exec(url.pathname))) {
      const name = decodeURIComponent(m[1]!);
      const node = this.nodes.get(name);
      if (!node) return send(404, status(404, 'NotFound', `nodes "${name}" not found`, { name, kind: 'nodes' }));
      if (method === 'GET' && !m[2]) return send(200, node);
      if (method === 'PATCH') {
        if (!contentType || !PATCH_TYPES.includes(contentType)) {
          return send(415, status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`));
        }
        if (contentType !== 'application/merge-patch+json' && contentType !== 'application/strategic-merge-patch+json') {
          return send(415, status(415, 'UnsupportedMediaType', `stand-in does not implement ${contentType}`));
        }
        const wantRv = body?.metadata?.resourceVersion;
        if (wantRv !== undefined && wantRv !== node.metadata.resourceVersion) {
          return send(409, status(409, 'Conflict', `Operation cannot be fulfilled on nodes "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, kind: 'nodes' }));
        }
        const apply = contentType === 'application/strategic-merge-patch+json' ? strategicMergePatch : mergePatch;
        let next: Json;
        if (m[2]) {
          // The status subresource ignores everything but status (as the real registry does).
          next = { ...node, status: apply(node.status, body?.status ?? {}) };
        } else {
          const patched = apply(node, { ...body, status: undefined });
          next = { ...patched, status: node.status };
        }
        next.metadata = { ...next.metadata, name, uid: node.metadata.uid, resourceVersion: this.nextRv() };
        this.nodes.set(name, next);
        return send(200, next);
      }
      return send(405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
    }
    if (url.pathname === '/api/v1/pods' && method === 'GET') {
      const fs = url.searchParams.get('fieldSelector') ?? '';
      const fm = /^spec\.nodeName==?(.+)$/.exec(fs);
      if (fs !== '' && !fm) return send(400, status(400, 'BadRequest', `Unable to find "/v1, Resource=pods" that match label selector "", field selector "${fs}": field label not supported`));
      let reqs;
      try {
        reqs = parseLabelSelector(url.searchParams.get('labelSelector') ?? '', 'labelSelector');
      } catch (err) {
        return send(400, status(400, 'BadRequest', `unable to parse requirement: ${(err as Error).message}`));
      }
      // Graceful termination advances one step per pod list.
      for (const [k, p] of this.pods) {
        if (p.metadata.deletionTimestamp && !p.__stuck) {
          p.__listsLeft = (p.__listsLeft ?? this.terminationLists) - 1;
          if (p.__listsLeft < 0) this.pods.delete(k);
        }
      }
      const all = [...this.pods.values()].filter((p) => (!fm || p.spec.nodeName === fm[1]) && matchesSelector(reqs, p.metadata.labels)).sort((a, b) => (a.metadata.namespace + a.metadata.name).localeCompare(b.metadata.namespace + b.metadata.name));
      const limit = Number(url.searchParams.get('limit') ?? '0');
      const start = Number(url.searchParams.get('continue') ?? '0');
      const items = limit > 0 ? all.slice(start, start + limit) : all;
      const more = limit > 0 && start + limit < all.length;
      return send(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv), ...(more ? { continue: String(start + limit) } : {}) }, items });
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/eviction)?$/.exec(url.pathname))) {
      const [ns, name] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
      const key = `${ns}/${name}`;
      const pod = this.pods.get(key);
      if (m[3] && method === 'POST') {
        if (!pod) return send(404, status(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' }));
        if (body?.kind !== 'Eviction' || body?.metadata?.name !== name) return send(400, status(400, 'BadRequest', `name in URL does not match name in Eviction object`));
        if (pod.metadata.deletionTimestamp) return send(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
        const pdbs = this.pdbs.filter((b) => b.namespace === ns && Object.entries(b.matchLabels).every(([k, v]) => pod.metadata.labels?.[k] === v));
        if (pdbs.length > 1) return send(500, status(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.'));
        const pdb = pdbs[0];
        if (pdb && pod.status.phase === 'Running') {
          const healthy = [...this.pods.values()].filter(
            (p) => p.metadata.namespace === ns && !p.metadata.deletionTimestamp && p.status.phase === 'Running' && Object.entries(pdb.matchLabels).every(([k, v]) => p.metadata.labels?.[k] === v),
          ).length;
          if (healthy - 1 < pdb.minAvailable) {
            return send(
              429,
              status(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
                causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.name} needs ${pdb.minAvailable} healthy pods and has ${healthy} currently` }],
              }),
            );
          }
        }
        this.terminate(pod, body?.deleteOptions?.gracePeriodSeconds);
        return send(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
      }
      if (!m[3] && method === 'DELETE') {
        if (!pod) return send(404, status(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' }));
        this.terminate(pod, url.searchParams.has('gracePeriodSeconds') ? Number(url.searchParams.get('gracePeriodSeconds')) : undefined);
        return send(200, { kind: 'Pod', apiVersion: 'v1', ...pod });
      }
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/events$/.exec(url.pathname)) && method === 'POST') {
      const ns = decodeURIComponent(m[1]!);
      const name = body?.metadata?.name ?? `${body?.metadata?.generateName ?? ''}${Math.random().toString(36).slice(2, 7)}`;
      if (!name || !body?.involvedObject) return send(422, status(422, 'Invalid', 'Event "" is invalid: involvedObject: Required value'));
      const ev = { kind: 'Event', apiVersion: 'v1', ...body, metadata: { ...body.metadata, name, namespace: ns, uid: this.newUid(), resourceVersion: this.nextRv() } };
      this.events.push(ev);
      return send(201, ev);
    }
    return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
  }

  private terminate(pod: Json, gracePeriodSeconds: number | undefined): void {
    pod.metadata.deletionTimestamp = '2026-11-21T12:00:00Z';
    pod.metadata.deletionGracePeriodSeconds = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds;
    pod.metadata.resourceVersion = this.nextRv();
  }
}

/** Maps a recorded request onto the RBAC (group, resource, verb) it needs. */
export function requestToApiCall(r: RecordedRequest): { group: string; resource: string; verb: string } {
  let m: RegExpExecArray | null;
  if ((m = /^\/api\/v1\/nodes\/[^/]+(\/status)?$/.exec(r.path))) return { group: '', resource: m[1] ? 'nodes/status' : 'nodes', verb: r.method === 'GET' ? 'get' : r.method.toLowerCase() };
  if (r.path === '/api/v1/pods') return { group: '', resource: 'pods', verb: 'list' };
  if (/\/pods\/[^/]+\/eviction$/.test(r.path)) return { group: '', resource: 'pods/eviction', verb: 'create' };
  if (/\/pods\/[^/]+$/.test(r.path)) return { group: '', resource: 'pods', verb: r.method === 'DELETE' ? 'delete' : 'get' };
  if (/\/events$/.test(r.path)) return { group: '', resource: 'events', verb: 'create' };
  return { group: '?', resource: r.path, verb: r.method };
}

/** A client config for the stand-in: plain HTTP on loopback, bearer token auth. */
export function kubeConfigFor(server: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'stand-in', server, skipTLSVerify: true }],
    users: [{ name: 'agent', token }],
    contexts: [{ name: 'ctx', cluster: 'stand-in', user: 'agent' }],
    currentContext: 'ctx',
  });
  return kc;
}
