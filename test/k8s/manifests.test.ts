// deploy/: every manifest parses, the kustomizations reference only files that exist,
// workloads reference only images / ServiceAccounts / ConfigMaps defined in deploy/,
// and the agent's RBAC grants exactly the API calls the code makes.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ProcessRunner } from '../../common/exec/runner.js';
import { REQUIRED_API_CALLS } from '../../agent/k8s/api.js';
import { K8S_FLAG_OPTIONS } from '../../agent/k8s/flags.js';
import { RUN_OPTIONS, parseAgentArgs } from '../../agent/config.js';
import { layerConfig } from '../../common/config-files.js';
import { COORDINATOR_OPTIONS, parseCoordinatorArgs } from '../../coordinator/config.js';
import { describeWith } from '../support/components.js';
import { DEFAULT_STATE_DIR } from '../../agent/paths.js';

type Obj = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const DEPLOY = join(dirname(fileURLToPath(import.meta.url)), '../../deploy');
const BASE = join(DEPLOY, 'base');
const NAMESPACE = 'hostpilot-system';
/** Made by the operator, not by deploy/ (docs/kubernetes.md says how): the TLS material. */
const EXTERNAL_SECRETS = new Set(['hostpilot-coordinator-tls', 'hostpilot-agent-tls']);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function mkdirp(root: string, rel: string): string {
  mkdirSync(join(root, rel), { recursive: true });
  return join(root, rel);
}

function loadYaml(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  for (const d of docs) if (d.errors.length) throw new Error(`${relative(DEPLOY, file)}: ${d.errors[0]!.message}`);
  return docs.map((d) => d.toJS()).filter((d) => d !== null);
}

