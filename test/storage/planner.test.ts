import { describe, expect, it } from 'vitest';
import { planStorage, StorageRefusedError, type PlanStep } from '../../agent/storage/planner.js';
import { parsePvs } from '../../agent/storage/lvm-report.js';
import type { ObservedState } from '../../agent/storage/state.js';
import { blankDevice, device, fixture, state, vmConfig } from './fixtures.js';

const cmds = (steps: PlanStep[]) => steps.map((s) => (s.kind === 'command' ? s.argv.join(' ') : `write ${s.path}`));

function refusal(fn: () => unknown): StorageRefusedError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StorageRefusedError);
    return err as StorageRefusedError;
  }
  throw new Error('expected a refusal');
}

describe('storage planner', () => {
  it('plans a pool on a blank disk, each step with a reason', () => {
    const config = vmConfig();
    const plan = planStorage(config, state('blank', config));
    expect(cmds(plan.steps)).toEqual([
      'pvcreate --yes /dev/vda',
      'vgcreate hpvg /dev/vda',
      'write /etc/lvm/profile/hostpilot-hpvg-pool.profile',
      // 256 MiB disk → 63 extents (as the VM's vgs shows); 1 metadata + 1 spare; 40% of 61 = 24.
      'lvcreate --type thin-pool --extents 24 --poolmetadatasize 4194304b --chunksize 524288b --zero n --metadataprofile hostpilot-hpvg-pool --yes --name pool hpvg',
      'write /etc/containerd/conf.d/hostpilot-devmapper.toml',
    ]);
    expect(plan.estimated).toBe(true);
    for (const s of plan.steps) expect(s.reason.length).toBeGreaterThan(10);
    const profile = plan.steps[2]!;
    expect(profile.kind === 'writeFile' && profile.content).toContain('thin_pool_autoextend_threshold = 60');
    const runtime = plan.steps[4]!;
    expect(runtime.kind === 'writeFile' && runtime.content).toContain('pool_name = "hpvg-pool"');
  });

  it('plans nothing for the state its own apply left (captured after apply in the VM)', () => {
    const config = vmConfig();
    const plan = planStorage(config, state('created', config));
    expect(plan.steps).toEqual([]);
    expect(plan.notes).toEqual([]);
  });

  it('an apply interrupted after vgcreate: the next plan has only the rest, with real sizes', () => {
    const config = vmConfig();
    const obs = state('created', config);
    // The VG as vgcreate left it: all 63 extents free, no LVs, no files yet.
    obs.vg = { ...obs.vg!, freeExtents: 63, freeBytes: 63 * 4 * 1024 * 1024 };
    obs.lvs = [];
    obs.files = {};
    const plan = planStorage(config, obs);
    expect(plan.estimated).toBe(false);
    expect(cmds(plan.steps)).toEqual([
      'write /etc/lvm/profile/hostpilot-hpvg-pool.profile',
      'lvcreate --type thin-pool --extents 24 --poolmetadatasize 4194304b --chunksize 524288b --zero n --metadataprofile hostpilot-hpvg-pool --yes --name pool hpvg',
      'write /etc/containerd/conf.d/hostpilot-devmapper.toml',
    ]);
  });

  it('plans nothing when dmeventd has already grown the pool past dataSize', () => {
    const config = vmConfig();
    expect(planStorage(config, state('extended', config)).steps).toEqual([]);
  });

  it('above the threshold with no room: no extension, a note saying to add a device', () => {
    const config = vmConfig();
    const plan = planStorage(config, state('nearly-full', config));
    expect(plan.steps).toEqual([]);
    expect(plan.notes.join('\n')).toMatch(/data 78.7% at or above 60% and hpvg has only 28.00 MiB free .*add a device/);
  });

  it('adding a device: pvcreate, vgextend, then the pool grows to keep dataSize', () => {
    const config = vmConfig({ devices: ['/dev/vda', '/dev/vdb'] });
    const obs = state('created', config);
    obs.devices.push(blankDevice('/dev/vdb'));
    expect(cmds(planStorage(config, obs).steps)).toEqual([
      'pvcreate --yes /dev/vdb',
      'vgextend hpvg /dev/vdb',
      // (63 + 63 - 2) * 40% = 49 extents; the pool has 24.
      'lvextend --extents +25 hpvg/pool',
    ]);
  });

  it('adding a device to a full pool: the agent extends by its own policy', () => {
    const config = vmConfig({ devices: ['/dev/vda', '/dev/vdb'] });
    const obs = state('nearly-full', config);
    obs.devices.push(blankDevice('/dev/vdb'));
    const plan = planStorage(config, obs);
    expect(cmds(plan.steps)).toEqual(['pvcreate --yes /dev/vdb', 'vgextend hpvg /dev/vdb', 'lvextend --use-policies hpvg/pool']);
    expect(plan.steps[2]!.reason).toMatch(/data 78.7% at or above autoExtend.threshold 60%/);
  });

  it('with growPool false, a new device only extends the VG', () => {
    const config = vmConfig({ devices: ['/dev/vda', '/dev/vdb'], growPool: false });
    const obs = state('created', config);
    obs.devices.push(blankDevice('/dev/vdb'));
    expect(cmds(planStorage(config, obs).steps)).toEqual(['pvcreate --yes /dev/vdb', 'vgextend hpvg /dev/vdb']);
  });

  it('re-attaches the profile, restarts monitoring, activates', () => {
    const config = vmConfig();
    const obs = state('created', config);
    const pool = obs.lvs.find((l) => l.name === 'pool')!;
    pool.profile = undefined;
    pool.monitor = 'not monitored';
    expect(cmds(planStorage(config, obs).steps)).toEqual(['lvchange --metadataprofile hostpilot-hpvg-pool hpvg/pool', 'lvchange --monitor y hpvg/pool']);
    const inactive = state('created', config, 'inactive-lvs.json');
    expect(cmds(planStorage(config, inactive).steps)).toEqual(['lvchange --activate y hpvg/pool']);
  });

  it('rewrites a profile or runtime file that was edited', () => {
    const config = vmConfig();
    const obs = state('created', config);
    obs.files['/etc/lvm/profile/hostpilot-hpvg-pool.profile'] = 'activation { thin_pool_autoextend_threshold = 100 }\n';
    const plan = planStorage(config, obs);
    expect(cmds(plan.steps)).toEqual(['write /etc/lvm/profile/hostpilot-hpvg-pool.profile']);
    expect(plan.steps[0]!.reason).toMatch(/^differs/);
  });

  it('writes docker-storage settings in container-storage-setup\'s format', () => {
    const config = vmConfig({ thinPool: 'docker-pool', runtime: { format: 'docker-storage' } });
    const plan = planStorage(config, state('blank', config));
    const w = plan.steps.find((s) => s.kind === 'writeFile' && s.path === '/etc/sysconfig/docker-storage');
    expect(w && w.kind === 'writeFile' && w.content).toContain('--storage-opt dm.thinpooldev=/dev/mapper/hpvg-docker--pool');
  });

  describe('refusals (nothing is planned)', () => {
    it('a mounted device (the host root disk, captured)', () => {
      const config = vmConfig();
      const obs = state('blank', config);
      obs.devices = [device('/dev/vda', 'lsblk-host-root-vda.json', 'wipefs-blank-vda.json')];
      const e = refusal(() => planStorage(config, obs));
      expect(e.field).toBe('devices[0]');
      expect(e.message).toBe('devices[0]: /dev/vda is in use: mounted at /run/netns, /; refusing to touch it');
    });

    it('a device that holds other devices', () => {
      const config = vmConfig();
      const obs = state('blank', config);
      obs.devices = [device('/dev/vda', 'lsblk-pv-vda.json', 'wipefs-blank-vda.json')];
      expect(refusal(() => planStorage(config, obs)).message).toMatch(/devices\[0\]: \/dev\/vda is in use: it holds \/dev\/mapper\/hpvg-pool_tmeta \(lvm\)/);
    });

    it('a device in another volume group', () => {
      const config = vmConfig({ devices: ['/dev/vda', '/dev/vdb'] });
      const obs = state('created', config);
      obs.pvs = parsePvs(fixture('othervg-pvs.json'));
      obs.devices.push(device('/dev/vdb', 'lsblk-blank-vda.json', 'wipefs-lvm2-member.json'));
      obs.devices[1]!.block!.path = '/dev/vdb';
      const e = refusal(() => planStorage(config, obs));
      expect(e.message).toBe('devices[1]: /dev/vdb is a physical volume of volume group othervg; refusing to take it (vgreduce it there first, or pick another device)');
    });

    it('a signature without wipeSignatures; with it, wipefs then pvcreate', () => {
      const config = vmConfig();
      const obs: ObservedState = { ...state('blank', config), devices: [{ ...blankDevice('/dev/vda'), signatures: JSON.parse('[{"type":"ext4","offset":"0x438"}]') }] };
      const e = refusal(() => planStorage(config, obs));
      expect(e.message).toBe('devices[0]: /dev/vda carries signature(s) ext4 at 0x438; set wipeSignatures: true to wipe them (destroying what is on /dev/vda)');
      const wiping = vmConfig({ wipeSignatures: true });
      expect(cmds(planStorage(wiping, obs).steps).slice(0, 2)).toEqual(['wipefs --all /dev/vda', 'pvcreate --yes /dev/vda']);
    });

    it('a device that does not exist', () => {
      const config = vmConfig();
      const obs = { ...state('blank', config), devices: [{ configured: '/dev/vda', block: undefined, signatures: [] }] };
      expect(refusal(() => planStorage(config, obs)).message).toBe('devices[0]: /dev/vda does not exist or is not a block device');
    });

    it('a data size that does not fit says what fits', () => {
      const config = vmConfig({ dataSize: '1G' });
      const e = refusal(() => planStorage(config, state('blank', config)));
      expect(e.field).toBe('dataSize');
      expect(e.message).toBe(
        'dataSize: 1.00 GiB does not fit: hpvg has 252.00 MiB free (sizes estimated until the volume group is updated); after 4.00 MiB of pool metadata and its spare copy, at most 244.00 MiB fits for data',
      );
    });

    it('a pool below minDataSize (container-storage-setup\'s 2G default)', () => {
      const config = vmConfig({ minDataSize: undefined });
      const e = refusal(() => planStorage(config, state('blank', config)));
      expect(e.message).toMatch(/^dataSize: 40%FREE gives 96.00 MiB, below minDataSize 2.00 GiB: .*at most 244.00 MiB fits for data$/);
    });

    it('an absolute pool size that cannot grow further', () => {
      const config = vmConfig({ dataSize: '300M' });
      const e = refusal(() => planStorage(config, state('created', config)));
      expect(e.message).toBe('dataSize: 300.00 MiB does not fit: hpvg/pool has 96.00 MiB and hpvg 148.00 MiB free, so at most 244.00 MiB fits');
    });

    it('an LV with the pool\'s name that is not a thin pool', () => {
      const config = vmConfig({ thinPool: 't1' });
      const e = refusal(() => planStorage(config, state('extended', config)));
      expect(e.message).toBe('thinPool: hpvg/t1 exists and is not a thin pool (lv_attr Vwi-a-t---); refusing to touch it');
    });

    it('a root size that does not fit', () => {
      const config = vmConfig({ rootSize: '2G', rootLogicalVolume: 't1' });
      const obs = state('nearly-full', config);
      expect(refusal(() => planStorage(config, obs)).message).toBe(
        'rootSize: 2.00 GiB does not fit: hpvg/t1 is 1.00 GiB and hpvg has 28.00 MiB free, so at most 1.03 GiB fits',
      );
    });
  });

  it('grows the root LV with its file system, never shrinks it', () => {
    const config = vmConfig({ rootSize: '1040M', rootLogicalVolume: 't1' });
    const plan = planStorage(config, state('nearly-full', config));
    expect(cmds(plan.steps)).toEqual([`lvextend --resizefs --size ${1040 * 1024 * 1024}b hpvg/t1`]);
    const smaller = vmConfig({ rootSize: '512M', rootLogicalVolume: 't1' });
    const p2 = planStorage(smaller, state('nearly-full', smaller));
    expect(p2.steps).toEqual([]);
    expect(p2.notes[0]).toMatch(/never shrunk/);
  });
});
