// The reconciler's bookkeeping with a recorded runner: metrics, condition,
// start/stop. Its repairs against the real kernel are in netns.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { PodNetworkReconciler, type ReconcileReport } from '../../agent/net/reconciler.js';
import { PodStateStore } from '../../agent/net/state-store.js';
import { hostVethName } from '../../agent/net/validate.js';
import { ProcessRunner } from '../../common/exec/runner.js';
import { describeWith } from '../support/components.js';
import { RecordedRunner } from '../support/recorded-runner.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hostpilot-reconcile-'));
  dirs.push(d);
  return d;
}

const VETH = hostVethName('hp', 'c1', 'eth0');

async function withPod(dir: string): Promise<void> {
  await new PodStateStore(dir).write({
    version: 1, phase: 'ready', network: 'podnet', containerId: 'c1', ifName: 'eth0', netns: '/var/run/netns/c1', hostVeth: VETH, hostVethPrefix: 'hp',
    address: '10.10.0.10/22', gateway: '10.10.0.1', uplink: 'uplink0', mtu: 1500, ipamType: 'host-local', cniPath: ['/usr/lib/cni'], config: {}, updatedAt: '2026-11-21T00:00:00Z',
  });
}

function hostRunner(routes: string): RecordedRunner {
  return new RecordedRunner([
    { argv: ['ip', '-j', 'link', 'show', 'type', 'veth'], stdout: `[{"ifname":"${VETH}","address":"aa:aa:aa:aa:aa:aa","flags":["UP"]}]` },
    { argv: ['ip', '-4', '-j', 'route', 'show', 'table', 'main'], stdout: routes },
    { argv: ['sysctl', '-e', /./, /./, /./], stdout: `net.ipv4.ip_forward = 1\nnet.ipv4.conf.uplink0.proxy_arp = 1\nnet.ipv4.conf.${VETH}.proxy_arp = 1\n` },
    { argv: ['ip', 'route', 'replace', '10.10.0.10/32', 'dev', VETH, 'scope', 'link'], exitCode: 2, stderr: 'Error: Nexthop device is not up.' },
  ]);
}

describe('PodNetworkReconciler', () => {
  it('reports Unknown before the first run and InSync with all metrics at zero when nothing drifted', async () => {
    const dir = stateDir();
    await withPod(dir);
    const registry = new Registry();
    const r = new PodNetworkReconciler({ runner: hostRunner(`[{"dst":"10.10.0.10","dev":"${VETH}","scope":"link"}]`), registry, stateDir: dir, pathExists: () => true });
    expect(r.condition()).toEqual({ type: 'PodNetworkDrift', status: 'Unknown', reason: 'NotYetReconciled', message: 'no reconcile run yet', lastTransitionTime: 0 });
    expect(await r.reconcileOnce()).toEqual({ changes: [], errors: [] });
    expect(r.condition()).toMatchObject({ status: 'False', reason: 'InSync', message: expect.stringMatching(/^1 pod/) });
    const text = await registry.metrics();
    expect(text).toContain('hostpilot_net_drift_repairs_total{kind="route_missing"} 0');
    expect(text).toContain('hostpilot_net_reconcile_runs_total{result="ok"} 1');
    expect(text).toContain('hostpilot_net_pods 1');
    expect(text).toContain('hostpilot_net_drift_items 0');
  });

  it('a failed repair is an error, a metric and a RepairFailed condition', async () => {
    const dir = stateDir();
    await withPod(dir);
    const registry = new Registry();
    const r = new PodNetworkReconciler({ runner: hostRunner('[]'), registry, stateDir: dir, pathExists: () => true });
    const report = await r.reconcileOnce();
    expect(report.changes).toEqual([]);
    expect(report.errors).toEqual([expect.stringMatching(/^route 10.10.0.10\/32 dev hp\w+ was missing: repair failed: .*Nexthop device is not up/)]);
    expect(r.condition()).toMatchObject({ status: 'True', reason: 'RepairFailed' });
    const text = await registry.metrics();
    expect(text).toContain('hostpilot_net_drift_repair_failures_total{kind="route_missing"} 1');
    expect(text).toContain('hostpilot_net_reconcile_runs_total{result="error"} 1');
  });

  it('a host it cannot read changes nothing and says why', async () => {
    const runner = new RecordedRunner([{ argv: ['ip', '-j', 'link', 'show', 'type', 'veth'], failure: 'spawn' }]);
    const r = new PodNetworkReconciler({ runner, registry: new Registry(), stateDir: stateDir() });
    expect(await r.reconcileOnce()).toEqual({ changes: [], errors: [expect.stringContaining('reading host state: ip -j link show type veth: command not found')] });
    expect(runner.calls).toHaveLength(1);
  });

  it('start runs at once and on its interval until stop', async () => {
    const runner = new RecordedRunner([
      { argv: ['ip', '-j', 'link', 'show', 'type', 'veth'], stdout: '[]' },
      { argv: ['ip', '-4', '-j', 'route', 'show', 'table', 'main'], stdout: '[]' },
    ]);
    const reports: ReconcileReport[] = [];
    let second!: () => void;
    const twice = new Promise<void>((resolve) => (second = resolve));
    const r = new PodNetworkReconciler({
      runner,
      registry: new Registry(),
      stateDir: stateDir(),
      onRun: (report) => {
        reports.push(report);
        if (reports.length === 2) second();
      },
    });
    expect(() => r.start(10)).toThrow(/at least 1000/);
    r.start(1000);
    await twice;
    await r.stop();
    const calls = runner.calls.length;
    expect(reports).toEqual([{ changes: [], errors: [] }, { changes: [], errors: [] }]);
    // Stopped: a later tick would have listed links again.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(runner.calls.length).toBe(calls);
  });
});

describeWith(['promtool'], 'pod network metrics exposition', () => {
  it('passes promtool check metrics', async () => {
    const registry = new Registry();
    const r = new PodNetworkReconciler({ runner: new RecordedRunner([{ argv: ['ip', '-j', 'link', 'show', 'type', 'veth'], failure: 'spawn' }]), registry, stateDir: stateDir() });
    await r.reconcileOnce();
    const result = await new ProcessRunner().run({ argv: ['promtool', 'check', 'metrics'], input: await registry.metrics(), okExitCodes: [0, 1, 3] });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });
});
