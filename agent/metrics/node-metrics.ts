// Node metrics for Prometheus (hostpilot_node_*), collected on an interval OFF the
// scrape path: a scrape reads the gauges/counters last set here and never waits on
// the host. Everything is read here from /proc and /sys and statfs(2), in-process.
// systeminformation did CPU and memory once: it spawned `sh -c "cat /proc/stat | grep
// cpu"` on every collection (rule 1 of docs/architecture.md forbids shell strings) and its modules
// were about 10 MB of the agent's RSS (bench:footprint) for two /proc files.
import { readFile, stat, statfs } from 'node:fs/promises';
import { loadavg, uptime } from 'node:os';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../common/log.js';

// ---- the sample: plain data, produced by a NodeStatsSource ----------------------------

export interface FilesystemSample {
  device: string;
  mountpoint: string;
  fstype: string;
  sizeBytes: number;
  freeBytes: number;
  availBytes: number;
  files: number;
  filesFree: number;
  readonly: boolean;
}

export interface DiskSample {
  device: string;
  readsCompleted: number;
  writesCompleted: number;
  readBytes: number;
  writtenBytes: number;
  ioTimeSeconds: number;
}

export interface NetSample {
  device: string;
  up: boolean;
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
  rxErrors: number;
  txErrors: number;
  rxDropped: number;
  txDropped: number;
}

export interface NodeSample {
  cpuCount: number;
  /** Share of CPU time per mode since the previous sample, 0..1. */
  cpuModes: Record<string, number>;
  load: { '1m': number; '5m': number; '15m': number };
  memory: { totalBytes: number; availableBytes: number; freeBytes: number; buffersBytes: number; cachedBytes: number; swapTotalBytes: number; swapFreeBytes: number };
  filesystems: FilesystemSample[];
  disks: DiskSample[];
  network: NetSample[];
  uptimeSeconds: number;
  bootTimeSeconds: number;
}

export interface NodeStatsSource {
  sample(): Promise<NodeSample>;
}

// ---- parsers of the kernel's formats (pure) -----------------------------------------------

const SECTOR = 512; // /proc/diskstats counts 512-byte sectors whatever the device's sector size.
/** Whole disks only: not partitions, loop, ram or zram devices (they double-count or are noise). */
export const DEFAULT_DISK_EXCLUDE = /^(loop\d+|z?ram\d+|fd\d+|(h|s|v|xv)d[a-z]+\d+|nvme\d+n\d+p\d+|mmcblk\d+p\d+|dm-\d+|sr\d+)$/;

export function parseDiskstats(text: string, exclude: RegExp = DEFAULT_DISK_EXCLUDE): DiskSample[] {
  const out: DiskSample[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    const device = f[2]!;
    if (exclude.test(device)) continue;
    const n = (i: number) => Number(f[i]);
    out.push({
      device,
      readsCompleted: n(3),
      readBytes: n(5) * SECTOR,
      writesCompleted: n(7),
      writtenBytes: n(9) * SECTOR,
      ioTimeSeconds: n(12) / 1000,
    });
  }
  return out;
}

/** Pod-side veth ends and CNI interfaces: one per pod, unbounded label cardinality. */
export const DEFAULT_NET_EXCLUDE = /^(veth|cali|lxc|cilium_|flannel\.|cni|tunl|vxlan\.calico)/;

export function parseNetDev(text: string, exclude: RegExp = DEFAULT_NET_EXCLUDE): Omit<NetSample, 'up'>[] {
  const out: Omit<NetSample, 'up'>[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const device = m[1]!;
    if (exclude.test(device)) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    if (f.length < 16 || f.some((x) => !Number.isFinite(x))) continue;
    out.push({ device, rxBytes: f[0]!, rxPackets: f[1]!, rxErrors: f[2]!, rxDropped: f[3]!, txBytes: f[8]!, txPackets: f[9]!, txErrors: f[10]!, txDropped: f[11]! });
  }
  return out;
}

/** The aggregate `cpu` line of /proc/stat: jiffies per mode since boot, and the CPU count. */
export interface CpuTimes {
  cpus: number;
  modes: Record<'user' | 'nice' | 'system' | 'idle' | 'iowait' | 'irq' | 'softirq' | 'steal' | 'guest', number>;
}