const yamlFiles = walk(DEPLOY).filter((f) => /\.ya?ml$/.test(f));
const kustomization = loadYaml(join(BASE, 'kustomization.yaml'))[0];
const baseObjects: Obj[] = (kustomization.resources as string[]).flatMap((r) => loadYaml(join(BASE, r)));
const generated: Obj[] = (kustomization.configMapGenerator ?? []).map((g: Obj) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: g.name } }));
const all = [...baseObjects, ...generated];
const byKind = (kind: string) => baseObjects.filter((o) => o.kind === kind);
const workloads = baseObjects.filter((o) => ['DaemonSet', 'Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(o.kind));
const podSpec = (w: Obj): Obj => w.spec.template.spec;
const containers = (w: Obj): Obj[] => [...(podSpec(w).initContainers ?? []), ...podSpec(w).containers];

describe('deploy/ manifests', () => {
  it('every YAML file parses, and every object names its apiVersion, kind and name', () => {
    expect(yamlFiles.length).toBeGreaterThan(10);
    for (const f of yamlFiles) {
      for (const doc of loadYaml(f)) {
        expect(typeof doc.apiVersion, relative(DEPLOY, f)).toBe('string');
        expect(typeof doc.kind, relative(DEPLOY, f)).toBe('string');
        if (doc.kind !== 'Kustomization') expect(typeof doc.metadata?.name, relative(DEPLOY, f)).toBe('string');
      }
    }
  });

  it('the kustomizations list every manifest of the base and only files that exist', () => {
    const listed = new Set((kustomization.resources as string[]).map((r) => join(BASE, r)));
    for (const r of listed) expect(existsSync(r), r).toBe(true);
    const baseYaml = walk(BASE).filter((f) => /\.ya?ml$/.test(f) && !f.endsWith('kustomization.yaml'));
    expect(baseYaml.filter((f) => !listed.has(f))).toEqual([]);
    for (const g of kustomization.configMapGenerator ?? []) for (const f of g.files) expect(existsSync(join(BASE, f)), f).toBe(true);
    expect(loadYaml(join(DEPLOY, 'kustomization.yaml'))[0].resources).toEqual(['base']);
    const overlayDir = join(DEPLOY, 'overlays/etcd');
    const overlay = loadYaml(join(overlayDir, 'kustomization.yaml'))[0];
    expect(overlay.resources).toEqual(['../../base']);
    for (const p of overlay.patches) {
      if (p.path) {
        const target = loadYaml(join(overlayDir, p.path))[0];
        expect(all.some((o) => o.kind === target.kind && o.metadata.name === target.metadata.name), p.path).toBe(true);
      } else {
        expect(all.some((o) => o.kind === p.target.kind && o.metadata.name === p.target.name), JSON.stringify(p.target)).toBe(true);
      }
    }
  });

  it('namespaced objects live in hostpilot-system', () => {
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
    for (const o of baseObjects) if (!clusterScoped.has(o.kind)) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(NAMESPACE);
    expect(kustomization.namespace).toBe(NAMESPACE);
    expect(byKind('Namespace').map((n) => n.metadata.name)).toEqual([NAMESPACE]);
  });

  it('workloads use only the image built from deploy/Containerfile and declared in the kustomization', () => {
    const images = new Set((kustomization.images as Obj[]).map((i) => i.name));
    expect(existsSync(join(DEPLOY, 'Containerfile'))).toBe(true);
    expect(workloads.map((w) => w.kind).sort()).toEqual(['DaemonSet', 'Deployment']);
    for (const w of workloads) for (const c of containers(w)) expect(images.has(c.image), `${w.metadata.name}/${c.name}: ${c.image}`).toBe(true);
  });

  it('workloads use only ServiceAccounts, ConfigMaps and Secrets that exist', () => {
    const names = (kind: string) => new Set(all.filter((o) => o.kind === kind).map((o) => o.metadata.name));
    const sas = names('ServiceAccount');
    const cms = names('ConfigMap');
    const pvcs = names('PersistentVolumeClaim');
    for (const w of workloads) {
      const spec = podSpec(w);
      expect(sas.has(spec.serviceAccountName), `${w.metadata.name} serviceAccountName`).toBe(true);
      for (const v of spec.volumes ?? []) {
        if (v.configMap) expect(cms.has(v.configMap.name), v.name).toBe(true);
        if (v.secret) expect(EXTERNAL_SECRETS.has(v.secret.secretName), v.name).toBe(true);
        if (v.persistentVolumeClaim) expect(pvcs.has(v.persistentVolumeClaim.claimName), v.name).toBe(true);
      }
      for (const c of containers(w)) {
        for (const e of c.envFrom ?? []) if (e.configMapRef) expect(cms.has(e.configMapRef.name), `${c.name} envFrom`).toBe(true);
        for (const e of c.env ?? []) if (e.valueFrom?.configMapKeyRef) expect(cms.has(e.valueFrom.configMapKeyRef.name), e.name).toBe(true);
        const mounts = new Set((c.volumeMounts ?? []).map((m: Obj) => m.name));
        const volumes = new Set((spec.volumes ?? []).map((v: Obj) => v.name));
        for (const m of mounts) expect(volumes.has(m), `${c.name} mounts ${m}`).toBe(true);
        // Every $(VAR) in args is defined, by env or by the ConfigMap's keys.
        const defined = new Set<string>((c.env ?? []).map((e: Obj) => e.name));
        for (const e of c.envFrom ?? []) {
          const cm = baseObjects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === e.configMapRef?.name);
          for (const k of Object.keys(cm?.data ?? {})) defined.add(k);
        }
        for (const a of c.args ?? []) for (const m of String(a).matchAll(/\$\(([A-Z_]+)\)/g)) expect(defined.has(m[1]!), `${c.name}: ${a}`).toBe(true);
      }
    }
    for (const b of byKind('ClusterRoleBinding')) {
      expect(all.some((o) => o.kind === 'ClusterRole' && o.metadata.name === b.roleRef.name)).toBe(true);
      for (const s of b.subjects) expect(sas.has(s.name) && s.namespace === NAMESPACE, s.name).toBe(true);
    }
  });

  it('the agent ClusterRole grants exactly the API calls agent/k8s/api.ts makes (REQUIRED_API_CALLS)', () => {
    const role = byKind('ClusterRole').find((r) => r.metadata.name === 'hostpilot-agent');
    const granted = new Set<string>();
    for (const rule of role.rules) {
      for (const g of rule.apiGroups) for (const r of rule.resources) for (const v of rule.verbs) {
        expect([g, r, v].includes('*'), 'no wildcards').toBe(false);
        granted.add(`${g}|${r}|${v}`);
      }
      expect(rule.resourceNames, 'resourceNames cannot scope list calls').toBeUndefined();
    }
    const required = new Set(REQUIRED_API_CALLS.map((c) => `${c.group}|${c.resource}|${c.verb}`));
    expect([...granted].sort()).toEqual([...required].sort());
    // The coordinator makes no API calls: no role, no token.
    expect(byKind('ClusterRoleBinding').flatMap((b) => b.subjects.map((s: Obj) => s.name))).toEqual(['hostpilot-agent']);
    const coord = workloads.find((w) => w.metadata.name === 'hostpilot-coordinator');
    expect(podSpec(coord).automountServiceAccountToken).toBe(false);
  });

  it('the agent DaemonSet has the host access it needs, every hostPath justified by a comment', () => {
    const ds = byKind('DaemonSet')[0];
    const spec = podSpec(ds);
    expect(spec.hostPID).toBe(true);
    expect(spec.hostNetwork).toBe(true);
    expect(spec.containers[0].securityContext.privileged).toBe(true);
    const paths = spec.volumes.filter((v: Obj) => v.hostPath).map((v: Obj) => v.hostPath.path);
    for (const p of ['/run/dbus/system_bus_socket', '/ostree', '/sysroot', '/dev/kmsg', '/etc/hostpilot', DEFAULT_STATE_DIR, '/run/hostpilot', '/etc/cni/net.d', '/opt/cni/bin']) {
      expect(paths, p).toContain(p);
    }
    // One state dir: the DaemonSet's is the default every subcommand reads (agent/paths.ts).
    const agentFile = parseYaml(baseObjects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'hostpilot-agent').data['50-agent.yaml']);
    expect(agentFile['state-dir']).toBe(DEFAULT_STATE_DIR);
    expect(spec.containers[0].volumeMounts.map((m: Obj) => m.mountPath)).toContain(DEFAULT_STATE_DIR);
    // A comment line right above each hostPath volume says why.
    const text = readFileSync(join(BASE, 'agent-daemonset.yaml'), 'utf8').split('\n');
    for (const v of spec.volumes.filter((x: Obj) => x.hostPath)) {
      const i = text.findIndex((l) => l.trim() === `- name: ${v.name}` && text[text.indexOf(l) + 1]?.includes('hostPath'));
      expect(i, v.name).toBeGreaterThan(0);
      expect(text[i - 1]!.trim().startsWith('#'), `comment above volume ${v.name}`).toBe(true);
    }
    // Kubernetes settings in the config file are flags the agent's k8s module parses.
    const file = parseYaml(baseObjects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'hostpilot-agent').data['50-agent.yaml']);
    for (const key of Object.keys(file)) if (/^(kubernetes|kubeconfig|drain|blocking|k8s)/.test(key)) expect(Object.keys(K8S_FLAG_OPTIONS), key).toContain(key);
    expect(file.kubernetes).toBe(true);
  });

  it('the config files in the ConfigMaps are ones the programs accept, mounted where they read them', () => {
    const root = mkdtempSync(join(tmpdir(), 'hostpilot-deploy-config-'));
    try {
      const data = (name: string) => baseObjects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name).data;
      writeFileSync(join(mkdirp(root, 'usr/lib/hostpilot/agent.d'), '50-agent.yaml'), data('hostpilot-agent')['50-agent.yaml']);
      writeFileSync(join(mkdirp(root, 'etc/hostpilot/coordinator.d'), '50-coordinator.yaml'), data('hostpilot-coordinator-files')['50-coordinator.yaml']);
      const agentArgs = layerConfig('agent', ['--config-root', root, '--node-id=n1', '--metrics-listen=10.0.0.1:9102'], RUN_OPTIONS).argv;
      expect(parseAgentArgs(agentArgs)).toMatchObject({ coordinator: 'hostpilot-coordinator.hostpilot-system.svc:7070', paths: { stateDir: DEFAULT_STATE_DIR }, reboot: { hostMountNamespace: '/proc/1/ns/mnt' }, nodeConfig: { root: '/host' } });
      const coordArgs = layerConfig('coordinator', ['--config-root', root, `--store=${data('hostpilot-coordinator').STORE}`], COORDINATOR_OPTIONS).argv;
      expect(parseCoordinatorArgs(coordArgs)).toMatchObject({ grpcListen: { host: '0.0.0.0', port: 7070 }, insecure: false });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    const mountOf = (w: Obj, volume: string) => containers(w)[0].volumeMounts.find((m: Obj) => m.name === podSpec(w).volumes.find((v: Obj) => v.configMap?.name === volume)?.name)?.mountPath;
    expect(mountOf(byKind('DaemonSet')[0], 'hostpilot-agent')).toBe('/usr/lib/hostpilot/agent.d');
    expect(mountOf(byKind('Deployment')[0], 'hostpilot-coordinator-files')).toBe('/etc/hostpilot/coordinator.d');
  });

  it('Services select pods of a workload and target named ports they expose; ServiceMonitors select Services', () => {
    for (const svc of byKind('Service')) {
      const w = workloads.find((x) => Object.entries(svc.spec.selector).every(([k, v]) => x.spec.template.metadata.labels[k] === v));
      expect(w, svc.metadata.name).toBeDefined();
      const ports = new Set(containers(w).flatMap((c) => (c.ports ?? []).map((p: Obj) => p.name)));
      for (const p of svc.spec.ports) expect(ports.has(p.targetPort), `${svc.metadata.name}:${p.targetPort}`).toBe(true);
    }
    for (const sm of byKind('ServiceMonitor')) {
      const svc = byKind('Service').find((s) => Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels[k] === v));
      expect(svc, sm.metadata.name).toBeDefined();
      for (const e of sm.spec.endpoints) expect(svc.spec.ports.map((p: Obj) => p.name)).toContain(e.port);
    }
  });

  it('the coordinator on SQLite is a single replica that never overlaps, on a claim', () => {
    const d = byKind('Deployment')[0];
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy.type).toBe('Recreate');
    const cm = baseObjects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'hostpilot-coordinator');
    expect(cm.data.STORE).toBe('sqlite:/var/lib/hostpilot/coordinator.db');
    const file = parseYaml(baseObjects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'hostpilot-coordinator-files').data['50-coordinator.yaml']);
    // Binding 0.0.0.0 is allowed only with TLS (or insecure: true).
    expect(file['grpc-listen']).toBe('0.0.0.0:7070');
    expect(file['tls-cert']).toMatch(/^\/etc\/hostpilot-tls\//);
    expect(file.insecure).toBeUndefined();
    expect(d.spec.template.spec.containers[0].args).toEqual(['--store=$(STORE)']);
  });

  it('the Grafana dashboard is JSON with queries for version spread, locks and rollout progress', () => {
    const gen = kustomization.configMapGenerator.find((g: Obj) => g.name === 'hostpilot-grafana-dashboard');
    const dash = JSON.parse(readFileSync(join(BASE, gen.files[0]), 'utf8'));
    const exprs: string[] = dash.panels.flatMap((p: Obj) => p.targets.map((t: Obj) => t.expr));
    expect(exprs.every((e) => typeof e === 'string' && e.length > 0)).toBe(true);
    expect(exprs.join('\n')).toMatch(/hostpilot_os_info\{booted="true"\}/);
    expect(exprs.join('\n')).toMatch(/hostpilot_lock_holders/);
    expect(new Set(dash.panels.map((p: Obj) => p.id)).size).toBe(dash.panels.length);
  });
});

