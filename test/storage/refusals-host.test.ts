// Refusals against real tools on this host (no device-mapper needed: plan only
// reads): a loop device over a scratch file carrying ext4, then mounted.
// Never a real disk.
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { storageMain } from '../../agent/cli/storage.js';
import { ProcessRunner } from '../../common/exec/runner.js';
import { LocalFiles } from '../../agent/storage/files.js';
import { describeWith } from '../support/components.js';

describeWith(['root', 'losetup', 'lsblk', 'wipefs', 'pvs', 'mkfs.ext4', 'mount', 'umount'], 'storage plan refusals on a real loop device', () => {
  const runner = new ProcessRunner();
  let dir = '';
  let loop = '';
  let mounted = false;
  const config = (extra: Record<string, unknown> = {}) => {
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ devices: [loop], volumeGroup: `hptest${process.pid}`, minDataSize: '8M', profileDir: join(dir, 'profile'), ...extra }));
    return file;
  };
  const plan = async (file: string) => {
    const out: string[] = [];
    await storageMain(['plan', '--config', file], { out: (t) => void out.push(t), err: () => undefined });
    return out.join('\n');
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hostpilot-storage-'));
    const img = join(dir, 'disk.img');
    writeFileSync(img, '');
    truncateSync(img, 64 * 1024 * 1024);
    await runner.run({ argv: ['mkfs.ext4', '-q', img] });
    loop = (await runner.run({ argv: ['losetup', '--find', '--show', img] })).stdout.trim();
  });

  afterAll(async () => {
    if (mounted) await runner.run({ argv: ['umount', join(dir, 'mnt')] }).catch(() => undefined);
    if (loop) await runner.run({ argv: ['losetup', '--detach', loop] }).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a device carrying a file system unless wipeSignatures is set', async () => {
    await expect(plan(config())).rejects.toThrow(`devices[0]: ${loop} carries signature(s) ext4 at 0x438; set wipeSignatures: true`);
    const text = await plan(config({ wipeSignatures: true }));
    expect(text).toContain(`1. wipefs --all ${loop}`);
    expect(text).toContain(`2. pvcreate --yes ${loop}`);
    // plan changed nothing: the file system is still there.
    expect((await runner.run({ argv: ['wipefs', '--json', '--no-act', loop] })).stdout).toContain('"ext4"');
  });

  it('refuses a mounted device, even with wipeSignatures', async () => {
    const mnt = join(dir, 'mnt');
    await runner.run({ argv: ['mkdir', '-p', mnt] });
    await runner.run({ argv: ['mount', loop, mnt] });
    mounted = true;
    await expect(plan(config({ wipeSignatures: true }))).rejects.toThrow(`devices[0]: ${loop} is in use: mounted at ${mnt}; refusing to touch it`);
  });

  it('refuses a path that is not a block device', async () => {
    await expect(plan(config({ devices: ['/dev/null'] }))).rejects.toThrow('devices[0]: /dev/null does not exist or is not a block device');
  });
});
