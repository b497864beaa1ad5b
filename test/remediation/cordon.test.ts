// cordon orders: through the Kubernetes API the agent already uses (against the
// API server stand-in, test/k8s/fake-apiserver.ts, through the real client
// library), and on a node without Kubernetes.
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientNodeApi, REQUIRED_API_CALLS } from '../../agent/k8s/api.js';
import { REMEDIATION_ANNOTATION } from '../../agent/k8s/drainer.js';
import { createKubernetesIntegration, type KubernetesIntegration } from '../../agent/k8s/integration.js';
import { defaultRemediationConfig } from '../../agent/remediation/config.js';
import type { CordonNode } from '../../agent/remediation/cordon.js';
import { Remediator } from '../../agent/remediation/remediator.js';
import { RemediationStore } from '../../agent/remediation/store.js';
import { silentLogger } from '../../common/log.js';
import { FakeApiServer, kubeConfigFor, requestToApiCall } from '../k8s/fake-apiserver.js';
import { makeTempDir } from '../support/tmp.js';

const NODE = 'worker-1';
const order = { id: 'worker-1/1/3', action: 'cordon', unit: '', condition: 'FlagProblem' };

describe('cordon orders', () => {
  let api: FakeApiServer;
  let kube: KubernetesIntegration;
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(async () => {
    api = new FakeApiServer();
    const url = await api.start();
    api.addNode(NODE);
    kube = createKubernetesIntegration({ drain: { nodeName: NODE, drainTimeoutMs: 60_000, timeoutPolicy: 'block' } }, { registry: new Registry(), logger: silentLogger, api: new ClientNodeApi(kubeConfigFor(url, api.token)) });
    tmp = makeTempDir();
  });
  afterEach(async () => {
    await api.stop();
    tmp.remove();
  });

  function remediator(cordon?: CordonNode): Remediator {
    return new Remediator({
      store: new RemediationStore(`${tmp.dir}/remediation.json`),
      config: defaultRemediationConfig(),
      units: () => {
        throw new Error('no unit here');
      },
      ...(cordon ? { cordon } : {}),
      report: () => undefined,
      log: silentLogger,
      registry: new Registry(),
    });
  }

  it('cordons the Kubernetes node, says why, and a later reboot does not uncordon it', async () => {
    const r = remediator((reason) => kube.cordonForRemediation(reason));
    r.receive(order);
    await r.settled();
    expect(r.result()).toMatchObject({ id: order.id, action: 'cordon', state: 'succeeded', message: 'cordoned the Kubernetes node' });
    expect(api.node(NODE).spec.unschedulable).toBe(true);
    expect(api.node(NODE).metadata.annotations[REMEDIATION_ANNOTATION]).toBe('order worker-1/1/3 for FlagProblem');
    expect(api.events.map((e) => [e.reason, e.message])).toEqual([['HostpilotRemediationCordon', "cordoned by the fleet's remediation: order worker-1/1/3 for FlagProblem"]]);
    // The drain around a reboot did not cordon it: its finish leaves it cordoned.
    await kube.drainer.finish(false);
    expect(api.node(NODE).spec.unschedulable).toBe(true);
    const declared = new Set(REQUIRED_API_CALLS.map((c) => `${c.group}|${c.resource}|${c.verb}`));
    for (const q of api.requests) {
      const call = requestToApiCall(q);
      expect(declared.has(`${call.group}|${call.resource}|${call.verb}`), `${q.method} ${q.path}`).toBe(true);
    }
  });

  it('an API failure fails the order, naming it', async () => {
    api.failNext('PATCH', /\/nodes\/worker-1$/, 500);
    const r = remediator((reason) => kube.cordonForRemediation(reason));
    r.receive(order);
    await r.settled();
    expect(r.result()).toMatchObject({ state: 'failed', message: expect.stringMatching(/^cordon: /) });
  });

  it('without Kubernetes it is done, saying there is nothing to cordon', async () => {
    const r = remediator();
    r.receive(order);
    await r.settled();
    expect(r.result()).toMatchObject({ state: 'succeeded', message: 'no Kubernetes is configured on this node: nothing to cordon' });
  });
});
