import { describe, expect, it } from 'vitest';
import { UsageError } from '../../common/cli.js';
import { storageMain, type StorageDeps } from '../../agent/cli/storage.js';
import type { StorageFiles } from '../../agent/storage/files.js';
import { StorageRefusedError } from '../../agent/storage/planner.js';
import { RecordedRunner, type Recording } from '../support/recorded-runner.js';
import { VM_CONFIG, filesFor, fixture, vmConfig } from './fixtures.js';

const CONFIG = JSON.stringify(VM_CONFIG);

class MemoryFiles implements StorageFiles {
  constructor(readonly files: Record<string, string | undefined> = {}) {}
  read(path: string) {
    return this.files[path];
  }
  write(path: string, content: string) {
    this.files[path] = content;
  }
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) } };
}

const report = (cmd: string, stdout: string, once = true): Recording => ({ argv: [cmd, ...Array(7).fill(/.*/), ...(cmd === 'lvs' ? ['-a', 'hpvg'] : [])], stdout, once });
const device = (lsblk: string, wipefs: string): Recording[] => [
  { argv: ['lsblk', '--json', '--bytes', '-o', /.*/, '/dev/vda'], stdout: fixture(lsblk), once: true },
  { argv: ['wipefs', '--json', '--no-act', '/dev/vda'], stdout: fixture(wipefs), once: true },
];
const created = (): Recording[] => [
  report('pvs', fixture('created-pvs.json')),
  report('vgs', fixture('created-vgs.json')),
  report('lvs', fixture('created-lvs.json')),
  ...device('lsblk-pv-vda.json', 'wipefs-lvm2-member.json'),
];

function deps(runner: RecordedRunner, files: MemoryFiles): StorageDeps {
  return { runner, files, now: () => new Date('2026-11-21T12:00:00Z'), readConfig: () => CONFIG };
}

const MUTATING = /^(pvcreate|vgcreate|vgextend|lvcreate|lvextend|lvchange|wipefs --all)/;