export function parseProcStat(text: string): CpuTimes {
  let cpus = 0;
  let total: number[] | undefined;
  for (const line of text.split('\n')) {
    if (/^cpu\d+\s/.test(line)) cpus++;
    else if (line.startsWith('cpu ')) total = line.trim().split(/\s+/).slice(1).map(Number);
  }
  if (!total || total.length < 4 || total.some((x) => !Number.isFinite(x))) throw new Error('/proc/stat: no aggregate cpu line');
  const f = (i: number) => total![i] ?? 0;
  // user and nice include guest and guest_nice (the kernel counts them twice): take them out.
  return { cpus, modes: { user: f(0) - f(8), nice: f(1) - f(9), system: f(2), idle: f(3), iowait: f(4), irq: f(5), softirq: f(6), steal: f(7), guest: f(8) + f(9) } };
}

/** Share of CPU time per mode between two readings (0..1 each; idle includes iowait). */
export function cpuShares(before: CpuTimes, after: CpuTimes): Record<string, number> {
  const d = (k: keyof CpuTimes['modes']) => Math.max(0, after.modes[k] - before.modes[k]);
  const keys = Object.keys(after.modes) as Array<keyof CpuTimes['modes']>;
  const total = keys.reduce((sum, k) => sum + d(k), 0) || 1;
  return {
    user: d('user') / total,
    system: (d('system') + d('softirq')) / total,
    nice: d('nice') / total,
    idle: (d('idle') + d('iowait')) / total,
    irq: d('irq') / total,
    steal: d('steal') / total,
    guest: d('guest') / total,
  };
}

/** /proc/meminfo in bytes (the fields the metrics need). */
export function parseMeminfo(text: string): NodeSample['memory'] {
  const kb = new Map<string, number>();
  for (const m of text.matchAll(/^(\w+):\s+(\d+)(?: kB)?$/gm)) kb.set(m[1]!, Number(m[2]) * 1024);
  const get = (k: string) => kb.get(k) ?? 0;
  if (!kb.has('MemTotal')) throw new Error('/proc/meminfo: no MemTotal');
  return {
    totalBytes: get('MemTotal'),
    availableBytes: kb.get('MemAvailable') ?? get('MemFree') + get('Buffers') + get('Cached'),
    freeBytes: get('MemFree'),
    buffersBytes: get('Buffers'),
    cachedBytes: get('Cached') + get('SReclaimable'),
    swapTotalBytes: get('SwapTotal'),
    swapFreeBytes: get('SwapFree'),
  };
}

export interface MountEntry {
  device: string;
  mountpoint: string;
  fstype: string;
  readonly: boolean;
}

/** Filesystem types without blocks to count, or whose statfs may hang (network filesystems). */
export const PSEUDO_FS = new Set([
  'proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'mqueue', 'debugfs', 'tracefs', 'securityfs', 'pstore', 'bpf', 'autofs', 'configfs',
  'fusectl', 'hugetlbfs', 'nsfs', 'binfmt_misc', 'rpc_pipefs', 'efivarfs', 'selinuxfs', 'ramfs', 'devtmpfs', 'overlay', 'squashfs',
  'nfs', 'nfs4', 'cifs', 'smb3', 'fuse.sshfs', 'ceph', 'glusterfs',
]);
/** Mount points of containers and pods: one per pod, and the pods' volumes belong to kubelet's metrics. */
export const DEFAULT_MOUNT_EXCLUDE = /^\/(dev|proc|sys|run\/(containerd|containers|netns|k3s|user)|var\/lib\/(kubelet|docker|containers|containerd))(\/|$)/;

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountinfo(text: string, exclude: RegExp = DEFAULT_MOUNT_EXCLUDE): MountEntry[] {
  const byMount = new Map<string, MountEntry>();
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const post = line.slice(sep + 3).split(' ');
    if (pre.length < 6 || post.length < 3) continue;
    const mountpoint = unescapeMount(pre[4]!);
    const fstype = post[0]!;
    if (PSEUDO_FS.has(fstype) || exclude.test(mountpoint)) continue;
    const opts = pre[5]!.split(',');
    const superOpts = post[2]!.split(',');
    // The last mount on a mount point is the visible one.
    byMount.set(mountpoint, { device: unescapeMount(post[1]!), mountpoint, fstype, readonly: opts.includes('ro') || superOpts.includes('ro') });
  }
  return [...byMount.values()];
}

