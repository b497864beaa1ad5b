// The remediation controller inside a running coordinator, seen through the
// built hostpilotctl: a policy applied from a file, a node whose condition has
// held long enough gets its first step, and `remediation list|history|pause|
// resume`, `pools list` and /metrics show it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCoordinator } from '../support/coordinator.js';
import { nodeReport } from '../support/node-report.js';
import { runProgram } from '../support/programs.js';
import { makeTempDir, waitFor } from '../support/tmp.js';

let c: Awaited<ReturnType<typeof withCoordinator>>;
let addr: string;
const home = makeTempDir('hostpilot-ctl-home-');
const ctl = (args: string[]) => runProgram('ctl', ['--coordinator', addr, ...args], { HOME: home.dir, XDG_CONFIG_HOME: join(home.dir, '.config'), HOSTPILOT_COORDINATOR: '', HOSTPILOT_CONTEXT: '' });

const POLICY = `apiVersion: hostpilot.io/v1
kind: RemediationPolicy
metadata: {name: workers}
spec:
  selector: {pool: [workers]}
  conditions: [{type: KubeletUnhealthy, for: 5m}]
  steps:
    - {action: restart-unit, unit: kubelet.service, timeout: 5m}
    - {action: reboot}
    - {action: reprovision}
`;

beforeAll(async () => {
  c = await withCoordinator();
  addr = `127.0.0.1:${c.grpcPort}`;
  for (const id of ['n1', 'n2', 'n3', 'n4', 'n5', 'n6']) await c.fleet.report(nodeReport(id, '1'));
});
afterAll(async () => {
  await c?.cleanup();
  home.remove();
});

describe('hostpilotctl remediation', () => {
  it('refuses a bad policy naming the field, applies a good one, and lists the node it repairs', async () => {
    const bad = join(c.dir, 'bad.yaml');
    writeFileSync(bad, POLICY.replace('unit: kubelet.service, ', ''));
    const refused = await ctl(['apply', '-f', bad]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/bad\.yaml: document 1 \(RemediationPolicy "workers"\): spec\.steps\[0\]\.unit/);
    const good = join(c.dir, 'policy.yaml');
    writeFileSync(good, POLICY);
    expect((await ctl(['apply', '-f', good])).code).toBe(0);

    // KubeletUnhealthy since an hour ago: due at once.
    const since = Date.now() - 3_600_000;
    await c.fleet.report(nodeReport('n3', '1', 'idle', '', { conditions: [{ type: 'KubeletUnhealthy', status: true, reason: 'Probe', message: 'kubelet /healthz failed', transition_unix_ms: since }] }));
    const listed = await waitFor(async () => {
      const out = await ctl(['remediation', 'list', '-o', 'json']);
      const r = (JSON.parse(out.stdout) as { remediations: Array<Record<string, unknown>> }).remediations;
      return r.length === 1 && r[0]!.step !== '' ? r : undefined;
    }, 'the first step ordered');
    expect(listed[0]).toMatchObject({ node_id: 'n3', pool: 'workers', policy: 'workers', condition: 'KubeletUnhealthy', since_unix_ms: since, step: 'restart-unit kubelet.service', step_index: 1, attempts: 1, order_id: 'n3/1/0' });
    expect(Number(listed[0]!.next_step_unix_ms)).toBeGreaterThan(since);
    const table = await ctl(['remediation', 'list']);
    expect(table.stdout).toMatch(/^NODE\s+POOL\s+CONDITION\s+SINCE\s+STEP\s+ATTEMPTS\s+NEXT STEP AT\s+MESSAGE$/m);
    expect(table.stdout).toMatch(/^n3\s+workers\s+KubeletUnhealthy\s+.*1: restart-unit kubelet\.service\s+1\s+/m);

    const history = await ctl(['remediation', 'history', 'n3', '-o', 'json']);
    expect((JSON.parse(history.stdout) as { history: Array<{ event: string }> }).history.map((h) => h.event)).toEqual(['started', 'step']);
    expect((await ctl(['remediation', 'history', 'n9'])).stderr).toMatch(/no remediation history for node "n9"/);

    const metrics = await c.registry.metrics();
    expect(metrics).toMatch(/^hostpilot_remediation_active\{pool="workers"\} 1$/m);
    expect(metrics).toMatch(/^hostpilot_remediations_total\{action="restart-unit",result="ordered"\} 1$/m);
    expect(metrics).toMatch(/^hostpilot_remediation_storm\{pool="workers"\} 0$/m);

    const got = await ctl(['get', 'remediationpolicies', 'workers', '-o', 'json']);
    expect(JSON.parse(got.stdout)).toMatchObject({ kind: 'RemediationPolicy', status: { active: 1, waiting: 0, needsReprovision: [] } });
  });

  it('pauses and resumes a pool; pools list shows it', async () => {
    const paused = await ctl(['remediation', 'pause', 'workers']);
    expect(paused.stdout).toBe('remediation in pool workers: paused\n');
    const pools = JSON.parse((await ctl(['pools', 'list', '-o', 'json'])).stdout) as { pools: Array<{ name: string; remediation_paused: boolean; remediation_storm: boolean }> };
    expect(pools.pools.find((p) => p.name === 'workers')).toMatchObject({ remediation_paused: true, remediation_storm: false });
    expect((await ctl(['pools', 'list'])).stdout).toMatch(/REMEDIATION\n.*workers.*paused$/ms);
    expect((await ctl(['remediation', 'resume', 'workers', '-o', 'json'])).stdout).toMatch(/"paused": false/);
    const bad = await ctl(['remediation', 'pause', 'no pool!']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/pool: "no pool!" is not a pool name/);
  });
});
