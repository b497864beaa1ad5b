import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessRunner } from '../../common/exec/runner.js';
import {
  NodeMetricsCollector,
  SystemNodeStatsSource,
  cpuShares,
  parseDiskstats,
  parseMeminfo,
  parseProcStat,
  parseMountinfo,
  parseNetDev,
  type NodeSample,
  type NodeStatsSource,
} from '../../agent/metrics/node-metrics.js';
import { silentLogger } from '../../common/log.js';
import { parseOsRelease } from '../../agent/os-facts.js';
import { describeWith } from '../support/components.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/node-metrics/${name}`, import.meta.url), 'utf8');

describe('kernel format parsers (real captures, test/fixtures/node-metrics)', () => {
  it('reads CPU times from /proc/stat and turns two readings into shares per mode', () => {
    const first = parseProcStat(fixture('stat.txt'));
    expect(first.cpus).toBe(2);
    expect(first.modes).toMatchObject({ user: 477692, nice: 0, system: 154307, idle: 55742, iowait: 482, softirq: 958 });
    const later = { cpus: 2, modes: { ...first.modes, user: first.modes.user + 50, system: first.modes.system + 20, idle: first.modes.idle + 25, iowait: first.modes.iowait + 5 } };
    const shares = cpuShares(first, later);
    expect(shares).toMatchObject({ user: 0.5, system: 0.2, idle: 0.3, nice: 0, steal: 0 });
    expect(() => parseProcStat('intr 1 2 3\n')).toThrow(/no aggregate cpu line/);
  });

  it('reads memory from /proc/meminfo in bytes', () => {
    const m = parseMeminfo(fixture('meminfo.txt'));
    expect(m.totalBytes).toBeGreaterThan(0);
    expect(m.totalBytes % 1024).toBe(0);
    expect(m.availableBytes).toBeLessThanOrEqual(m.totalBytes);
    expect(m.freeBytes).toBeLessThanOrEqual(m.availableBytes);
    expect(parseMeminfo('MemTotal: 2048 kB\nMemFree: 1024 kB\nBuffers: 1 kB\nCached: 2 kB\n')).toMatchObject({ totalBytes: 2048 * 1024, availableBytes: (1024 + 1 + 2) * 1024 });
    expect(() => parseMeminfo('')).toThrow(/MemTotal/);
  });

  it('reads the distribution from os-release, quoted or not', () => {
    expect(parseOsRelease(fixture('os-release.txt'))).toMatchObject({ ID: 'debian', VERSION_ID: '12', NAME: 'Debian GNU/Linux' });
    expect(parseOsRelease('NAME="Fedora \\"CoreOS\\""\nVERSION_ID=41\n# comment\n')).toEqual({ NAME: 'Fedora "CoreOS"', VERSION_ID: '41' });
  });

  it('reads whole disks from /proc/diskstats, skipping loop and zram, in bytes', () => {
    const disks = parseDiskstats(fixture('diskstats.txt'));
    expect(disks.map((d) => d.device)).toEqual(['vda']);
    // vda 44438 7786 2483618 30372 36669 35544 4330560 19580 0 17192 ...
    expect(disks[0]).toEqual({ device: 'vda', readsCompleted: 44438, readBytes: 2483618 * 512, writesCompleted: 36669, writtenBytes: 4330560 * 512, ioTimeSeconds: 17.192 });
  });

  it('skips partitions and device-mapper nodes', () => {
    const text = ' 259 0 nvme0n1 10 0 80 1 20 0 160 2 0 3 3 0 0 0 0\n 259 1 nvme0n1p1 5 0 40 1 10 0 80 2 0 3 3 0 0 0 0\n   8 1 sda1 1 0 8 0 1 0 8 0 0 0 0\n 253 0 dm-0 1 0 8 0 1 0 8 0 0 0 0';
    expect(parseDiskstats(text).map((d) => d.device)).toEqual(['nvme0n1']);
  });

  it('reads interfaces from /proc/net/dev', () => {
    const nets = parseNetDev(fixture('net-dev.txt'));
    expect(nets.map((n) => n.device).sort()).toEqual(['eth0', 'ifb0', 'ifb1', 'lo']);
    expect(nets.find((n) => n.device === 'lo')).toMatchObject({ rxBytes: 1746580, rxPackets: 11906, txBytes: 1746580, txPackets: 11906 });
    expect(parseNetDev('  veth12ab: 1 2 0 0 0 0 0 0 3 4 0 0 0 0 0 0\n eth0: 1 2 0 0 0 0 0 0 3 4 0 0 0 0 0 0').map((n) => n.device)).toEqual(['eth0']);
  });

  it('keeps real filesystems from mountinfo and drops pseudo, container and pod mounts', () => {
    const mounts = parseMountinfo(fixture('mountinfo.txt'));
    expect(mounts).toEqual([{ device: '/dev/vda', mountpoint: '/', fstype: 'ext4', readonly: false }]);
  });

  it('sees read-only mounts (per-mount or superblock) and unescapes mount points', () => {
    const text = [
      '30 1 8:3 / /sysroot ro,relatime shared:1 - xfs /dev/sda3 rw,attr2,inode64',
      '31 1 8:4 / /var rw,relatime shared:2 - xfs /dev/sda4 ro,attr2',
      '32 1 8:5 / /mnt/with\\040space rw - ext4 /dev/sda5 rw',
      '33 1 0:50 / /var/lib/kubelet/pods/x/volumes/kubernetes.io~empty-dir/data rw - ext4 /dev/sda4 rw',
      '34 1 0:51 / /run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/rootfs rw - overlay overlay rw',
    ].join('\n');
    expect(parseMountinfo(text)).toEqual([
      { device: '/dev/sda3', mountpoint: '/sysroot', fstype: 'xfs', readonly: true },
      { device: '/dev/sda4', mountpoint: '/var', fstype: 'xfs', readonly: true },
      { device: '/dev/sda5', mountpoint: '/mnt/with space', fstype: 'ext4', readonly: false },
    ]);
  });
});

