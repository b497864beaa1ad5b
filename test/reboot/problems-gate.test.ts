// Node problems gate reboots: node-problem-detector's own kernel-monitor.json,
// fed a real XFS shutdown line through a kmsg-format file, raises XfsShutdown;
// the reboot flow then waits (no lock taken), and the health check fails on it.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProcessRunner } from '../../common/exec/runner.js';
import { ProblemDetector } from '../../agent/problems/detector.js';
import { ConditionsBlocker } from '../../agent/reboot/blockers.js';
import { ConditionsHealth, healthProblems } from '../../agent/reboot/health.js';
import { silentLogger } from '../../common/log.js';
import { SimLock, SimOs, SimRebooter, makeController } from '../support/sim-node.js';
import { makeTempDir, waitFor } from '../support/tmp.js';

const KERNEL_MONITOR = fileURLToPath(new URL('../fixtures/npd/kernel-monitor.json', import.meta.url));

describe('problem conditions in the reboot flow', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let detector: ProblemDetector;
  let log: string;
  beforeEach(async () => {
    tmp = makeTempDir();
    log = join(tmp.dir, 'kmsg');
    writeFileSync(log, '');
    detector = new ProblemDetector({
      configPaths: [KERNEL_MONITOR],
      runner: new ProcessRunner(),
      registry: new Registry(),
      logger: silentLogger,
      bootId: 'boot-1',
      statePath: join(tmp.dir, 'conditions.json'),
      logPathOverride: log,
      pollMs: 10,
    });
    await detector.start();
  });
  afterEach(async () => {
    await detector.stop();
    tmp.remove();
  });

  it('an XFS shutdown in the kernel log blocks the reboot and fails the health check', async () => {
    const events: string[] = [];
    const os = new SimOs({ checksum: '1'.repeat(64), version: '1' });
    os.remote = [{ checksum: '2'.repeat(64), version: '2' }];
    const lock = new SimLock('n1', 1, events);
    const rebooter = new SimRebooter(os, lock, 'n1', events);
    const controller = makeController(join(tmp.dir, 'state'), os, lock, rebooter, { blockers: [new ConditionsBlocker(() => detector.conditions())] });

    appendFileSync(log, '2,1234,5678901,-;XFS (dm-4): Corruption of in-memory data detected.  Shutting down filesystem\n');
    await waitFor(() => detector.activeProblems().length > 0, 'the XfsShutdown condition');
    expect(detector.activeProblems()).toMatchObject([{ type: 'XfsShutdown', status: 'True' }]);

    controller.setDesired('2');
    await controller.trigger();
    expect(controller.current).toMatchObject({ kind: 'pending', waiting: expect.stringMatching(/blocked: active problem XfsShutdown/) });
    expect(lock.acquires).toBe(0);
    expect(rebooter.reboots).toBe(0);
    expect(await healthProblems([new ConditionsHealth(() => detector.conditions())])).toEqual([expect.stringMatching(/^XfsShutdown: /)]);
  });
});