describe('hostpilot-agent storage', () => {
  it('plan on a blank disk prints each command and why, and runs only read-only commands', async () => {
    const runner = new RecordedRunner([report('pvs', fixture('blank-pvs.json')), report('vgs', fixture('blank-vgs.json')), ...device('lsblk-blank-vda.json', 'wipefs-blank-vda.json')]);
    const c = io();
    expect(await storageMain(['plan', '--config', 'x.json'], c.io, deps(runner, new MemoryFiles()))).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/^storage plan: 5 step\(s\) for hpvg\/pool/);
    expect(text).toContain('  1. pvcreate --yes /dev/vda\n     why: /dev/vda is listed in devices and is not a physical volume yet');
    expect(text).toContain('  4. lvcreate --type thin-pool --extents 24');
    expect(runner.argvs().map((a) => a.join(' ')).filter((a) => MUTATING.test(a))).toEqual([]);
  });

  it('apply on a blank disk: runs the steps, re-observing after the VG and pool change, then stops', async () => {
    const vgNoPool = fixture('created-vgs.json').replace('"vg_free":"155189248"', '"vg_free":"264241152"').replace('"vg_free_count":"37"', '"vg_free_count":"63"');
    const runner = new RecordedRunner([
      report('pvs', fixture('blank-pvs.json')),
      report('vgs', fixture('blank-vgs.json')),
      ...device('lsblk-blank-vda.json', 'wipefs-blank-vda.json'),
      { argv: ['pvcreate', '--yes', '/dev/vda'], once: true },
      { argv: ['vgcreate', 'hpvg', '/dev/vda'], once: true },
      report('pvs', fixture('created-pvs.json')),
      report('vgs', vgNoPool),
      report('lvs', '{"report":[{"lv":[]}]}'),
      ...device('lsblk-blank-vda.json', 'wipefs-lvm2-member.json'),
      { argv: ['lvcreate', ...Array(16).fill(/.*/)], once: true },
      ...created(),
      ...created(),
    ]);
    const files = new MemoryFiles();
    const c = io();
    expect(await storageMain(['apply', '--config', 'x.json'], c.io, deps(runner, files))).toBe(0);
    expect(runner.argvs().map((a) => a.join(' ')).filter((a) => MUTATING.test(a))).toEqual([
      'pvcreate --yes /dev/vda',
      'vgcreate hpvg /dev/vda',
      'lvcreate --type thin-pool --extents 24 --poolmetadatasize 4194304b --chunksize 524288b --zero n --metadataprofile hostpilot-hpvg-pool --yes --name pool hpvg',
    ]);
    expect(files.files).toEqual(filesFor(vmConfig()));
    expect(c.out.at(-1)).toBe('storage apply: 5 step(s) applied to hpvg/pool');
    // Every lvm command runs with the fd warnings silenced and a bound.
    const lvcreate = runner.calls.find((s) => s.argv[0] === 'lvcreate')!;
    expect(lvcreate.env).toEqual({ LVM_SUPPRESS_FD_WARNINGS: '1' });
    expect(lvcreate.timeoutMs).toBeGreaterThan(0);
  });

  it('a second apply runs nothing and says so', async () => {
    const runner = new RecordedRunner(created());
    const c = io();
    expect(await storageMain(['apply', '--config', 'x.json'], c.io, deps(runner, new MemoryFiles(filesFor(vmConfig()))))).toBe(0);
    expect(c.out).toEqual(['storage apply: no changes: hpvg/pool already matches x.json']);
    // A PV already in the VG is not even probed (lsblk, wipefs).
    expect(runner.argvs().map((a) => a[0])).toEqual(['pvs', 'vgs', 'lvs']);
  });

  it('apply --json restores monitoring', async () => {
    const unmonitored = fixture('created-lvs.json').replace('"seg_monitor":"monitored"', '"seg_monitor":"not monitored"');
    const runner = new RecordedRunner([
      report('pvs', fixture('created-pvs.json')),
      report('vgs', fixture('created-vgs.json')),
      report('lvs', unmonitored),
      ...device('lsblk-pv-vda.json', 'wipefs-lvm2-member.json'),
      { argv: ['lvchange', '--monitor', 'y', 'hpvg/pool'], stderr: '  Logical volume hpvg/pool changed.\n', once: true },
      ...created(),
    ]);
    const c = io();
    await storageMain(['apply', '--json', '--config', 'x.json'], c.io, deps(runner, new MemoryFiles(filesFor(vmConfig()))));
    const out = JSON.parse(c.out.join(''));
    expect(out.changed).toBe(true);
    expect(out.applied).toEqual([
      { kind: 'command', argv: ['lvchange', '--monitor', 'y', 'hpvg/pool'], reason: 'hpvg/pool is not monitored; dmeventd must monitor it to auto-extend', replanAfter: false, output: 'Logical volume hpvg/pool changed.', durationMs: expect.any(Number) },
    ]);
  });

  it('a failing step stops apply with an error naming it', async () => {
    const runner = new RecordedRunner([
      report('pvs', fixture('blank-pvs.json')),
      report('vgs', fixture('blank-vgs.json')),
      ...device('lsblk-blank-vda.json', 'wipefs-blank-vda.json'),
      { argv: ['pvcreate', '--yes', '/dev/vda'], exitCode: 5, stderr: '  Cannot use /dev/vda: device is rejected by filter config\n' },
    ]);
    await expect(storageMain(['apply'], io().io, deps(runner, new MemoryFiles()))).rejects.toThrow(
      /^storage apply: pvcreate --yes \/dev\/vda failed after 0 step\(s\): .*rejected by filter config/,
    );
    expect(runner.argvs().map((a) => a[0])).not.toContain('vgcreate');
  });

  it('a refusal changes nothing', async () => {
    const runner = new RecordedRunner([
      report('pvs', fixture('blank-pvs.json')),
      report('vgs', fixture('blank-vgs.json')),
      ...device('lsblk-host-root-vda.json', 'wipefs-blank-vda.json'),
    ]);
    await expect(storageMain(['apply'], io().io, deps(runner, new MemoryFiles()))).rejects.toBeInstanceOf(StorageRefusedError);
    // A device in use is not even probed for signatures.
    expect(runner.argvs().map((a) => a[0])).toEqual(['pvs', 'vgs', 'lsblk']);
  });

  it('status shows usage, health and conditions', async () => {
    const runner = new RecordedRunner([report('pvs', fixture('created-pvs.json')), report('vgs', fixture('critical-vgs.json')), report('lvs', fixture('critical-lvs.json'))]);
    const c = io();
    await storageMain(['status'], c.io, deps(runner, new MemoryFiles()));
    expect(c.out.join('\n')).toBe(
      [
        'volume group hpvg: 252.00 MiB, 28.00 MiB free, PVs /dev/vda',
        'thin pool hpvg/pool: 216.00 MiB, data 96.30%, metadata 11.13% of 4.00 MiB',
        '  attr twi-aot--- (healthy), active, monitored, profile hostpilot-hpvg-pool, 1 thin volume(s)',
        'condition ThinPoolNearlyFull=True (NoFreeExtents): hpvg/pool: data 96.3%, metadata 11.13%, at or above 60% and hpvg has only 28.00 MiB free (a 50% extension needs 108.00 MiB): add a device',
        'condition ThinPoolCriticallyFull=True (DataCriticallyFull): hpvg/pool: data 96.3%, metadata 11.13%, at or above 95%: writes will soon block or fail',
      ].join('\n'),
    );
  });

  it('status --json of an inactive pool reports N/A as absent values', async () => {
    const runner = new RecordedRunner([report('pvs', fixture('created-pvs.json')), report('vgs', fixture('critical-vgs.json')), report('lvs', fixture('inactive-lvs.json'))]);
    const c = io();
    await storageMain(['status', '--json'], c.io, deps(runner, new MemoryFiles()));
    const out = JSON.parse(c.out.join(''));
    expect(out.status.pool.active).toBe(false);
    expect(Object.keys(out.status.pool)).not.toContain('dataPercent');
    expect(Object.keys(out.status.pool)).toContain('sizeBytes');
    expect(out.conditions.map((x: { status: string }) => x.status)).toEqual(['Unknown', 'Unknown']);
    expect(out.conditions[0].transitionTime).toBe('2026-11-21T12:00:00.000Z');
  });

  it('bad command lines are usage errors; --help prints usage', async () => {
    const d = deps(new RecordedRunner([]), new MemoryFiles());
    await expect(storageMain(['frobnicate'], io().io, d)).rejects.toBeInstanceOf(UsageError);
    await expect(storageMain(['plan', '--bogus'], io().io, d)).rejects.toBeInstanceOf(UsageError);
    await expect(storageMain([], io().io, d)).rejects.toBeInstanceOf(UsageError);
    const c = io();
    expect(await storageMain(['--help'], c.io, d)).toBe(0);
    expect(c.out[0]).toMatch(/^Usage: hostpilot-agent storage plan\|apply\|status/);
  });

  it('a config error names the field and runs nothing', async () => {
    const runner = new RecordedRunner([]);
    const d = { ...deps(runner, new MemoryFiles()), readConfig: () => '{"devices":["/dev/vda"],"dataSize":"lots"}' };
    await expect(storageMain(['apply'], io().io, d)).rejects.toThrow('dataSize: "lots" is not a size');
    expect(runner.calls).toEqual([]);
  });
});