function sample(over: Partial<NodeSample> = {}): NodeSample {
  return {
    cpuCount: 2,
    cpuModes: { user: 0.25, system: 0.05, idle: 0.7 },
    load: { '1m': 0.5, '5m': 0.4, '15m': 0.3 },
    memory: { totalBytes: 8e9, availableBytes: 6e9, freeBytes: 4e9, buffersBytes: 1e8, cachedBytes: 1e9, swapTotalBytes: 0, swapFreeBytes: 0 },
    filesystems: [
      { device: '/dev/sda4', mountpoint: '/var', fstype: 'xfs', sizeBytes: 100, freeBytes: 40, availBytes: 30, files: 1000, filesFree: 900, readonly: false },
      { device: '/dev/sda3', mountpoint: '/sysroot', fstype: 'xfs', sizeBytes: 200, freeBytes: 100, availBytes: 100, files: 10, filesFree: 5, readonly: true },
    ],
    disks: [{ device: 'sda', readsCompleted: 10, writesCompleted: 20, readBytes: 4096, writtenBytes: 8192, ioTimeSeconds: 1.5 }],
    network: [{ device: 'eth0', up: true, rxBytes: 1000, txBytes: 2000, rxPackets: 10, txPackets: 20, rxErrors: 0, txErrors: 0, rxDropped: 1, txDropped: 0 }],
    uptimeSeconds: 3600,
    bootTimeSeconds: 1795290000,
    ...over,
  };
}

class ScriptedSource implements NodeStatsSource {
  calls = 0;
  constructor(private readonly samples: (NodeSample | Error)[]) {}
  async sample(): Promise<NodeSample> {
    const s = this.samples[Math.min(this.calls++, this.samples.length - 1)]!;
    if (s instanceof Error) throw s;
    return s;
  }
}

