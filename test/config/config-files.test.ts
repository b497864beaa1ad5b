// Layered config files: /usr/lib -> /run -> /etc drop-ins, later wins key by
// key, a same-named file replaces an earlier one, flags win over files;
// --print-config names each value's source; errors name file, line and key.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { layerConfig } from '../../common/config-files.js';
import { COORDINATOR_OPTIONS, parseCoordinatorArgs, type CoordinatorConfig } from '../../coordinator/config.js';
import { RUN_OPTIONS, parseAgentArgs } from '../../agent/config.js';
import { writeFiles } from '../resources/fleet-fixture.js';
import { runProgram } from '../support/programs.js';
import { makeTempDir } from '../support/tmp.js';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir('hostpilot-config-');
});
afterEach(() => tmp.remove());

function coordinator(...argv: string[]) {
  const layered = layerConfig('coordinator', ['--config-root', tmp.dir, ...argv], COORDINATOR_OPTIONS);
  try {
    return { layered, config: parseCoordinatorArgs(layered.argv) as CoordinatorConfig };
  } catch (err) {
    throw layered.explain(err);
  }
}

describe('coordinator config files', () => {
  beforeEach(() => {
    writeFiles(tmp.dir, {
      'usr/lib/hostpilot/coordinator.d/10-defaults.yaml': 'log-level: warn\ngroup: [default=1]\nnode-timeout: 5m\n',
      'usr/lib/hostpilot/coordinator.d/20-masked.yaml': 'rollout-interval: 9s\n',
      'run/hostpilot/coordinator.d/50-runtime.yaml': 'node-timeout: 3m\nheartbeat-interval: 20s\n',
      'etc/hostpilot/coordinator.d/20-masked.yaml': '',
      'etc/hostpilot/coordinator.d/30-site.yaml': '# the site\ngroup:\n  - default=2\n  - workers=3\ngit:\n  url: file:///srv/fleet.git\n  ref: production\n  path: fleet\n',
    });
  });

  it('applies /usr/lib, then /run, then /etc, key by key; a same-named file replaces an earlier one; flags win', () => {
    const { config, layered } = coordinator('--log-level', 'error');
    expect(layered.files).toEqual([
      `${tmp.dir}/usr/lib/hostpilot/coordinator.d/10-defaults.yaml`,
      `${tmp.dir}/run/hostpilot/coordinator.d/50-runtime.yaml`,
      `${tmp.dir}/etc/hostpilot/coordinator.d/20-masked.yaml`,
      `${tmp.dir}/etc/hostpilot/coordinator.d/30-site.yaml`,
    ]);
    expect(config.logLevel).toBe('error');
    expect(config.nodeTimeoutMs).toBe(180_000);
    expect(config.heartbeatIntervalMs).toBe(20_000);
    expect(config.rolloutIntervalMs).toBe(2_000);
    expect([...config.groups]).toEqual([
      ['default', 2],
      ['workers', 3],
    ]);
    expect(config.git).toMatchObject({ url: 'file:///srv/fleet.git', ref: 'production', path: 'fleet' });
    // A list from the command line replaces the files' list (no merging of lists).
    expect([...coordinator('--group', 'only=4').config.groups]).toEqual([['only', 4]]);
  });

  it('--print-config shows the merged values and where each came from', async () => {
    const r = await runProgram('coordinator', ['--config-root', tmp.dir, '--print-config', '--store', 'sqlite:/tmp/x.db']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain(`group: ["default=2", "workers=3"]  # ${tmp.dir}/etc/hostpilot/coordinator.d/30-site.yaml:2`);
    expect(lines).toContain(`git-url: "file:///srv/fleet.git"  # ${tmp.dir}/etc/hostpilot/coordinator.d/30-site.yaml:6`);
    expect(lines).toContain(`node-timeout: "3m"  # ${tmp.dir}/run/hostpilot/coordinator.d/50-runtime.yaml:1`);
    expect(lines).toContain(`log-level: "warn"  # ${tmp.dir}/usr/lib/hostpilot/coordinator.d/10-defaults.yaml:1`);
    expect(lines).toContain('store: "sqlite:/tmp/x.db"  # command line');
    expect(r.stdout).not.toContain('rollout-interval');
  });

  it.each([
    ['grpc-port: 7070\n', '99-x.yaml:1: grpc-port: unknown key'],
    ['log-level: info\ngit:\n  branch: main\n', '99-x.yaml:3: git-branch: unknown key'],
    ['insecure: "yes"\n', '99-x.yaml:1: insecure: expected true or false'],
    ['store: [a, b]\n', '99-x.yaml:1: store: expected one value, not a list'],
    ['\n\nnode-timeout: soon\n', '99-x.yaml:3: node-timeout: "soon" is not a duration'],
    ['group:\n  - default=1\n  - bad_name=2\n', '99-x.yaml:1: group: "bad_name": a group name must match'],
    ['log-level: [\n', '99-x.yaml:2: not valid YAML'],
  ])('%j is refused with file, line and key', (text, message) => {
    writeFiles(tmp.dir, { 'etc/hostpilot/coordinator.d/99-x.yaml': text });
    expect(() => coordinator()).toThrow(`${tmp.dir}/etc/hostpilot/coordinator.d/${message}`);
  });

  it('a bad file stops the program at start with one line naming it', async () => {
    writeFiles(tmp.dir, { 'etc/hostpilot/coordinator.d/99-x.yaml': 'lock-ttl: forever\n' });
    const r = await runProgram('coordinator', ['--config-root', tmp.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`hostpilot-coordinator: ${tmp.dir}/etc/hostpilot/coordinator.d/99-x.yaml:1: lock-ttl: "forever" is not a duration (e.g. 500ms, 30s, 5m, 1h30m) (see hostpilot-coordinator --help)\n`);
  });
});

describe('agent config files', () => {
  it('reads agent.d the same way', () => {
    writeFiles(tmp.dir, {
      'usr/lib/hostpilot/agent.d/10-defaults.yaml': 'coordinator: coord.example:7070\nlabel: [pool=workers]\n',
      'etc/hostpilot/agent.d/10-node.yaml': 'coordinator: other.example:7070\nlabel: [pool=infra, rack=r9]\nnode-id: n42\n',
    });
    const layered = layerConfig('agent', ['--config-root', tmp.dir, '--node-id', 'from-flag'], RUN_OPTIONS);
    const config = parseAgentArgs(layered.argv)!;
    expect(config.coordinator).toBe('other.example:7070');
    expect(config.labels).toEqual({ pool: 'infra', rack: 'r9' });
    expect(config.nodeId).toBe('from-flag');
    expect(layered.values.get('coordinator')?.source).toBe(`${tmp.dir}/etc/hostpilot/agent.d/10-node.yaml:1`);
  });
});