// ---- the real source ------------------------------------------------------------------------

export interface HostPaths {
  /** /proc of the host: /proc for a host service; with hostPID in a pod, also /proc. */
  proc: string;
  sys: string;
  /** The mount table to report; /proc/1/mountinfo is the host's when the agent has hostPID. */
  mountinfo: string;
  /** Prefix for statfs of a host mount point: '' on the host, '/proc/1/root' in a hostPID pod. */
  statfsPrefix: string;
}

export const DEFAULT_HOST_PATHS: HostPaths = { proc: '/proc', sys: '/sys', mountinfo: '/proc/1/mountinfo', statfsPrefix: '' };

/**
 * On the host, PID 1's root is ours; in a hostPID pod it is not, and the host's mount
 * points are reached through /proc/1/root. Decided once, at start-up.
 */
export async function detectHostPaths(): Promise<HostPaths> {
  try {
    const [init, self] = await Promise.all([stat('/proc/1/root'), stat('/')]);
    if (init.dev === self.dev && init.ino === self.ino) return DEFAULT_HOST_PATHS;
    return { ...DEFAULT_HOST_PATHS, statfsPrefix: '/proc/1/root' };
  } catch {
    // /proc/1/root unreadable (not root, no hostPID): report our own mount namespace.
    return { ...DEFAULT_HOST_PATHS, mountinfo: '/proc/self/mountinfo' };
  }
}

export class SystemNodeStatsSource implements NodeStatsSource {
  /** The previous /proc/stat reading: CPU shares are over the interval since. */
  private lastCpu: CpuTimes | undefined;

  constructor(
    private readonly paths: HostPaths = DEFAULT_HOST_PATHS,
    private readonly now: () => number = Date.now,
  ) {}

  async sample(): Promise<NodeSample> {
    const [cpu, memory, filesystems, disks, network] = await Promise.all([
      readFile(`${this.paths.proc}/stat`, 'utf8').then(parseProcStat),
      readFile(`${this.paths.proc}/meminfo`, 'utf8').then(parseMeminfo),
      this.filesystems(),
      readFile(`${this.paths.proc}/diskstats`, 'utf8').then((t) => parseDiskstats(t)),
      this.network(),
    ]);
    // The first sample: shares since boot.
    const cpuModes = cpuShares(this.lastCpu ?? { cpus: cpu.cpus, modes: { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, guest: 0 } }, cpu);
    this.lastCpu = cpu;
    const up = uptime();
    const [l1, l5, l15] = loadavg();
    return {
      cpuCount: cpu.cpus,
      cpuModes,
      load: { '1m': l1 ?? 0, '5m': l5 ?? 0, '15m': l15 ?? 0 },
      memory,
      filesystems,
      disks,
      network,
      uptimeSeconds: up,
      bootTimeSeconds: Math.round(this.now() / 1000 - up),
    };
  }

  private async filesystems(): Promise<FilesystemSample[]> {
    const mounts = parseMountinfo(await readFile(this.paths.mountinfo, 'utf8'));
    const out = await Promise.all(
      mounts.map(async (m): Promise<FilesystemSample | undefined> => {
        try {
          const s = await statfs(`${this.paths.statfsPrefix}${m.mountpoint}`);
          if (s.blocks === 0) return undefined;
          return {
            ...m,
            sizeBytes: s.blocks * s.bsize,
            freeBytes: s.bfree * s.bsize,
            availBytes: s.bavail * s.bsize,
            files: s.files,
            filesFree: s.ffree,
          };
        } catch {
          return undefined; // unmounted since, or not reachable from here
        }
      }),
    );
    return out.filter((f): f is FilesystemSample => f !== undefined);
  }

