// hostpilotctl and NodeConfigs against a real coordinator (SQLite, gRPC):
// apply, get nodeconfigs, config rendered POOL, rollout create --node-config, and
// the config hashes nodes list and pools list show; a conflicting or bad set
// is refused with one line and nothing applied.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { shortConfigHash } from '../../common/api/node-config.js';
import { nodeReport } from '../support/node-report.js';
import { ctl, fleetWithNodes, writeFiles, type Fleet } from './fleet-fixture.js';

const BASE = `apiVersion: hostpilot.io/v1
kind: NodeConfig
metadata:
  name: 10-base
spec:
  selector: {pool: [workers]}
  files:
    - {path: /etc/motd, mode: "0644", contents: "hello\\n"}
  units:
    - name: chronyd.service
      dropIns: [{name: 10-nice.conf, contents: "[Service]\\nNice=5\\n"}]
  sysctls: {vm.swappiness: 10}
`;
const CONFLICT = `apiVersion: hostpilot.io/v1
kind: NodeConfig
metadata:
  name: 20-motd
spec:
  files:
    - {path: /etc/motd, mode: "0600", contents: "hello\\n"}
`;

let fleet: Fleet;
beforeEach(async () => {
  fleet = await fleetWithNodes();
});
afterEach(async () => {
  await fleet.cleanup();
});

describe('hostpilotctl and NodeConfigs', { timeout: 240_000 }, () => {
  it('applies, lists and renders a pool\'s config; a rollout carries it; nodes and pools show the hashes', async () => {
    writeFiles(fleet.dir, { 'fleet/base.yaml': BASE });
    const applied = await ctl(fleet, ['apply', '-f', 'fleet']);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toBe('NodeConfig/10-base created\n');

    const rendered = await ctl(fleet, ['config', 'rendered', 'workers', '-o', 'json']);
    expect(rendered.code).toBe(0);
    const r = JSON.parse(rendered.stdout) as { pool: string; hash: string; config: { sources: string[]; files: unknown[]; sysctls: Record<string, string> } };
    expect(r.pool).toBe('workers');
    expect(r.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(r.config).toMatchObject({ sources: ['10-base'], files: [{ path: '/etc/motd', mode: 0o644, contents: 'hello\n' }], sysctls: { 'vm.swappiness': '10' }, reboot: 'auto' });
    expect(parseYaml((await ctl(fleet, ['config', 'rendered', 'workers', '-o', 'yaml'])).stdout)).toEqual(r);
    const table = await ctl(fleet, ['config', 'rendered', 'workers']);
    expect(table.stdout).toMatch(new RegExp(`^pool workers: ${r.hash}\nfrom: 10-base\n`));
    expect(table.stdout).toMatch(/mode: "0644"/);
    expect((await ctl(fleet, ['config', 'rendered', 'infra'])).stdout).toBe('pool infra: no NodeConfig selects it\n');

    const get = await ctl(fleet, ['get', 'nodeconfigs']);
    expect(get.stdout).toMatch(/^NAME +POOLS +FILES +UNITS +SYSCTLS +KARGS +REBOOT +RENDERED +MANAGED-BY\n/);
    expect(get.stdout).toMatch(new RegExp(`\\n10-base +workers +1 +1 +1 +- +auto +workers:${shortConfigHash(r.hash)} +apply\\n`));
    // Applied again: unchanged.
    expect((await ctl(fleet, ['apply', '-f', 'fleet'])).stdout).toBe('NodeConfig/10-base unchanged\n');

    const created = await ctl(fleet, ['rollout', 'create', '--node-config', 'workers', '--id', 'cfg', '--strategy', 'by-label:rack', '--max-unavailable', '2', '-o', 'json']);
    expect(created.stderr).toBe('');
    const status = JSON.parse(created.stdout) as { spec: { config_pool: string; config_hash: string; target: string; selector: Record<string, string> } };
    expect(status.spec).toMatchObject({ config_pool: 'workers', config_hash: r.hash, target: '', selector: { pool: 'workers' } });
    // A node reports the hash it applied: nodes list shows it next to its version, pools list counts it.
    await fleet.fleet.report(nodeReport('n1', '1.0', 'idle', '', { labels: { pool: 'workers', rack: 'r1' }, config_hash: r.hash }));
    const nodes = await ctl(fleet, ['nodes', 'list']);
    expect(nodes.stdout).toMatch(/^NODE +LABELS +VERSION +CONFIG +DESIRED/);
    expect(nodes.stdout).toMatch(new RegExp(`\\nn1 +pool=workers,rack=r1 +1\\.0 +${shortConfigHash(r.hash)} +`));
    expect(nodes.stdout).toMatch(/\nn3 +pool=workers,rack=r2 +1\.0 +- +/);
    const json = JSON.parse((await ctl(fleet, ['nodes', 'list', '-o', 'json'])).stdout) as { nodes: Array<{ node_id: string; config_hash: string; desired_config_hash: string }> };
    expect(json.nodes.find((n) => n.node_id === 'n1')).toMatchObject({ config_hash: r.hash, desired_config_hash: r.hash });
    const pools = await ctl(fleet, ['pools', 'list']);
    expect(pools.stdout).toMatch(/ CONFIG +CONFIGS +ROLLOUT /);
    expect(pools.stdout).toMatch(new RegExp(`\\nworkers +4 .* ${shortConfigHash(r.hash)} +none:3,${shortConfigHash(r.hash)}:1 +cfg `));
    const status2 = await ctl(fleet, ['rollout', 'status', 'cfg']);
    expect(status2.stdout).toMatch(new RegExp(`target config ${shortConfigHash(r.hash)} of pool workers `));
  });

  it('refuses a conflicting set with one line naming both configs, and applies nothing', async () => {
    writeFiles(fleet.dir, { 'fleet/base.yaml': BASE, 'fleet/motd.yaml': CONFLICT });
    const r = await ctl(fleet, ['apply', '-f', 'fleet']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('fleet/motd.yaml: document 1 (NodeConfig "20-motd"): NodeConfig "10-base" and NodeConfig "20-motd" both set file /etc/motd, differently (pool workers)');
    const bad = await ctl(fleet, ['apply', '-f', '-'], { stdin: BASE.replace('path: /etc/motd', 'path: /usr/motd') });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^hostpilotctl: <stdin>: document 1 \(NodeConfig "10-base"\): spec\.files\[0\]\.path: "\/usr\/motd" is not under \/etc or \/var$/);
    expect((await ctl(fleet, ['get', 'nodeconfigs', '-o', 'json'])).stdout).toMatch(/"items": \[\]/);
    expect(await fleet.store.list('configs/')).toEqual([]);
  });
});
