// NodeStatusPublisher against the API server stand-in (test/k8s/fake-apiserver.ts, built
// from the real API's shapes: strategic merge on nodes/status merges conditions by type).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClientNodeApi } from '../../agent/k8s/api.js';
import { NodeStatusPublisher, type NodeConditionInput } from '../../agent/k8s/node-status.js';
import { silentLogger } from '../../common/log.js';
import { FakeApiServer, kubeConfigFor } from './fake-apiserver.js';

const NODE = 'worker-1';

describe('NodeStatusPublisher', () => {
  let api: FakeApiServer;
  let nodeApi: ClientNodeApi;
  let now: number;

  beforeEach(async () => {
    api = new FakeApiServer();
    nodeApi = new ClientNodeApi(kubeConfigFor(await api.start(), api.token));
    api.addNode(NODE);
    now = Date.parse('2026-11-21T12:00:00Z');
  });
  afterEach(async () => {
    await api.stop();
  });

  const publisher = () => new NodeStatusPublisher(nodeApi, NODE, { now: () => now, logger: silentLogger, heartbeatMs: 60_000 });
  const patches = () => api.requests.filter((q) => q.method === 'PATCH');

  it('writes hostpilot.io/ labels and annotations once, and changes nothing the second time', async () => {
    const p = publisher();
    const s = { bootedVersion: '40.20241019.3.0', flowState: 'pending' as const };
    expect(await p.publishStatus(s)).toEqual({ changed: true });
    const n = api.node(NODE);
    expect(n.metadata.labels).toMatchObject({
      'hostpilot.io/reboot-needed': 'true',
      'hostpilot.io/reboot-in-progress': 'false',
      'hostpilot.io/flow-state': 'pending',
      'hostpilot.io/booted-version': '40.20241019.3.0',
      'kubernetes.io/hostname': NODE,
    });
    expect(n.metadata.annotations['hostpilot.io/booted-version']).toBe('40.20241019.3.0');
    expect(n.metadata.annotations['hostpilot.io/status-updated-at']).toBe('2026-11-21T12:00:00Z');
    expect(await p.publishStatus(s)).toEqual({ changed: false });
    expect(patches().length).toBe(1);
    // A fresh agent (restart) with the same state changes nothing either.
    expect(await publisher().publishStatus(s)).toEqual({ changed: false });
    expect(patches().length).toBe(1);
  });

  it('puts a version that is not a label value only into the annotation, and removes the stale label', async () => {
    const p = publisher();
    await p.publishStatus({ bootedVersion: '40.1', flowState: 'idle' });
    await p.publishStatus({ bootedVersion: 'Fedora CoreOS 41 (beta)', flowState: 'idle' });
    const n = api.node(NODE);
    expect(n.metadata.labels['hostpilot.io/booted-version']).toBeUndefined();
    expect(n.metadata.annotations['hostpilot.io/booted-version']).toBe('Fedora CoreOS 41 (beta)');
  });

  it('publishes conditions by strategic merge without touching kubelet conditions', async () => {
    const p = publisher();
    const c: NodeConditionInput = { type: 'KernelDeadlock', status: 'False', reason: 'KernelHasNoDeadlock', message: 'kernel has no deadlock' };
    expect(await p.publishConditions([c])).toEqual({ changed: true });
    const conds = api.node(NODE).status.conditions;
    expect(conds.map((x: { type: string }) => x.type)).toEqual(['MemoryPressure', 'Ready', 'KernelDeadlock']);
    expect(conds[2]).toEqual({ ...c, lastTransitionTime: '2026-11-21T12:00:00Z', lastHeartbeatTime: '2026-11-21T12:00:00Z' });
    expect(patches()[0]!.contentType).toBe('application/strategic-merge-patch+json');
    expect(patches()[0]!.path).toBe(`/api/v1/nodes/${NODE}/status`);
    await expect(p.publishConditions([{ type: 'Ready', status: 'False', reason: 'X', message: '' }])).rejects.toThrow(/owned by kubelet/);
  });

  it('moves lastTransitionTime only on a status change, heartbeats when due, and does not flap on restart', async () => {
    const ok: NodeConditionInput = { type: 'ReadonlyFilesystem', status: 'False', reason: 'FilesystemIsNotReadOnly', message: 'fs is writable' };
    const bad: NodeConditionInput = { ...ok, status: 'True', reason: 'FilesystemIsReadOnly', message: '/var remounted read-only' };
    const p = publisher();
    await p.publishConditions([ok]);
    now += 10_000;
    expect(await p.publishConditions([ok])).toEqual({ changed: false });
    expect(patches().length).toBe(1); // nothing new, heartbeat not due
    now += 60_000;
    expect(await p.publishConditions([ok])).toEqual({ changed: false });
    expect(patches().length).toBe(2); // heartbeat
    let c = api.node(NODE).status.conditions.find((x: { type: string }) => x.type === 'ReadonlyFilesystem');
    expect(c.lastTransitionTime).toBe('2026-11-21T12:00:00Z');
    expect(c.lastHeartbeatTime).toBe('2026-11-21T12:01:10Z');

    // The agent restarts: the new publisher reads the node and keeps the transition time.
    now += 5_000;
    const q = publisher();
    expect(await q.publishConditions([ok])).toEqual({ changed: false });
    c = api.node(NODE).status.conditions.find((x: { type: string }) => x.type === 'ReadonlyFilesystem');
    expect(c.lastTransitionTime).toBe('2026-11-21T12:00:00Z');

    now += 5_000;
    expect(await q.publishConditions([bad])).toEqual({ changed: true });
    c = api.node(NODE).status.conditions.find((x: { type: string }) => x.type === 'ReadonlyFilesystem');
    expect(c).toMatchObject({ status: 'True', reason: 'FilesystemIsReadOnly', lastTransitionTime: '2026-11-21T12:01:20Z' });

    // heartbeat() refreshes only what this agent reported.
    now += 60_000;
    await q.heartbeat();
    const after = api.node(NODE).status.conditions;
    expect(after.find((x: { type: string }) => x.type === 'ReadonlyFilesystem').lastHeartbeatTime).toBe('2026-11-21T12:02:20Z');
    expect(after.find((x: { type: string }) => x.type === 'Ready').lastHeartbeatTime).toBe('2026-11-21T00:00:00Z');
    expect(patches().at(-1)!.body.status.conditions.map((x: { type: string }) => x.type)).toEqual(['ReadonlyFilesystem']);
  });
});