describe('NodeMetricsCollector', () => {
  it('serves cached values: a scrape never calls the source', async () => {
    const registry = new Registry();
    const source = new ScriptedSource([sample()]);
    const c = new NodeMetricsCollector({ registry, source, intervalMs: 15_000, logger: silentLogger, now: () => 1_795_296_000_000 });
    await c.collectOnce();
    for (let i = 0; i < 5; i++) await registry.metrics();
    expect(source.calls).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain('hostpilot_node_filesystem_readonly{device="/dev/sda3",mountpoint="/sysroot",fstype="xfs"} 1');
    expect(text).toContain('hostpilot_node_filesystem_files_free{device="/dev/sda4",mountpoint="/var",fstype="xfs"} 900');
    expect(text).toContain('hostpilot_node_disk_written_bytes_total{device="sda"} 8192');
    expect(text).toContain('hostpilot_node_network_up{device="eth0"} 1');
    expect(text).toContain('hostpilot_node_load_average{window="15m"} 0.3');
    expect(text).toContain('hostpilot_node_boot_time_seconds 1795290000');
    expect(text).toContain('hostpilot_node_metrics_last_success_timestamp_seconds 1795296000');
  });

  it('turns kernel counters into counters, drops vanished mounts and interfaces, and keeps values on a failed collection', async () => {
    const registry = new Registry();
    const second = sample({
      filesystems: [sample().filesystems[0]!],
      disks: [{ device: 'sda', readsCompleted: 15, writesCompleted: 20, readBytes: 8192, writtenBytes: 8192, ioTimeSeconds: 2 }],
      network: [],
    });
    // sda's counters reset (device re-attached): the counter keeps rising from the new value.
    const third = sample({ disks: [{ device: 'sda', readsCompleted: 3, writesCompleted: 20, readBytes: 8192, writtenBytes: 8192, ioTimeSeconds: 2 }] });
    const source = new ScriptedSource([sample(), second, new Error('EIO'), third]);
    const c = new NodeMetricsCollector({ registry, source, intervalMs: 15_000, logger: silentLogger });
    await c.collectOnce();
    await c.collectOnce();
    let text = await registry.metrics();
    expect(text).toContain('hostpilot_node_disk_reads_completed_total{device="sda"} 15');
    expect(text).not.toContain('mountpoint="/sysroot"');
    expect(text).not.toContain('device="eth0"');
    await c.collectOnce();
    text = await registry.metrics();
    expect(text).toContain('hostpilot_node_disk_reads_completed_total{device="sda"} 15');
    expect(text).toContain('hostpilot_node_metrics_collections_total{result="error"} 1');
    await c.collectOnce();
    expect(await registry.metrics()).toContain('hostpilot_node_disk_reads_completed_total{device="sda"} 18');
  });

  it('does not overlap collections and stops its timer', async () => {
    let release!: () => void;
    let calls = 0;
    const source: NodeStatsSource = {
      sample: () => {
        calls++;
        return new Promise((resolve) => (release = () => resolve(sample())));
      },
    };
    const ticks: (() => void)[] = [];
    let cleared = false;
    const c = new NodeMetricsCollector({
      registry: new Registry(),
      source,
      intervalMs: 1000,
      logger: silentLogger,
      timer: { setInterval: (fn) => (ticks.push(fn), {}), clearInterval: () => void (cleared = true) },
    });
    const first = c.start();
    ticks[0]!(); // the interval fires while the first collection is still running
    expect(calls).toBe(1);
    release();
    await first;
    await c.stop();
    expect(cleared).toBe(true);
  });
});

describeWith(['promtool'], 'node metrics on this machine', () => {
  let server: ReturnType<typeof createServer> | undefined;
  afterEach(async () => {
    if (server) await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
  });

  it('collects real values and /metrics passes promtool check metrics', async () => {
    const registry = new Registry();
    // This test process is not PID 1's namespace peer necessarily; read our own mount table.
    const source = new SystemNodeStatsSource({ proc: '/proc', sys: '/sys', mountinfo: '/proc/self/mountinfo', statfsPrefix: '' });
    const c = new NodeMetricsCollector({ registry, source, intervalMs: 60_000, logger: silentLogger });
    await c.collectOnce();
    await c.collectOnce(); // second pass: counters by delta, CPU usage over an interval
    server = createServer((_req, res) => {
      void registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/^hostpilot_node_memory_total_bytes [1-9]\d*$/m);
    expect(text).toMatch(/^hostpilot_node_filesystem_size_bytes\{device="[^"]+",mountpoint="\/",fstype="[^"]+"\} [1-9]/m);
    expect(text).toMatch(/^hostpilot_node_network_receive_bytes_total\{device="lo"\} \d+/m);
    expect(text).toContain('hostpilot_node_metrics_collections_total{result="ok"} 2');
    const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!);
    expect(names.every((n) => n.startsWith('hostpilot_'))).toBe(true);
    const check = await new ProcessRunner().run({ argv: ['promtool', 'check', 'metrics'], input: text, timeoutMs: 30_000, okExitCodes: [0, 1, 3] });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.exitCode).toBe(0);
  });
});
