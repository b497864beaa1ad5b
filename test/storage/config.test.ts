import { describe, expect, it } from 'vitest';
import { parseStorageConfig, parseStorageConfigText } from '../../agent/storage/config.js';
import { parseSizeSpec } from '../../agent/storage/size.js';

describe('storage config', () => {
  it('applies container-storage-setup\'s defaults', () => {
    expect(parseStorageConfig({ devices: ['/dev/vdb'] })).toEqual({
      devices: ['/dev/vdb'],
      volumeGroup: 'hostpilot',
      thinPool: 'container-thinpool',
      dataSize: { kind: 'percentFree', percent: 40 },
      minDataSize: 2 * 1024 ** 3,
      metadataSize: undefined,
      chunkSize: 512 * 1024,
      rootSize: undefined,
      rootLogicalVolume: 'root',
      growPool: true,
      autoExtend: { enabled: true, threshold: 60, percent: 20 },
      wipeSignatures: false,
      runtime: undefined,
      profileDir: '/etc/lvm/profile',
    });
  });

  it('reads sizes as LVM does (powers of 1024)', () => {
    expect(parseSizeSpec('8G', 'x')).toEqual({ kind: 'bytes', bytes: 8 * 1024 ** 3 });
    expect(parseSizeSpec('512k', 'x')).toEqual({ kind: 'bytes', bytes: 512 * 1024 });
    expect(parseSizeSpec('1.5GiB', 'x')).toEqual({ kind: 'bytes', bytes: 1.5 * 1024 ** 3 });
    expect(parseSizeSpec('4096b', 'x')).toEqual({ kind: 'bytes', bytes: 4096 });
    expect(parseSizeSpec('100%FREE', 'x')).toEqual({ kind: 'percentFree', percent: 100 });
  });

  it.each([
    [{ devices: 'vdb' }, 'devices: must be a list'],
    [{ devices: ['vdb'] }, 'devices[0]: "vdb" is not a block device path under /dev'],
    [{ devices: ['/dev/../etc/passwd'] }, 'devices[0]: "/dev/../etc/passwd" is not a block device path'],
    [{ devices: ['/dev/vdb', '/dev/vdb'] }, 'devices: /dev/vdb is listed twice'],
    [{ devices: [], volumeGroup: '-vg' }, 'volumeGroup: "-vg" is not an LVM name'],
    [{ devices: [], volumeGroup: 'a b' }, 'volumeGroup: "a b" is not an LVM name'],
    [{ devices: [], thinPool: 'pool_tmeta' }, 'thinPool: "pool_tmeta" uses a name LVM reserves'],
    [{ devices: [], dataSize: '40%VG' }, 'dataSize: "40%VG": only N%FREE is supported'],
    [{ devices: [], dataSize: '0%FREE' }, 'dataSize: "0%FREE": the percentage must be 1-100'],
    [{ devices: [], dataSize: '10' }, 'dataSize: "10" is not a size'],
    [{ devices: [], chunkSize: '100K' }, 'chunkSize: must be a multiple of 64K'],
    [{ devices: [], metadataSize: '1M' }, 'metadataSize: must be from 2M to 16G'],
    [{ devices: [], autoExtend: { threshold: 40 } }, 'autoExtend.threshold: must be a whole number from 50 to 99'],
    [{ devices: [], autoExtend: { percent: 0 } }, 'autoExtend.percent: must be a whole number from 1 to 1000'],
    [{ devices: [], autoExtend: { treshold: 70 } }, 'autoExtend.treshold: unknown setting'],
    [{ devices: [], wipeSignatures: 'yes' }, 'wipeSignatures: must be true or false'],
    [{ devices: [], runtime: { format: 'podman' } }, 'runtime.format: must be "containerd-devmapper" or "docker-storage"'],
    [{ devices: [], runtime: { path: 'relative' } }, 'runtime.path: "relative" is not an absolute file path'],
    [{ devices: [], DEVS: '/dev/vdb' }, 'DEVS: unknown setting'],
    [{ devices: [], rootLogicalVolume: 'container-thinpool' }, 'rootLogicalVolume: must differ from thinPool'],
  ])('refuses %j naming the field', (input, message) => {
    expect(() => parseStorageConfig(input)).toThrow(message);
  });

  it('names the file when the JSON is broken', () => {
    expect(() => parseStorageConfigText('{', '/etc/hostpilot/storage.json')).toThrow(/^\/etc\/hostpilot\/storage.json: not valid JSON/);
  });
});