  private async network(): Promise<NetSample[]> {
    const devs = parseNetDev(await readFile(`${this.paths.proc}/net/dev`, 'utf8'));
    return Promise.all(
      devs.map(async (d) => {
        const state = await readFile(`${this.paths.sys}/class/net/${d.device}/operstate`, 'utf8').catch(() => 'unknown');
        // Loopback reports "unknown" although it is up.
        return { ...d, up: state.trim() === 'up' || (d.device === 'lo' && state.trim() === 'unknown') };
      }),
    );
  }
}

// ---- the metrics ----------------------------------------------------------------------------

/** Sets a labelled gauge for the current keys and removes label sets that vanished (an unmounted fs). */
class LabelledGauge<L extends string> {
  private seen = new Map<string, Partial<Record<L, string>>>();
  constructor(readonly gauge: Gauge<L>) {}
  setAll(rows: { labels: Record<L, string>; value: number }[]): void {
    const now = new Map<string, Partial<Record<L, string>>>();
    for (const r of rows) {
      this.gauge.set(r.labels as Partial<Record<L, string>>, r.value);
      now.set(JSON.stringify(r.labels), r.labels);
    }
    for (const [k, labels] of this.seen) if (!now.has(k)) this.gauge.remove(labels);
    this.seen = now;
  }
}

/** Kernel counters as Prometheus counters: increased by the delta since the last sample (a reset counts from zero). */
class LabelledCounter {
  private last = new Map<string, number>();
  constructor(readonly counter: Counter<'device'>) {}
  update(device: string, value: number): void {
    const prev = this.last.get(device);
    const delta = prev === undefined || value < prev ? value : value - prev;
    if (delta > 0 || prev === undefined) this.counter.inc({ device }, delta);
    this.last.set(device, value);
  }
  forget(present: Set<string>): void {
    for (const d of [...this.last.keys()]) {
      if (!present.has(d)) {
        this.counter.remove({ device: d });
        this.last.delete(d);
      }
    }
  }
}

export class NodeMetrics {
  private readonly g;
  private readonly fs;
  private readonly disk;
  private readonly net;
  private readonly netUp;

