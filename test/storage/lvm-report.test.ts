import { describe, expect, it } from 'vitest';
import { parseLvAttr, parseLvs, parsePvs, parseVgs, reportArgv } from '../../agent/storage/lvm-report.js';
import { parseLsblk, parseWipefs } from '../../agent/storage/devices.js';
import { fixture } from './fixtures.js';

describe('lvm report parsing (captured in the VM)', () => {
  it('reads a fresh thin pool with its hidden LVs, profile and monitoring', () => {
    const lvs = parseLvs(fixture('created-lvs.json'));
    expect(lvs.map((l) => [l.name, l.hidden])).toEqual([
      ['lvol0_pmspare', true],
      ['pool', false],
      ['pool_tdata', true],
      ['pool_tmeta', true],
    ]);
    const pool = lvs[1]!;
    expect(pool).toMatchObject({
      vgName: 'hpvg',
      sizeBytes: 100663296,
      dataPercent: 0,
      metadataPercent: 10.84,
      metadataSizeBytes: 4194304,
      chunkSizeBytes: 524288,
      profile: 'hostpilot-hpvg-pool',
      monitor: 'monitored',
      whenFull: 'queue',
      healthStatus: undefined,
    });
    expect(pool.attr).toEqual({ raw: 'twi-a-t---', volumeType: 't', active: true, open: false, problems: [] });
    // chunk_size "0" on LVs without chunks is N/A, not 0 bytes.
    expect(lvs[0]!.chunkSizeBytes).toBeUndefined();
  });

  it('turns LVM\'s "" (N/A) into undefined for an inactive pool', () => {
    const pool = parseLvs(fixture('inactive-lvs.json')).find((l) => l.name === 'pool')!;
    expect(pool.attr.active).toBe(false);
    expect(pool.dataPercent).toBeUndefined();
    expect(pool.metadataPercent).toBeUndefined();
    expect(pool.monitor).toBeUndefined();
    expect(pool.metadataSizeBytes).toBe(4194304);
  });

  it('reads the out-of-data-space health flag', () => {
    const lvs = parseLvs(fixture('out-of-data-lvs.json'));
    const pool = lvs.find((l) => l.name === 'fullpool')!;
    expect(pool.attr.raw).toBe('twi-aotzD-');
    expect(pool.attr.problems).toEqual(['out_of_data_space']);
    expect(pool.healthStatus).toBe('out_of_data');
    expect(pool.dataPercent).toBe(100);
    expect(lvs.find((l) => l.name === 't2')!.poolLv).toBe('fullpool');
  });

  it.each([
    ['twi-a-t---', []],
    ['twi-aotzD-', ['out_of_data_space']],
    ['twi-aotzM-', ['metadata_read_only']],
    ['twi-aotzF-', ['failed']],
    ['twi-cot---', ['check_needed']],
    ['twi-sot---', ['suspended']],
    ['twi-XXt-X-', ['unknown']],
    ['twi-aotzp-', ['partial']],
  ])('lv_attr %s → %j', (attr, problems) => {
    expect(parseLvAttr(attr).problems).toEqual(problems);
  });

  it('reads PVs (orphan and in a VG) and VGs', () => {
    expect(parsePvs(fixture('blank-pvs.json'))).toEqual([]);
    expect(parsePvs(fixture('othervg-pvs.json'))).toEqual([
      { name: '/dev/vda', vgName: 'hpvg', sizeBytes: 264241152, freeBytes: 29360128, devSizeBytes: 268435456 },
      { name: '/dev/vdb', vgName: 'othervg', sizeBytes: 264241152, freeBytes: 264241152, devSizeBytes: 268435456 },
    ]);
    expect(parseVgs(fixture('nearly-full-vgs.json'))).toEqual([
      { name: 'hpvg', sizeBytes: 264241152, freeBytes: 29360128, extentBytes: 4194304, extentCount: 63, freeExtents: 7, pvCount: 1 },
    ]);
  });

  it('refuses output it cannot trust', () => {
    expect(() => parseLvs('not json')).toThrow(/not JSON/);
    expect(() => parseVgs('{"report":[{"vg":[{"vg_name":"x"}]}]}')).toThrow(/field vg_size missing/);
    expect(() => parseVgs(fixture('created-vgs.json').replace('"264241152"', '"252.00m"'))).toThrow(/--units b --nosuffix/);
    expect(() => parseLvAttr('tw')).toThrow(/lv_attr/);
  });

  it('asks lvm for exactly the fields it parses', () => {
    expect(reportArgv('lvs', 'hpvg')).toEqual([
      'lvs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o',
      'lv_name,vg_name,lv_attr,lv_size,data_percent,metadata_percent,lv_metadata_size,chunk_size,lv_profile,seg_monitor,pool_lv,lv_health_status,lv_when_full',
      '-a', 'hpvg',
    ]);
  });
});

describe('block device parsing', () => {
  it('reads a blank disk', () => {
    expect(parseLsblk(fixture('lsblk-blank-vda.json'), '/dev/vda')).toEqual({
      path: '/dev/vda', type: 'disk', sizeBytes: 268435456, fstype: undefined, mountpoints: [], holders: [],
    });
    expect(parseWipefs(fixture('wipefs-blank-vda.json'))).toEqual([]);
    expect(parseWipefs('')).toEqual([]);
  });

  it('counts stacked devices printed as siblings (no udev) as holders', () => {
    const d = parseLsblk(fixture('lsblk-pv-vda.json'), '/dev/vda');
    expect(d.path).toBe('/dev/vda');
    expect(d.holders).toEqual(['/dev/mapper/hpvg-pool_tmeta (lvm)', '/dev/mapper/hpvg-pool_tdata (lvm)', '/dev/mapper/hpvg-pool (lvm)']);
  });

  it('sees the mounts of the host root disk', () => {
    expect(parseLsblk(fixture('lsblk-host-root-vda.json'), '/dev/vda').mountpoints).toEqual(['/run/netns', '/']);
  });

  it('reads signatures', () => {
    expect(parseWipefs(fixture('wipefs-ext4.json'))).toEqual([{ type: 'ext4', offset: '0x438', usage: undefined }]);
    expect(parseWipefs(fixture('wipefs-lvm2-member.json'))[0]!.type).toBe('LVM2_member');
  });
});
