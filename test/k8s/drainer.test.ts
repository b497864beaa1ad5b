// Drain/cordon against the API server stand-in (test/k8s/fake-apiserver.ts: built from
// the real API's JSON shapes and status codes, since no real API server runs here),
// through the real @kubernetes/client-node client over HTTP.
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientNodeApi, REQUIRED_API_CALLS } from '../../agent/k8s/api.js';
import { CORDONED_BY_AGENT_ANNOTATION, KubernetesDrainer, type DrainClock, type DrainConfig } from '../../agent/k8s/drainer.js';
import { silentLogger } from '../../common/log.js';
import { FakeApiServer, kubeConfigFor, requestToApiCall } from './fake-apiserver.js';

/** Time moves only when the drainer sleeps: no real waiting, no timed assertions. */
function fakeClock(): DrainClock & { slept: number[] } {
  let now = Date.parse('2026-11-21T12:00:00Z');
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const NODE = 'worker-1';

describe('KubernetesDrainer', () => {
  let api: FakeApiServer;
  let nodeApi: ClientNodeApi;

  beforeEach(async () => {
    api = new FakeApiServer();
    const url = await api.start();
    nodeApi = new ClientNodeApi(kubeConfigFor(url, api.token));
    api.addNode(NODE);
    api.addNode('worker-2');
  });
  afterEach(async () => {
    await api.stop();
  });

  function drainer(config: Partial<DrainConfig> = {}, clock: DrainClock = fakeClock()) {
    return new KubernetesDrainer(nodeApi, { nodeName: NODE, drainTimeoutMs: 60_000, timeoutPolicy: 'block', ...config }, { clock, logger: silentLogger, registry: new Registry() });
  }

  it('cordons, evicts ordinary pods, skips DaemonSet, mirror and finished pods, then uncordons on finish', async () => {
    api.addPod({ namespace: 'web', name: 'web-1', node: NODE, ownerKind: 'ReplicaSet', labels: { app: 'web' } });
    api.addPod({ namespace: 'web', name: 'bare', node: NODE });
    api.addPod({ namespace: 'kube-system', name: 'kube-proxy-x', node: NODE, ownerKind: 'DaemonSet' });
    api.addPod({ namespace: 'kube-system', name: 'etcd-worker-1', node: NODE, annotations: { 'kubernetes.io/config.mirror': 'abc' }, ownerKind: 'Node' });
    api.addPod({ namespace: 'jobs', name: 'done', node: NODE, phase: 'Succeeded' });
    api.addPod({ namespace: 'web', name: 'elsewhere', node: 'worker-2' });

    const d = drainer();
    const r = await d.prepare();
    expect(r).toEqual({ ok: true, cordonedByUs: true });
    expect(api.node(NODE).spec.unschedulable).toBe(true);
    expect(api.node(NODE).metadata.annotations[CORDONED_BY_AGENT_ANNOTATION]).toBe('hostpilot-agent');
    expect(api.podNames()).toEqual(['jobs/done', 'kube-system/etcd-worker-1', 'kube-system/kube-proxy-x', 'web/elsewhere']);
    const evicted = api.requests.filter((q) => q.path.endsWith('/eviction')).map((q) => q.path);
    expect(evicted).toEqual(['/api/v1/namespaces/web/pods/bare/eviction', '/api/v1/namespaces/web/pods/web-1/eviction']);
    expect(api.events.map((e) => e.reason)).toEqual(['HostpilotCordoned', 'HostpilotDrained']);
    expect(api.events[0].involvedObject).toMatchObject({ kind: 'Node', name: NODE });

    await d.finish(true);
    expect(api.node(NODE).spec.unschedulable).toBe(false);
    expect(api.node(NODE).metadata.annotations?.[CORDONED_BY_AGENT_ANNOTATION]).toBeUndefined();
    // Idempotent: a second finish changes nothing.
    const patches = api.requests.filter((q) => q.method === 'PATCH').length;
    await d.finish(true);
    expect(api.requests.filter((q) => q.method === 'PATCH').length).toBe(patches);

    // Every call made is one the code declares (and RBAC grants).
    const declared = new Set(REQUIRED_API_CALLS.map((c) => `${c.group}|${c.resource}|${c.verb}`));
    for (const q of api.requests) {
      const c = requestToApiCall(q);
      expect(declared.has(`${c.group}|${c.resource}|${c.verb}`), `${q.method} ${q.path}`).toBe(true);
    }
    expect(api.requests.filter((q) => q.method === 'PATCH').every((q) => q.contentType === 'application/merge-patch+json')).toBe(true);
  });

  it('honours a PodDisruptionBudget (429) by retrying, then blocks on timeout and uncordons what it cordoned', async () => {
    api.addPod({ namespace: 'db', name: 'db-0', node: NODE, labels: { app: 'db' } });
    api.addPod({ namespace: 'db', name: 'db-1', node: 'worker-2', labels: { app: 'db' } });
    api.pdbs.push({ namespace: 'db', name: 'db-pdb', matchLabels: { app: 'db' }, minAvailable: 2 });
    const clock = fakeClock();
    const registry = new Registry();
    const d = new KubernetesDrainer(nodeApi, { nodeName: NODE, drainTimeoutMs: 30_000, timeoutPolicy: 'block', retryIntervalMs: 5000 }, { clock, logger: silentLogger, registry });
    const r = await d.prepare();
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toContain('drain timed out');
    expect(r.reason).toContain('db/db-0');
    expect(r.reason).toContain('The disruption budget db-pdb needs 2 healthy pods and has 2 currently');
    // Retried every 5s for 30s: 7 attempts (t=0,5,...,30), all refused with 429.
    const evictions = api.requests.filter((q) => q.path.endsWith('/eviction'));
    expect(evictions.length).toBe(7);
    expect(evictions.every((q) => q.status === 429)).toBe(true);
    expect(clock.slept).toEqual([5000, 5000, 5000, 5000, 5000, 5000]);
    expect(api.podNames()).toContain('db/db-0');
    expect(api.node(NODE).spec.unschedulable).toBe(false);
    expect(api.node(NODE).metadata.annotations?.[CORDONED_BY_AGENT_ANNOTATION]).toBeUndefined();
    expect(api.events.map((e) => e.reason)).toEqual(['HostpilotCordoned', 'HostpilotDrainTimeout']);
    const text = await registry.metrics();
    expect(text).toContain('hostpilot_k8s_drains_total{result="timeout_blocked"} 1');
    expect(text).toContain('hostpilot_k8s_evictions_total{result="blocked"} 7');
  });

  it('with policy force deletes what the PDB kept after the timeout', async () => {
    api.addPod({ namespace: 'db', name: 'db-0', node: NODE, labels: { app: 'db' } });
    api.pdbs.push({ namespace: 'db', name: 'db-pdb', matchLabels: { app: 'db' }, minAvailable: 1 });
    const r = await drainer({ drainTimeoutMs: 10_000, timeoutPolicy: 'force', gracePeriodSeconds: 20 }).prepare();
    expect(r).toEqual({ ok: true, cordonedByUs: true });
    const del = api.requests.find((q) => q.method === 'DELETE');
    expect(del?.path).toBe('/api/v1/namespaces/db/pods/db-0');
    expect(del?.query.get('gracePeriodSeconds')).toBe('20');
    expect(api.pod('db/db-0').metadata.deletionTimestamp).toBeDefined();
  });

  it('succeeds once the PDB allows it, and passes the grace period', async () => {
    api.addPod({ namespace: 'db', name: 'db-0', node: NODE, labels: { app: 'db' } });
    api.addPod({ namespace: 'db', name: 'db-1', node: 'worker-2', labels: { app: 'db' } });
    api.pdbs.push({ namespace: 'db', name: 'db-pdb', matchLabels: { app: 'db' }, minAvailable: 2 });
    const clock = fakeClock();
    const sleep = clock.sleep;
    // A third replica becomes ready elsewhere while we wait.
    clock.sleep = async (ms) => {
      if (clock.slept.length === 1) api.addPod({ namespace: 'db', name: 'db-2', node: 'worker-2', labels: { app: 'db' } });
      await sleep(ms);
    };
    const r = await drainer({ gracePeriodSeconds: 45 }, clock).prepare();
    expect(r).toEqual({ ok: true, cordonedByUs: true });
    const statuses = api.requests.filter((q) => q.path.endsWith('/eviction')).map((q) => q.status);
    expect(statuses).toEqual([429, 429, 201]);
    expect(api.requests.find((q) => q.status === 201 && q.path.endsWith('/eviction'))?.body.deleteOptions).toEqual({ gracePeriodSeconds: 45 });
  });

  it('times out on a pod that never finishes terminating (stuck finalizer), evicting it only once', async () => {
    api.addPod({ namespace: 'web', name: 'stuck', node: NODE, stuckTerminating: true });
    const r = await drainer({ drainTimeoutMs: 20_000 }).prepare();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('web/stuck');
    expect(api.requests.filter((q) => q.path.endsWith('/eviction')).length).toBe(1);
    expect(api.node(NODE).spec.unschedulable).toBe(false);
  });

  it('leaves a node cordoned by someone else cordoned', async () => {
    api.editNode(NODE, { spec: { unschedulable: true } });
    api.addPod({ namespace: 'web', name: 'web-1', node: NODE });
    const d = drainer();
    const r = await d.prepare();
    expect(r).toEqual({ ok: true, cordonedByUs: false });
    expect(api.node(NODE).metadata.annotations?.[CORDONED_BY_AGENT_ANNOTATION]).toBeUndefined();
    await d.finish(false);
    expect(api.node(NODE).spec.unschedulable).toBe(true);
    expect(api.requests.filter((q) => q.method === 'PATCH')).toEqual([]);
  });

  it('leaves a node that someone else cordons while we look (409 on the compare-and-swap) cordoned', async () => {
    // The cordon patch carries the resourceVersion it read; a concurrent cordon makes it conflict.
    let raced = false;
    const racing = new ClientNodeApi(kubeConfigFor(api.url, api.token));
    const orig = racing.getNode.bind(racing);
    racing.getNode = async (name) => {
      const n = await orig(name);
      if (!raced) {
        raced = true;
        api.editNode(NODE, { spec: { unschedulable: true } });
      }
      return n;
    };
    const d = new KubernetesDrainer(racing, { nodeName: NODE, drainTimeoutMs: 1000, timeoutPolicy: 'block' }, { clock: fakeClock(), logger: silentLogger, registry: new Registry() });
    const r = await d.prepare();
    expect(api.requests.some((q) => q.status === 409)).toBe(true);
    expect(r).toEqual({ ok: true, cordonedByUs: false });
    expect(api.node(NODE).metadata.annotations?.[CORDONED_BY_AGENT_ANNOTATION]).toBeUndefined();
  });

  it('survives an agent restart mid-drain: the new agent finds its annotation, finishes the drain, and uncordons', async () => {
    api.addPod({ namespace: 'web', name: 'web-1', node: NODE });
    api.addPod({ namespace: 'db', name: 'db-0', node: NODE, labels: { app: 'db' } });
    api.pdbs.push({ namespace: 'db', name: 'db-pdb', matchLabels: { app: 'db' }, minAvailable: 1 });
    // First agent: cordons, evicts web-1, is refused db-0, and dies while waiting to retry.
    const dying: DrainClock = { now: () => Date.parse('2026-11-21T12:00:00Z'), sleep: () => new Promise<void>(() => {}) };
    let died!: () => void;
    const diedAt = new Promise<void>((resolve) => (died = resolve));
    const first = drainer({}, { now: dying.now, sleep: () => (died(), dying.sleep(0)) });
    void first.prepare();
    await diedAt;
    expect(api.node(NODE).spec.unschedulable).toBe(true);
    expect(api.node(NODE).metadata.annotations[CORDONED_BY_AGENT_ANNOTATION]).toBeDefined();
    expect(api.pod('web/web-1').metadata.deletionTimestamp).toBeDefined();

    // The budget frees up; a new agent process (new drainer, no memory) runs the flow again.
    api.pdbs.length = 0;
    const second = drainer();
    expect(await second.prepare()).toEqual({ ok: true, cordonedByUs: true });
    // It waited for web-1's termination rather than evicting it again.
    expect(api.requests.filter((q) => q.path === '/api/v1/namespaces/web/pods/web-1/eviction').length).toBe(1);
    expect(api.podNames()).toEqual([]);

    // And after the reboot, yet another agent whose flow lost cordonedByUs still uncordons: the annotation says so.
    await drainer().finish(false);
    expect(api.node(NODE).spec.unschedulable).toBe(false);
    expect(api.node(NODE).metadata.annotations?.[CORDONED_BY_AGENT_ANNOTATION]).toBeUndefined();
  });

  it('evicts only pods matching --drain-pod-selector', async () => {
    api.addPod({ namespace: 'web', name: 'web-1', node: NODE, labels: { app: 'web' } });
    api.addPod({ namespace: 'keep', name: 'keep-1', node: NODE, labels: { app: 'keep' } });
    expect(await drainer({ drainPodSelector: 'app!=keep' }).prepare()).toEqual({ ok: true, cordonedByUs: true });
    expect(api.podNames()).toEqual(['keep/keep-1']);
    expect(api.requests.filter((q) => q.path === '/api/v1/pods').every((q) => q.query.get('labelSelector') === 'app!=keep' && q.query.get('fieldSelector') === `spec.nodeName=${NODE}`)).toBe(true);
  });

  it('does not cordon when a pod matching --blocking-pod-selector runs on the node', async () => {
    api.addPod({ namespace: 'batch', name: 'backup-1', node: NODE, labels: { 'hostpilot.io/block-reboot': 'true' } });
    api.addPod({ namespace: 'batch', name: 'backup-2', node: 'worker-2', labels: { 'hostpilot.io/block-reboot': 'true' } });
    const r = await drainer({ blockingPodSelector: 'hostpilot.io/block-reboot=true' }).prepare();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('batch/backup-1');
    if (!r.ok) expect(r.reason).not.toContain('backup-2');
    expect(api.node(NODE).spec.unschedulable).toBeUndefined();
    expect(api.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it('undoes its own earlier cordon (from before a restart) when blocking pods now block the reboot', async () => {
    api.editNode(NODE, { spec: { unschedulable: true }, metadata: { annotations: { [CORDONED_BY_AGENT_ANNOTATION]: 'hostpilot-agent' } } });
    api.addPod({ namespace: 'batch', name: 'backup-1', node: NODE, labels: { block: 'yes' } });
    const r = await drainer({ blockingPodSelector: 'block=yes' }).prepare();
    expect(r.ok).toBe(false);
    expect(api.node(NODE).spec.unschedulable).toBe(false);
    expect(api.node(NODE).metadata.annotations?.[CORDONED_BY_AGENT_ANNOTATION]).toBeUndefined();
  });

  it('blocks (errors block) and undoes its cordon when the API fails mid-drain', async () => {
    api.addPod({ namespace: 'web', name: 'web-1', node: NODE });
    api.failNext('GET', /^\/api\/v1\/pods$/, 503);
    const r = await drainer().prepare();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/unable to handle the request|503/);
    expect(api.node(NODE).spec.unschedulable).toBe(false);
  });

  it('fails prepare for a node that does not exist, naming it', async () => {
    const d = new KubernetesDrainer(nodeApi, { nodeName: 'ghost', drainTimeoutMs: 1000, timeoutPolicy: 'block' }, { clock: fakeClock(), logger: silentLogger, registry: new Registry() });
    const r = await d.prepare();
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.reason).toContain('nodes "ghost" not found');
  });

  it('lists pods page by page (limit/continue) and drains them all', async () => {
    for (let i = 0; i < 5; i++) api.addPod({ namespace: 'web', name: `web-${i}`, node: NODE });
    const paged = new ClientNodeApi(kubeConfigFor(api.url, api.token), { pageSize: 2 });
    const pods = await paged.listPodsOnNode(NODE);
    expect(pods.map((p) => p.metadata?.name)).toEqual(['web-0', 'web-1', 'web-2', 'web-3', 'web-4']);
    expect(api.requests.map((q) => `${q.query.get('limit')}:${q.query.get('continue') ?? ''}`)).toEqual(['2:', '2:2', '2:4']);
    const d = new KubernetesDrainer(paged, { nodeName: NODE, drainTimeoutMs: 60_000, timeoutPolicy: 'block' }, { clock: fakeClock(), logger: silentLogger, registry: new Registry() });
    expect(await d.prepare()).toEqual({ ok: true, cordonedByUs: true });
    expect(api.podNames()).toEqual([]);
  });

  it('refuses a bad selector before any API call, naming the flag', () => {
    expect(() => drainer({ drainPodSelector: 'app in (a,' })).toThrow(/--drain-pod-selector/);
    expect(() => drainer({ blockingPodSelector: '=x' })).toThrow(/--blocking-pod-selector/);
    expect(api.requests).toEqual([]);
  });
});