  constructor(registry: Registry) {
    const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
    const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ['device'] as const, registers: [registry] });
    const fsGauge = (name: string, help: string) => new LabelledGauge(new Gauge({ name, help, labelNames: ['device', 'mountpoint', 'fstype'] as const, registers: [registry] }));
    this.g = {
      cpuCount: gauge('hostpilot_node_cpus', 'Logical CPUs.'),
      cpuModes: new LabelledGauge(new Gauge({ name: 'hostpilot_node_cpu_usage_ratio', help: 'Share of CPU time per mode over the last collection interval (0..1).', labelNames: ['mode'] as const, registers: [registry] })),
      load: new LabelledGauge(new Gauge({ name: 'hostpilot_node_load_average', help: 'System load average over the window.', labelNames: ['window'] as const, registers: [registry] })),
      memTotal: gauge('hostpilot_node_memory_total_bytes', 'Physical memory.'),
      memAvailable: gauge('hostpilot_node_memory_available_bytes', 'Memory available for new work without swapping (MemAvailable).'),
      memFree: gauge('hostpilot_node_memory_free_bytes', 'Unused memory (MemFree).'),
      memBuffers: gauge('hostpilot_node_memory_buffers_bytes', 'Memory in block device buffers.'),
      memCached: gauge('hostpilot_node_memory_cached_bytes', 'Memory in the page cache.'),
      swapTotal: gauge('hostpilot_node_swap_total_bytes', 'Swap space.'),
      swapFree: gauge('hostpilot_node_swap_free_bytes', 'Unused swap space.'),
      uptime: gauge('hostpilot_node_uptime_seconds', 'Seconds since boot.'),
      bootTime: gauge('hostpilot_node_boot_time_seconds', 'Boot time, seconds since the Unix epoch.'),
    };
    this.fs = {
      size: fsGauge('hostpilot_node_filesystem_size_bytes', 'Filesystem size.'),
      free: fsGauge('hostpilot_node_filesystem_free_bytes', 'Free space, including blocks reserved for root.'),
      avail: fsGauge('hostpilot_node_filesystem_avail_bytes', 'Space available to unprivileged users.'),
      files: fsGauge('hostpilot_node_filesystem_files', 'Inodes.'),
      filesFree: fsGauge('hostpilot_node_filesystem_files_free', 'Free inodes.'),
      readonly: fsGauge('hostpilot_node_filesystem_readonly', '1 if the filesystem is mounted read-only.'),
    };
    this.disk = {
      reads: new LabelledCounter(counter('hostpilot_node_disk_reads_completed_total', 'Reads completed by the block device.')),
      writes: new LabelledCounter(counter('hostpilot_node_disk_writes_completed_total', 'Writes completed by the block device.')),
      readBytes: new LabelledCounter(counter('hostpilot_node_disk_read_bytes_total', 'Bytes read from the block device.')),
      writtenBytes: new LabelledCounter(counter('hostpilot_node_disk_written_bytes_total', 'Bytes written to the block device.')),
      ioTime: new LabelledCounter(counter('hostpilot_node_disk_io_time_seconds_total', 'Seconds the block device spent doing I/O.')),
    };
    this.net = {
      rxBytes: new LabelledCounter(counter('hostpilot_node_network_receive_bytes_total', 'Bytes received by the interface.')),
      txBytes: new LabelledCounter(counter('hostpilot_node_network_transmit_bytes_total', 'Bytes sent by the interface.')),
      rxPackets: new LabelledCounter(counter('hostpilot_node_network_receive_packets_total', 'Packets received by the interface.')),
      txPackets: new LabelledCounter(counter('hostpilot_node_network_transmit_packets_total', 'Packets sent by the interface.')),
      rxErrors: new LabelledCounter(counter('hostpilot_node_network_receive_errors_total', 'Receive errors on the interface.')),
      txErrors: new LabelledCounter(counter('hostpilot_node_network_transmit_errors_total', 'Transmit errors on the interface.')),
      rxDropped: new LabelledCounter(counter('hostpilot_node_network_receive_drop_total', 'Received packets dropped on the interface.')),
      txDropped: new LabelledCounter(counter('hostpilot_node_network_transmit_drop_total', 'Outgoing packets dropped on the interface.')),
    };
    this.netUp = new LabelledGauge(new Gauge({ name: 'hostpilot_node_network_up', help: '1 if the interface is operationally up.', labelNames: ['device'] as const, registers: [registry] }));
  }

  update(s: NodeSample): void {
    this.g.cpuCount.set(s.cpuCount);
    this.g.cpuModes.setAll(Object.entries(s.cpuModes).map(([mode, value]) => ({ labels: { mode }, value })));
    this.g.load.setAll(Object.entries(s.load).map(([window, value]) => ({ labels: { window }, value })));
    this.g.memTotal.set(s.memory.totalBytes);
    this.g.memAvailable.set(s.memory.availableBytes);
    this.g.memFree.set(s.memory.freeBytes);
    this.g.memBuffers.set(s.memory.buffersBytes);
    this.g.memCached.set(s.memory.cachedBytes);
    this.g.swapTotal.set(s.memory.swapTotalBytes);
    this.g.swapFree.set(s.memory.swapFreeBytes);
    this.g.uptime.set(s.uptimeSeconds);
    this.g.bootTime.set(s.bootTimeSeconds);

    const fsRows = (pick: (f: FilesystemSample) => number) => s.filesystems.map((f) => ({ labels: { device: f.device, mountpoint: f.mountpoint, fstype: f.fstype }, value: pick(f) }));
    this.fs.size.setAll(fsRows((f) => f.sizeBytes));
    this.fs.free.setAll(fsRows((f) => f.freeBytes));
    this.fs.avail.setAll(fsRows((f) => f.availBytes));
    this.fs.files.setAll(fsRows((f) => f.files));
    this.fs.filesFree.setAll(fsRows((f) => f.filesFree));
    this.fs.readonly.setAll(fsRows((f) => (f.readonly ? 1 : 0)));

    const disks = new Set(s.disks.map((d) => d.device));
    for (const d of s.disks) {
      this.disk.reads.update(d.device, d.readsCompleted);
      this.disk.writes.update(d.device, d.writesCompleted);
      this.disk.readBytes.update(d.device, d.readBytes);
      this.disk.writtenBytes.update(d.device, d.writtenBytes);
      this.disk.ioTime.update(d.device, d.ioTimeSeconds);
    }
    for (const c of Object.values(this.disk)) c.forget(disks);

    const ifaces = new Set(s.network.map((n) => n.device));
    for (const n of s.network) {
      this.net.rxBytes.update(n.device, n.rxBytes);
      this.net.txBytes.update(n.device, n.txBytes);
      this.net.rxPackets.update(n.device, n.rxPackets);
      this.net.txPackets.update(n.device, n.txPackets);
      this.net.rxErrors.update(n.device, n.rxErrors);
      this.net.txErrors.update(n.device, n.txErrors);
      this.net.rxDropped.update(n.device, n.rxDropped);
      this.net.txDropped.update(n.device, n.txDropped);
    }
    for (const c of Object.values(this.net)) c.forget(ifaces);
    this.netUp.setAll(s.network.map((n) => ({ labels: { device: n.device }, value: n.up ? 1 : 0 })));
  }
}

