// The DaemonSet runs the host's own bootc / rpm-ostree (its image has neither):
// the agent enters the host's mount namespace for them, and auto-detects the
// backend. Checked against deploy/ (the DaemonSet and its agent ConfigMap, whose keys
// are the flag names) and the agent's own flag parser.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseAgentArgs } from '../../agent/config.js';

const DEPLOY = join(import.meta.dirname, '../../deploy');

describe('agent DaemonSet and the host OS clients', () => {
  const ds = parse(readFileSync(join(DEPLOY, 'base/agent-daemonset.yaml'), 'utf8')) as {
    spec: { template: { spec: { hostPID: boolean; containers: Array<{ args: string[] }> } } };
  };
  const pod = ds.spec.template.spec;
  const configMap = parse(readFileSync(join(DEPLOY, 'base/agent-config.yaml'), 'utf8')) as { data: Record<string, string> };
  const file = parse(configMap.data['50-agent.yaml']!) as Record<string, unknown>;
  // The settings the agent gets: the config file's keys as flags, then the pod's own flags.
  const args = [...Object.entries(file).map(([k, v]) => `--${k}=${String(v)}`), ...pod.containers[0]!.args];

  it('enters the host mount namespace through the host PID namespace, and leaves the backend to auto-detection', () => {
    expect(pod.hostPID).toBe(true);
    expect(args).toContain('--host-mount-ns=/proc/1/ns/mnt');
    expect(args.filter((a) => a.startsWith('--backend')).every((a) => a === '--backend=auto')).toBe(true);
    expect(args.some((a) => a.startsWith('--sysroot'))).toBe(false);
  });

  it('the agent parses those OS flags: auto backend, host namespace', () => {
    const os = args.filter((a) => /^--(host-mount-ns|backend|soft-reboot)=/.test(a));
    const config = parseAgentArgs(['--node-id=n1', '--labels-file=/nonexistent/labels', ...os]);
    expect(config?.reboot).toMatchObject({ backend: 'auto', hostMountNamespace: '/proc/1/ns/mnt', softReboot: 'auto' });
  });

  it('the image ships nsenter and no bootc or rpm-ostree client of its own', () => {
    const containerfile = readFileSync(join(DEPLOY, 'Containerfile'), 'utf8');
    const installs = [...containerfile.matchAll(/apt-get install[^\n]*((?:\\\n[^\n]*)*)/g)].map((m) => m[0]).join(' ');
    expect(installs).toMatch(/\butil-linux\b/);
    expect(installs).not.toMatch(/\b(bootc|rpm-ostree)\b/);
  });
});