describe('metric names in alerts and the dashboard', () => {
  it('name only metrics the code declares', () => {
    const root = join(DEPLOY, '..');
    const declared = new Set<string>();
    for (const dir of ['agent', 'coordinator']) {
      if (!existsSync(join(root, dir))) continue;
      for (const f of walk(join(root, dir)).filter((x) => x.endsWith('.ts'))) {
        for (const m of readFileSync(f, 'utf8').matchAll(/['`"](hostpilot_[a-z0-9_]+)['`"]/g)) declared.add(m[1]!);
      }
    }
    const used = new Set<string>();
    const texts = [readFileSync(join(BASE, 'prometheusrules.yaml'), 'utf8'), readFileSync(join(BASE, 'grafana/hostpilot-fleet.json'), 'utf8')];
    for (const t of texts) for (const m of t.matchAll(/\b(hostpilot_[a-z0-9_]+)\b/g)) used.add(m[1]!);
    const unknown = [...used].filter((n) => !declared.has(n));
    expect(unknown).toEqual([]);
    expect(used.size).toBeGreaterThan(8);
  });
});

describeWith(['promtool'], 'deploy/ PrometheusRules', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hostpilot-rules-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('pass promtool check rules and cover the alerts the fleet needs', async () => {
    const rules = byKind('PrometheusRule')[0];
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, JSON.stringify({ groups: rules.spec.groups }));
    const r = await new ProcessRunner().run({ argv: ['promtool', 'check', 'rules', file], timeoutMs: 30_000, okExitCodes: [0, 1] });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const exprs = rules.spec.groups.flatMap((g: Obj) => g.rules.map((x: Obj) => `${x.alert}: ${x.expr}`)).join('\n');
    expect(exprs).toMatch(/HostpilotLockHeldTooLong: .*hostpilot_lock_holders/);
    expect(exprs).toMatch(/HostpilotRolloutPaused: .*hostpilot_rollout_paused/);
    expect(exprs).toMatch(/HostpilotNodeDegradedAfterUpdate: .*hostpilot_nodes\{state="degraded"\}/);
    expect(exprs).toMatch(/HostpilotThinPoolFilling: .*hostpilot_thinpool_data_ratio/);
    expect(exprs).toMatch(/HostpilotAgentDown: up\{job="hostpilot-agent"\}/);
    expect(exprs).toMatch(/HostpilotGitSourceNotApplying: .*hostpilot_git_last_applied_timestamp_seconds/);
  });

  it('fire as intended on synthetic series (promtool test rules)', async () => {
    const rules = byKind('PrometheusRule')[0];
    writeFileSync(join(dir, 'rules.yaml'), JSON.stringify({ groups: rules.spec.groups }));
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: 'hostpilot_nodes{state="degraded",job="hostpilot-coordinator"}', values: '0 0 1x20' },
            { series: 'up{job="hostpilot-agent",node="n1",instance="10.0.0.1:9102"}', values: '1 0x15' },
            { series: 'hostpilot_lock_holders{group="default",job="hostpilot-coordinator"}', values: '1x130' },
            // Synced every minute until 4m (the gauge follows the clock), then stuck.
            { series: 'hostpilot_git_last_applied_timestamp_seconds{job="hostpilot-coordinator"}', values: '0+60x4 240x40' },
            { series: 'hostpilot_git_sync_interval_seconds{job="hostpilot-coordinator"}', values: '60x44' },
          ],
          alert_rule_test: [
            { eval_time: '20m', alertname: 'HostpilotNodeDegradedAfterUpdate', exp_alerts: [{ exp_labels: { severity: 'critical' }, exp_annotations: { summary: '1 node(s) degraded after an OS update', description: 'A node failed its post-update health check (it rolls back on its own). `hostpilotctl nodes list` names it.' } }] },
            { eval_time: '5m', alertname: 'HostpilotAgentDown', exp_alerts: [] },
            { eval_time: '9m', alertname: 'HostpilotGitSourceNotApplying', exp_alerts: [] },
            {
              eval_time: '20m',
              alertname: 'HostpilotGitSourceNotApplying',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning' },
                  exp_annotations: {
                    summary: 'The git source has not applied for 16m 0s',
                    description: '`hostpilotctl git status` says why (an unreachable remote, or the file, document and field of an invalid commit); the fleet stays as the last applied revision left it.',
                  },
                },
              ],
            },
            {
              eval_time: '15m',
              alertname: 'HostpilotAgentDown',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', job: 'hostpilot-agent', node: 'n1', instance: '10.0.0.1:9102' },
                  exp_annotations: { summary: 'hostpilot agent on n1 is down', description: "The agent's /metrics on 10.0.0.1:9102 has not answered for 10m: the node gets no updates and reports no problems." },
                },
              ],
            },
            { eval_time: '60m', alertname: 'HostpilotLockHeldTooLong', exp_alerts: [] },
            {
              eval_time: '125m',
              alertname: 'HostpilotLockHeldTooLong',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', group: 'default', job: 'hostpilot-coordinator' },
                  exp_annotations: {
                    summary: 'Reboot lock of group default held for over 2h',
                    description: "1 node(s) of group default have held a reboot slot continuously for 2 hours. `hostpilotctl locks list` shows the holders; free a dead holder's slot with `hostpilotctl locks release NODE --group default`.",
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(join(dir, 'tests.yaml'), JSON.stringify(tests));
    const r = await new ProcessRunner().run({ argv: ['promtool', 'test', 'rules', join(dir, 'tests.yaml')], timeoutMs: 30_000, okExitCodes: [0, 1] });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.exitCode).toBe(0);
  });
});

// parseYaml is used by tools reading single documents; keep one check that a plain parse agrees.
it('parses the base kustomization the same way as a single document', () => {
  expect(parseYaml(readFileSync(join(BASE, 'kustomization.yaml'), 'utf8'))).toEqual(kustomization);
});