// ---- the collector loop ---------------------------------------------------------------------

export interface CollectorTimer {
  setInterval(fn: () => void, ms: number): { unref?: () => void };
  clearInterval(handle: unknown): void;
}

export class NodeMetricsCollector {
  private readonly metrics: NodeMetrics;
  private readonly runs;
  private readonly lastSuccess;
  private readonly duration;
  private handle: { unref?: () => void } | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      registry: Registry;
      source: NodeStatsSource;
      intervalMs: number;
      logger: Logger;
      now?: () => number;
      timer?: CollectorTimer;
    },
  ) {
    this.metrics = new NodeMetrics(deps.registry);
    this.runs = new Counter({ name: 'hostpilot_node_metrics_collections_total', help: 'Node metric collections, by result.', labelNames: ['result'], registers: [deps.registry] });
    this.runs.inc({ result: 'ok' }, 0);
    this.runs.inc({ result: 'error' }, 0);
    this.lastSuccess = new Gauge({ name: 'hostpilot_node_metrics_last_success_timestamp_seconds', help: 'When node metrics were last collected successfully (0 = never).', registers: [deps.registry] });
    this.duration = new Gauge({ name: 'hostpilot_node_metrics_collection_duration_seconds', help: 'How long the last node metric collection took.', registers: [deps.registry] });
  }

  /** One collection; a collection still running is joined rather than overlapped. */
  collectOnce(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const now = this.deps.now ?? Date.now;
    const started = now();
    this.inFlight = this.deps.source
      .sample()
      .then((s) => {
        this.metrics.update(s);
        this.runs.inc({ result: 'ok' });
        this.lastSuccess.set(now() / 1000);
      })
      .catch((err: unknown) => {
        // The previous values stay: stale but present; the error counter and timestamp say so.
        this.runs.inc({ result: 'error' });
        this.deps.logger.warn('node metrics collection failed', { err });
      })
      .finally(() => {
        this.duration.set((now() - started) / 1000);
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** Collects now, then every intervalMs. The timer does not keep the process alive. */
  start(): Promise<void> {
    const timer = this.deps.timer ?? { setInterval: (fn, ms) => setInterval(fn, ms), clearInterval: (h) => clearInterval(h as NodeJS.Timeout) };
    if (!this.handle) {
      this.handle = timer.setInterval(() => void this.collectOnce(), this.deps.intervalMs);
      this.handle.unref?.();
    }
    return this.collectOnce();
  }

  async stop(): Promise<void> {
    const timer = this.deps.timer ?? { setInterval: (fn, ms) => setInterval(fn, ms), clearInterval: (h) => clearInterval(h as NodeJS.Timeout) };
    if (this.handle) timer.clearInterval(this.handle);
    this.handle = undefined;
    await this.inFlight;
  }
}
