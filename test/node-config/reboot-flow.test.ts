// A config that needs a reboot goes through the reboot flow under the lock
// (the flow asks NodeConfigAgent.rebootPending(), as agent/reboot/wiring.ts
// wires it); with an OS target at the same time, one reboot does both.
// Kernel arguments through rpm-ostree on a recorded runner; the node is
// test/support/sim-node.ts's simulated OS, lock and rebooter.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kargsEditor } from '../../agent/node-config/kargs.js';
import { RecordedRunner } from '../support/recorded-runner.js';
import { SimLock, SimOs, SimRebooter, makeController } from '../support/sim-node.js';
import { makeTempDir } from '../support/tmp.js';
import { desired, nodeConfigAgent, rendered } from './support.js';

const PRINT = readFileSync(join(__dirname, '../fixtures/rpm-ostree/kargs-print-bazzite.txt'), 'utf8');
const STAGED = readFileSync(join(__dirname, '../fixtures/rpm-ostree/kargs-append-rhel-image-mode.txt'), 'utf8');
const c1 = { checksum: '1'.repeat(64), version: '1' };
const c2 = { checksum: '2'.repeat(64), version: '2' };

describe('a node config that needs a reboot, through the reboot flow', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let events: string[];
  let os: SimOs;
  let lock: SimLock;
  let rebooter: SimRebooter;
  let runner: RecordedRunner;
  beforeEach(() => {
    tmp = makeTempDir('hp-nodecfg-flow-');
    events = [];
    os = new SimOs(c1);
    os.remote = [c2];
    lock = new SimLock('n1', 1, events);
    rebooter = new SimRebooter(os, lock, 'n1', events);
    runner = new RecordedRunner([
      { argv: ['rpm-ostree', 'kargs'], stdout: PRINT },
      { argv: ['rpm-ostree', 'kargs', '--append=hp.flow=1'], stdout: STAGED },
    ]);
  });
  afterEach(() => tmp.remove());

  // One agent process: its node-config part and its reboot flow, wired as agent/daemon.ts does.
  function agentProcess() {
    const bootId = () => `boot-${os.bootId}`;
    const nodeConfig = nodeConfigAgent({ root: join(tmp.dir, 'root'), stateDir: join(tmp.dir, 'state'), kargs: kargsEditor('rpm-ostree', runner), runner, bootId });
    const flow = makeController(join(tmp.dir, 'state'), os, lock, rebooter, { rebootRequired: () => nodeConfig.agent.rebootPending() });
    return { nodeConfig: nodeConfig.agent, flow };
  }
  const config = desired(rendered({ files: [{ path: '/etc/hp-flow', mode: 0o644, contents: 'x\n' }], kernelArguments: { append: ['hp.flow=1'], delete: [] } }), 'reboot');

  it('stages the kernel arguments, then lock, reboot, verify, release; the hash counts once booted', async () => {
    const before = agentProcess();
    await before.nodeConfig.start(0);
    await before.nodeConfig.setDesired(config);
    expect(before.nodeConfig.appliedHash).toBe('');
    await before.flow.trigger();
    expect(events).toEqual(['lock', 'reboot']);

    const after = agentProcess();
    await after.nodeConfig.start(0);
    expect(after.nodeConfig.appliedHash).toBe(config.hash);
    await after.flow.trigger();
    expect(after.flow.current).toEqual({ kind: 'idle' });
    expect(events).toEqual(['lock', 'reboot', 'unlock']);
    expect(rebooter.reboots).toBe(1);
    expect(runner.argvs().filter((a) => a.length > 2)).toEqual([['rpm-ostree', 'kargs', '--append=hp.flow=1']]);
  });

  it('a config rolled back before its reboot takes its staged arguments back', async () => {
    runner = new RecordedRunner([
      { argv: ['rpm-ostree', 'kargs'], stdout: PRINT, once: true },
      { argv: ['rpm-ostree', 'kargs', '--append=hp.flow=1'], stdout: STAGED },
      { argv: ['rpm-ostree', 'kargs'], stdout: `${PRINT.trim()} hp.flow=1\n` },
      { argv: ['rpm-ostree', 'kargs', '--delete=hp.flow=1'], stdout: STAGED },
    ]);
    const node = agentProcess();
    await node.nodeConfig.start(0);
    const previous = desired(rendered({ files: [{ path: '/etc/hp-flow', mode: 0o644, contents: 'old\n' }] }), 'none');
    await node.nodeConfig.setDesired(previous);
    expect(node.nodeConfig.appliedHash).toBe(previous.hash);
    await node.nodeConfig.setDesired(config);
    expect(node.nodeConfig.rebootPending()).toBe(true);
    // The rollout fails elsewhere and rolls this node back to what it had applied.
    await node.nodeConfig.setDesired(previous);
    expect(runner.argvs().filter((a) => a.length > 2)).toEqual([
      ['rpm-ostree', 'kargs', '--append=hp.flow=1'],
      ['rpm-ostree', 'kargs', '--delete=hp.flow=1'],
    ]);
    expect(readFileSync(join(tmp.dir, 'root/etc/hp-flow'), 'utf8')).toBe('old\n');
  });

  it('with an OS target pending as well, one reboot does both', async () => {
    const before = agentProcess();
    await before.nodeConfig.start(0);
    await before.nodeConfig.setDesired(config);
    before.flow.setDesired('2');
    await before.flow.trigger();
    expect(events).toEqual(['lock', 'reboot']);

    const after = agentProcess();
    await after.nodeConfig.start(0);
    await after.flow.trigger();
    expect(events).toEqual(['lock', 'reboot', 'unlock']);
    expect(rebooter.reboots).toBe(1);
    expect(os.version()).toBe('2');
    expect(after.nodeConfig.appliedHash).toBe(config.hash);
    expect(after.nodeConfig.rebootPending()).toBe(false);
  });
});
