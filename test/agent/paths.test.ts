// One state dir and one config dir for the daemon and every subcommand
// (agent/paths.ts): the real agent runs with --state-dir/--config-dir, and
// `problems list`, `net pods` and `storage status` given the same two flags
// show what it wrote and read. The agent runs in a network namespace of its
// own, so its pod-network reconciler touches nothing on this host.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PodStateStore, type PodRecord } from '../../agent/net/state-store.js';
import { ProcessRunner } from '../../common/exec/runner.js';
import { describeWith } from '../support/components.js';
import { distPath, runProgram } from '../support/programs.js';
import { makeTempDir, waitFor } from '../support/tmp.js';

const NETNS = `hp-paths-${process.pid}`;

function record(containerId: string, phase: PodRecord['phase'], netns: string): PodRecord {
  return {
    version: 1, phase, network: 'podnet', containerId, ifName: 'eth0', netns, hostVeth: `hp${containerId}`, hostVethPrefix: 'hp',
    address: '', gateway: '10.10.0.1', uplink: 'uplink0', mtu: 1500, ipamType: 'host-local', cniPath: ['/usr/lib/cni'], config: {}, updatedAt: '2026-11-28T00:00:00Z',
  };
}

describeWith(['root', 'ip', 'vgs'], 'the agent and its subcommands share --state-dir and --config-dir', () => {
  const tmp = makeTempDir('hp-paths-');
  const stateDir = join(tmp.dir, 'state');
  const configDir = join(tmp.dir, 'etc');
  const runner = new ProcessRunner();
  let stop: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    mkdirSync(join(configDir, 'monitors.d'), { recursive: true });
    // A monitor whose check fails: the agent saves the condition in <state-dir>/conditions.json.
    writeFileSync(
      join(configDir, 'monitors.d', 'paths-test.json'),
      JSON.stringify({
        plugin: 'custom', source: 'paths-test', pluginConfig: { invoke_interval: '1s', timeout: '5s' },
        conditions: [{ type: 'PathsTestProblem', reason: 'PathsTestOk', message: 'fine' }],
        rules: [{ type: 'permanent', condition: 'PathsTestProblem', reason: 'PathsTestFailed', path: '/bin/false', timeout: '5s' }],
      }),
    );
    writeFileSync(join(configDir, 'storage.json'), JSON.stringify({ devices: ['/dev/hp-paths-none'], volumeGroup: 'hp-paths-vg' }));
    // Records as hostpilot-cni writes them with stateDir <state-dir>/cni: one of a pod that is
    // gone (the agent's reconciler drops it), one still being added (left alone).
    await runner.run({ argv: ['ip', 'netns', 'add', NETNS] });
    const cni = new PodStateStore(join(stateDir, 'cni'));
    await cni.write(record('gone', 'ready', join(tmp.dir, 'no-such-netns')));
    await cni.write(record('keep', 'adding', `/run/netns/${NETNS}`));

    await runner.run({ argv: ['ip', 'netns', 'exec', NETNS, 'ip', 'link', 'set', 'lo', 'up'] });
    const child = spawn(
      'ip',
      ['netns', 'exec', NETNS, process.execPath, distPath('agent'), 'run', '--state-dir', stateDir, '--config-dir', configDir,
        '--coordinator', '127.0.0.1:9', '--metrics-listen', '127.0.0.1:0', '--node-id', 'paths-test', '--pod-network', '--log-level', 'error'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      expect(stderr).toBe('');
    };
  });

  afterAll(async () => {
    await stop();
    await runner.run({ argv: ['ip', 'netns', 'del', NETNS], okExitCodes: [0, 1] });
    tmp.remove();
  });

  it('problems list shows the condition the agent saved', async () => {
    const listed = await waitFor(async () => {
      const r = await runProgram('agent', ['problems', 'list', '--json', '--state-dir', stateDir]);
      if (r.code !== 0) return undefined;
      const conditions = JSON.parse(r.stdout) as Array<{ type: string; status: boolean; reason: string }>;
      return conditions.find((c) => c.type === 'PathsTestProblem' && c.status);
    }, 'the agent to save PathsTestProblem');
    expect(listed.reason).toBe('PathsTestFailed');
  });

  it('net pods lists the records the agent reconciles: the gone pod removed, the one being added kept', async () => {
    const ids = await waitFor(async () => {
      const r = await runProgram('agent', ['net', 'pods', '--json', '--state-dir', stateDir]);
      const pods = (JSON.parse(r.stdout) as { pods: Array<{ containerId: string }> }).pods.map((p) => p.containerId);
      return pods.includes('gone') ? undefined : pods;
    }, 'the agent to drop the gone pod');
    expect(ids).toEqual(['keep']);
  });

  it('storage status reads the storage.json the agent watches', async () => {
    const r = await runProgram('agent', ['storage', 'status', '--json', '--config-dir', configDir]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { status: { vgExists: boolean }; conditions: Array<{ message: string }> };
    expect(out.status.vgExists).toBe(false);
    expect(out.conditions.map((c) => c.message).join(' ')).toContain('hp-paths-vg');
  });
});
