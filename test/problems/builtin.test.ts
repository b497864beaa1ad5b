// Built-in checks: read-only mounts, disk and inode pressure, the clock, and
// the inputs other modules feed (thin pool, failed units).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../common/exec/runner.js';
import { silentLogger } from '../../common/log.js';
import { BuiltinMonitor, mountOf, parseMountinfo, type BuiltinInputs } from '../../agent/problems/builtin.js';
import { parseMonitorConfig, type BuiltinMonitorConfig } from '../../agent/problems/config.js';
import { RecordedRunner } from '../support/recorded-runner.js';
import { RecordingSink } from './helpers.js';

// Shape of a real /proc/self/mountinfo (Fedora CoreOS: / is the ostree deployment, /var a bind mount).
const MOUNTINFO = [
  '24 1 253:0 /ostree/deploy/fedora-coreos/deploy/abc.0 / rw,relatime shared:1 - xfs /dev/vda4 rw,seclabel,attr2,inode64',
  '25 24 253:0 /ostree/deploy/fedora-coreos/var /var ro,relatime shared:5 - xfs /dev/vda4 ro,seclabel',
  '26 24 0:5 / /dev rw,nosuid shared:2 - devtmpfs devtmpfs rw',
  '27 24 0:6 / /mnt/my\\040disk rw shared:3 - ext4 /dev/vdb rw',
].join('\n');

function monitor(checks: unknown[], inputs: BuiltinInputs, runner: CommandRunner = new RecordedRunner([])): BuiltinMonitor {
  const cfg = parseMonitorConfig({ plugin: 'builtin', source: 'hostpilot-builtin', pluginConfig: { checks } }) as BuiltinMonitorConfig;
  return new BuiltinMonitor(cfg, { runner, logger: silentLogger, inputs });
}

async function run(m: BuiltinMonitor): Promise<RecordingSink> {
  const sink = new RecordingSink();
  await m.runOnce(sink);
  return sink;
}

describe('mountinfo', () => {
  it('finds the mount holding a path, unescaping octal spaces', () => {
    const e = parseMountinfo(MOUNTINFO);
    expect(mountOf(e, '/var/lib/containers')?.mountPoint).toBe('/var');
    expect(mountOf(e, '/variable')?.mountPoint).toBe('/');
    expect(mountOf(e, '/mnt/my disk/x')?.options).toEqual(['rw']);
  });
  it('reads this machine\'s real mountinfo', () => {
    const e = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
    expect(mountOf(e, '/')?.mountPoint).toBe('/');
  });
});

describe('builtin checks', () => {
  it('read-only /var is a problem; writable is OK', async () => {
    const s = await run(monitor([{ check: 'readonly-fs' }], { mountinfo: () => MOUNTINFO }));
    expect(s.updates).toEqual([{ source: 'hostpilot-builtin', type: 'ReadonlyFilesystem', status: true, reason: 'FilesystemIsReadOnly', message: 'read-only: /var' }]);
    const ok = await run(monitor([{ check: 'readonly-fs', paths: ['/'] }], { mountinfo: () => MOUNTINFO }));
    expect(ok.updates[0]).toMatchObject({ status: false, reason: 'FilesystemIsNotReadOnly' });
  });

  it('disk and inode pressure against the threshold (df arithmetic: reserved blocks excluded)', async () => {
    const statfs = () => ({ blocks: 1000, bfree: 100, bavail: 50, files: 1000, ffree: 500 });
    const s = await run(monitor([{ check: 'disk-pressure', threshold: 90 }, { check: 'inode-pressure', threshold: 90 }], { statfs }));
    expect(s.updates.map((u) => [u.type, u.status, u.message])).toEqual([
      ['DiskPressure', true, '/var 94.7% used (threshold 90%)'],
      ['InodePressure', false, 'inode usage is below the threshold'],
    ]);
  });

  it('real statfs of / answers', async () => {
    const s = await run(monitor([{ check: 'disk-pressure', paths: ['/'], threshold: 100 }], {}));
    expect(s.updates[0]).toMatchObject({ type: 'DiskPressure' });
    expect(s.updates[0]!.unknown).toBeUndefined();
  });

  it('clock: timedatectl says yes, no, or cannot tell (unknown counts as a problem)', async () => {
    const argv = ['timedatectl', 'show', '--property=NTPSynchronized', '--value'];
    const yes = await run(monitor([{ check: 'clock-sync' }], {}, new RecordedRunner([{ argv, stdout: 'yes\n' }])));
    expect(yes.updates[0]).toMatchObject({ type: 'ClockNotSynchronized', status: false });
    const no = await run(monitor([{ check: 'clock-sync' }], {}, new RecordedRunner([{ argv, stdout: 'no\n' }])));
    expect(no.updates[0]).toMatchObject({ status: true, reason: 'ClockNotSynchronized' });
    const none = await run(monitor([{ check: 'clock-sync' }], {}, new RecordedRunner([{ argv, failure: 'spawn' }])));
    expect(none.updates[0]).toMatchObject({ status: true, unknown: true, reason: 'CheckFailed' });
  });

  it('thin pool and failed units come from inputs; without an input they are unknown', async () => {
    const s = await run(
      monitor([{ check: 'thin-pool', threshold: 80, metadataThreshold: 70 }, { check: 'failed-units' }], {
        thinPoolUsage: async () => ({ dataPercent: 50, metadataPercent: 75.5 }),
        failedUnits: async () => ['kubelet.service'],
      }),
    );
    expect(s.updates.map((u) => [u.type, u.status, u.reason, u.message])).toEqual([
      ['ThinPoolPressure', true, 'ThinPoolAlmostFull', 'thin pool metadata 75.5% (threshold 70%)'],
      ['FailedSystemdUnits', true, 'UnitsFailed', 'failed: kubelet.service'],
    ]);
    const missing = await run(monitor([{ check: 'thin-pool' }], {}));
    expect(missing.updates[0]).toMatchObject({ status: true, unknown: true, message: 'no thin-pool input is wired into the agent' });
    const throws = await run(monitor([{ check: 'failed-units' }], { failedUnits: async () => { throw new Error('bus gone'); } }));
    expect(throws.updates[0]).toMatchObject({ unknown: true, message: 'failed-units: bus gone' });
  });
});
