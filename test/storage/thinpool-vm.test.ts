// The real device-mapper test: this CI kernel has none, so a Debian 6.1
// kernel boots under qemu (TCG) with the host root shared read-only
// (test/support/vm). The project's built CLI runs in the guest against blank
// virtio disks; lvs/dd run through the guest command server. Node in the
// guest is ~24x slower, so only a few CLI commands run there.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseStorageConfig } from '../../agent/storage/config.js';
import { parseLvs, parsePvs, parseVgs, reportArgv, type LogicalVolume } from '../../agent/storage/lvm-report.js';
import { ThinPoolWatch } from '../../agent/storage/watch.js';
import { describeWith } from '../support/components.js';
import { REPO_ROOT, startVm, type Vm } from '../support/vm/vm.js';
import { VM_CONFIG } from './fixtures.js';

const MIB = 1024 * 1024;
const LONG = 600_000;

// The config the captured fixtures come from; each step names its disks.
const { devices: _devices, ...baseConfig } = VM_CONFIG;

describeWith(['qemu-system-x86_64', 'root', 'lvm', 'busybox', 'cpio', 'apt-get', 'dpkg-deb', 'depmod', 'modprobe'], 'storage on a real device-mapper (qemu VM)', () => {
  let vm: Vm | undefined;
  // Config files live in the repository: the guest sees the host root (read-only) but has its own /tmp.
  const dir = join(REPO_ROOT, '.tmp', `storage-vm-${process.pid}`);
  const oneDisk = join(dir, 'one-disk.json');
  const twoDisks = join(dir, 'two-disks.json');

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist/agent/main.js'))) throw new Error('dist/agent/main.js is missing: run npm run build first');
    mkdirSync(dir, { recursive: true });
    writeFileSync(oneDisk, JSON.stringify({ ...baseConfig, devices: ['/dev/vda'] }));
    writeFileSync(twoDisks, JSON.stringify({ ...baseConfig, devices: ['/dev/vda', '/dev/vdb'] }));
    vm = await startVm({ diskMiB: [256, 256] });
  }, LONG);

  afterAll(async () => {
    await vm?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const guest = (argv: string[]) => vm!.runner.run({ argv, env: { LVM_SUPPRESS_FD_WARNINGS: '1' }, timeoutMs: LONG });
  const cli = async (...args: string[]) => (await guest(['node', join(REPO_ROOT, 'dist/agent/main.js'), 'storage', ...args])).stdout;
  const pool = async (): Promise<LogicalVolume> => parseLvs((await guest(reportArgv('lvs', 'hpvg'))).stdout).find((l) => l.name === 'pool')!;
  const write = (fromMiB: number, mib: number) => guest(['dd', 'if=/dev/urandom', 'of=/dev/hpvg/t1', 'bs=1M', `seek=${fromMiB}`, `count=${mib}`, 'oflag=direct']);
  // dmeventd looks at monitored pools every 10 s; this only bounds a hang.
  async function waitForPoolSize(bytes: number): Promise<LogicalVolume> {
    for (let i = 0; i < 90; i++) {
      const p = await pool();
      if (p.sizeBytes >= bytes) return p;
      await new Promise((r) => setTimeout(r, 2000));
    }
    throw new Error(`the pool never reached ${bytes / MIB} MiB:\n${vm!.console().slice(-2000)}`);
  }

  it('storage apply builds a monitored, profile-driven thin pool on a blank disk', async () => {
    const out = await cli('apply', '--config', oneDisk);
    expect(out).toContain('ran: pvcreate --yes /dev/vda');
    expect(out).toContain('ran: vgcreate hpvg /dev/vda');
    expect(out).toContain('ran: lvcreate --type thin-pool --extents 24');
    expect(out).toMatch(/storage apply: 5 step\(s\) applied to hpvg\/pool/);
    const p = await pool();
    expect(p.attr.volumeType).toBe('t');
    expect(p.attr.active).toBe(true);
    expect(p.attr.problems).toEqual([]);
    expect(p.sizeBytes).toBe(96 * MIB);
    expect(p.chunkSizeBytes).toBe(512 * 1024);
    expect(p.profile).toBe('hostpilot-hpvg-pool');
    expect(p.monitor).toBe('monitored');
    expect(p.dataPercent).toBe(0);
    const profile = (await guest(['cat', '/etc/lvm/profile/hostpilot-hpvg-pool.profile'])).stdout;
    expect(profile).toContain('thin_pool_autoextend_threshold = 60');
    expect((await guest(['cat', baseConfig.runtime.path])).stdout).toContain('pool_name = "hpvg-pool"');
  }, LONG);

  it('writing past the threshold: dmeventd extends the pool through the profile', async () => {
    await guest(['lvcreate', '--virtualsize', '1G', '--thin', 'hpvg/pool', '--name', 't1']);
    await write(0, 64); // 64 of 96 MiB: 67% > 60%
    const p = await waitForPoolSize(144 * MIB); // +50%
    expect(p.sizeBytes).toBe(144 * MIB);
    expect(p.dataPercent).toBeLessThan(60);
  }, LONG);

  it('with no free extents left above the threshold: ThinPoolNearlyFull, then critical at 95%', async () => {
    await write(64, 56); // 120 of 144 MiB → grows to 216 MiB, leaving 7 extents free
    await waitForPoolSize(216 * MIB);
    await write(120, 50); // 170 of 216 MiB: 78.7%, and a 50% extension no longer fits
    const status = JSON.parse(await cli('status', '--json', '--config', oneDisk));
    expect(status.status.pool.sizeBytes).toBe(216 * MIB);
    expect(status.conditions[0]).toMatchObject({ type: 'ThinPoolNearlyFull', status: 'True', reason: 'NoFreeExtents' });
    expect(status.conditions[1]).toMatchObject({ type: 'ThinPoolCriticallyFull', status: 'False' });

    await write(170, 38); // 208 of 216 MiB: 96.3%
    // The agent's watch (run here, its lvm calls in the guest) with its metrics.
    const registry = new Registry();
    const watch = new ThinPoolWatch(vm!.runner, parseStorageConfig({ ...baseConfig, devices: ['/dev/vda'] }), registry);
    const { conditions } = await watch.check();
    expect(conditions.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual(['ThinPoolNearlyFull=True/NoFreeExtents', 'ThinPoolCriticallyFull=True/DataCriticallyFull']);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/hostpilot_thinpool_data_ratio\{volume_group="hpvg",thin_pool="pool"\} 0\.9[5-9]/);
    expect(metrics).toContain(`hostpilot_thinpool_size_bytes{volume_group="hpvg",thin_pool="pool"} ${216 * MIB}`);
  }, LONG);

  it('storage apply again changes nothing', async () => {
    const out = await cli('apply', '--config', oneDisk);
    expect(out).toContain('storage apply: no changes: hpvg/pool already matches');
    expect(out).not.toContain('ran:');
  }, LONG);

  it('adding a second disk extends the VG and the pool, and rootSize grows the root LV with its file system', async () => {
    // A small "root" LV with a real ext4 in the last free extents of the full VG.
    await guest(['lvcreate', '--size', '16M', '--name', 'root', 'hpvg']);
    await guest(['mkfs.ext4', '-q', '/dev/hpvg/root']);
    writeFileSync(twoDisks, JSON.stringify({ ...baseConfig, devices: ['/dev/vda', '/dev/vdb'], rootSize: '40M' }));
    const out = await cli('apply', '--config', twoDisks);
    expect(out).toContain('ran: pvcreate --yes /dev/vdb');
    expect(out).toContain('ran: vgextend hpvg /dev/vdb');
    expect(out).toContain(`ran: lvextend --resizefs --size ${40 * MIB}b hpvg/root`);
    const vg = parseVgs((await guest(reportArgv('vgs'))).stdout).find((v) => v.name === 'hpvg')!;
    expect(vg.pvCount).toBe(2);
    expect(parsePvs((await guest(reportArgv('pvs'))).stdout).map((p) => [p.name, p.vgName])).toEqual([
      ['/dev/vda', 'hpvg'],
      ['/dev/vdb', 'hpvg'],
    ]);
    // The agent's own extension (lvextend --use-policies) or dmeventd's, whichever came first.
    expect((await pool()).sizeBytes).toBeGreaterThan(216 * MIB);
    const root = parseLvs((await guest(reportArgv('lvs', 'hpvg'))).stdout).find((l) => l.name === 'root')!;
    expect(root.sizeBytes).toBe(40 * MIB);
    const sb = (await guest(['dumpe2fs', '-h', '/dev/hpvg/root'])).stdout;
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(sb)?.[1]);
    expect(field('Block count') * field('Block size')).toBe(40 * MIB);
    const again = await cli('plan', '--config', twoDisks);
    expect(again).toContain('storage plan: no changes');
  }, LONG);
});
