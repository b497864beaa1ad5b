// `hostpilot-agent k8s drain|uncordon` in-process, with a kubeconfig file pointing at the
// API server stand-in (test/k8s/fake-apiserver.ts, built from the real API's shapes).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { command } from '../../agent/cli/k8s.js';
import type { CommandIo } from '../../agent/cli/command.js';
import { UsageError } from '../../common/cli.js';
import { CORDONED_BY_AGENT_ANNOTATION } from '../../agent/k8s/drainer.js';
import { FakeApiServer } from './fake-apiserver.js';

function capture(): CommandIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t + '\n'), err: (t: string) => void (io.stderr += t + '\n') };
  return io;
}

describe('hostpilot-agent k8s', () => {
  let api: FakeApiServer;
  let dir: string;
  let kubeconfig: string;

  beforeEach(async () => {
    api = new FakeApiServer();
    const url = await api.start();
    api.addNode('worker-1');
    dir = mkdtempSync(join(tmpdir(), 'hostpilot-k8s-cli-'));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters:
- name: stand-in
  cluster:
    server: ${url}
    # The stand-in speaks plain HTTP on loopback; client-node allows http only with this set.
    insecure-skip-tls-verify: true
users:
- name: agent
  user:
    token: ${api.token}
contexts:
- name: ctx
  context: {cluster: stand-in, user: agent}
current-context: ctx
`,
    );
  });
  afterEach(async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (args: string[]) => {
    const io = capture();
    return command.main(args, io).then((code) => ({ code, ...io }));
  };

  it('drains with a kubeconfig file, then uncordons what it cordoned', async () => {
    api.addPod({ namespace: 'web', name: 'web-1', node: 'worker-1' });
    const d = await run(['drain', '--kubeconfig', kubeconfig, '--k8s-node-name', 'worker-1']);
    expect(d).toMatchObject({ code: 0, stderr: '' });
    expect(d.stdout).toContain('drained node worker-1 (cordoned by hostpilot');
    expect(api.podNames()).toEqual([]);
    expect(api.node('worker-1').metadata.annotations[CORDONED_BY_AGENT_ANNOTATION]).toBeDefined();
    const u = await run(['uncordon', '--kubeconfig', kubeconfig, '--k8s-node-name', 'worker-1']);
    expect(u).toMatchObject({ code: 0, stdout: 'uncordoned node worker-1\n' });
    expect(api.node('worker-1').spec.unschedulable).toBe(false);
  });

  it('leaves a node someone else cordoned alone', async () => {
    api.editNode('worker-1', { spec: { unschedulable: true } });
    const u = await run(['uncordon', '--kubeconfig', kubeconfig, '--k8s-node-name', 'worker-1']);
    expect(u.stdout).toBe('node worker-1 left cordoned: hostpilot did not cordon it\n');
    expect(api.node('worker-1').spec.unschedulable).toBe(true);
  });

  it('exits 3 naming the blocking pods', async () => {
    api.addPod({ namespace: 'batch', name: 'backup', node: 'worker-1', labels: { 'hostpilot.io/block-reboot': 'true' } });
    const d = await run(['drain', '--kubeconfig', kubeconfig, '--k8s-node-name', 'worker-1', '--blocking-pod-selector', 'hostpilot.io/block-reboot=true']);
    expect(d.code).toBe(3);
    expect(d.stderr).toContain('batch/backup');
    expect(api.node('worker-1').spec.unschedulable).toBeUndefined();
  });

  it('refuses bad command lines before any API call', async () => {
    await expect(run(['evict'])).rejects.toThrow(UsageError);
    await expect(run(['drain', '--bogus'])).rejects.toThrow(UsageError);
    await expect(run(['drain', '--kubeconfig', kubeconfig, '--drain-timeout-policy', 'maybe'])).rejects.toThrow(/--drain-timeout-policy/);
    expect(api.requests).toEqual([]);
    const h = await run(['--help']);
    expect(h.stdout).toContain('--drain-pod-selector');
  });
});
