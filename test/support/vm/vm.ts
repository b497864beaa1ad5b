// A throw-away Debian 6.1 VM under qemu (TCG) for tests that need a real
// device-mapper (this CI kernel has none). The host root is shared read-only
// over 9p, so the guest runs this checkout's dist/ with the host's node and
// lvm; scratch raw disk files become /dev/vda, /dev/vdb, ... A GuestRunner is
// a CommandRunner whose commands run in the guest (guest-server.mjs).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandError, ProcessRunner, validateArgv, type CommandResult, type CommandRunner, type CommandSpec } from '../../../common/exec/runner.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '../../..');
const GUEST_PORT = 7000;

/** Where the extracted kernel and initramfs are kept between runs. */
export function vmCacheDir(): string {
  return process.env.HOSTPILOT_VM_CACHE ?? join(REPO_ROOT, '.tmp', 'vm-cache');
}

/** Downloads the kernel package (apt-get download) and builds the initramfs, once. */
export async function buildVmImage(cacheDir = vmCacheDir()): Promise<{ kernel: string; initrd: string }> {
  await new ProcessRunner().run({ argv: ['bash', join(HERE, 'build-image.sh'), cacheDir], timeoutMs: 600_000 });
  return { kernel: join(cacheDir, 'vmlinuz'), initrd: join(cacheDir, 'initrd.gz') };
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolvePort(addr.port) : reject(new Error('no port'))));
    });
  });
}

export class GuestRunner implements CommandRunner {
  readonly calls: string[][] = [];
  constructor(private readonly port: number) {}

  async run(spec: CommandSpec): Promise<CommandResult> {
    validateArgv(spec.argv);
    this.calls.push([...spec.argv]);
    const request = {
      argv: spec.argv,
      input: typeof spec.input === 'string' ? spec.input : spec.input?.toString('utf8'),
      timeoutMs: spec.timeoutMs,
      okExitCodes: spec.okExitCodes,
      maxOutputBytes: spec.maxOutputBytes,
      cwd: spec.cwd,
      env: spec.env,
    };
    const line = await new Promise<string>((resolveLine, reject) => {
      const sock = createConnection({ host: '127.0.0.1', port: this.port });
      const chunks: Buffer[] = [];
      sock.on('data', (c: Buffer) => chunks.push(c));
      sock.on('error', reject);
      sock.on('end', () => resolveLine(Buffer.concat(chunks).toString('utf8')));
      sock.end(JSON.stringify(request) + '\n');
    });
    if (!line.trim()) throw new Error(`guest closed the connection without answering ${spec.argv.join(' ')}`);
    const reply = JSON.parse(line) as
      | { ok: true; result: CommandResult }
      | { ok: false; error: { failure: string; exitCode: number | null; signal: NodeJS.Signals | null; stdout?: string; stderr?: string; message: string } };
    if (reply.ok) return reply.result;
    const e = reply.error;
    if (e.failure === 'exit' || e.failure === 'timeout' || e.failure === 'spawn' || e.failure === 'signal') {
      const detail = e.message.slice(spec.argv.join(' ').length + 2);
      throw new CommandError(e.failure, [...spec.argv], e.exitCode, e.signal, e.stdout ?? '', e.stderr ?? '', detail);
    }
    throw new Error(`guest server: ${e.message}`);
  }
}

export interface Vm {
  runner: GuestRunner;
  /** The guest's console output so far (kernel messages, init, server). */
  console(): string;
  /** Paths of the scratch disk files, in /dev/vdX order. */
  disks: string[];
  stop(): Promise<void>;
}

export interface VmOptions {
  /** Sizes of the blank virtio disks, in MiB: /dev/vda, /dev/vdb, ... */
  diskMiB: number[];
  memoryMiB?: number;
  /** Bounds the boot (kernel + chroot + node start); not a timed assertion. */
  bootTimeoutMs?: number;
}

export async function startVm(opts: VmOptions): Promise<Vm> {
  const { kernel, initrd } = await buildVmImage();
  const dir = mkdtempSync(join(tmpdir(), 'hostpilot-vm-'));
  const disks = opts.diskMiB.map((mib, i) => {
    const file = join(dir, `disk${i}.img`);
    writeFileSync(file, '');
    truncateSync(file, mib * 1024 * 1024);
    return file;
  });
  const port = await freePort();
  const args = [
    '-accel', 'tcg,thread=multi', '-smp', '2', '-m', String(opts.memoryMiB ?? 2048),
    '-nographic', '-no-reboot', '-nodefaults', '-serial', 'stdio', '-monitor', 'none',
    '-kernel', kernel, '-initrd', initrd,
    '-append', `console=ttyS0 quiet panic=-1 rdinit=/init hp.root=${REPO_ROOT} hp.port=${GUEST_PORT}`,
    '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
    '-netdev', `user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:${port}-10.0.2.15:${GUEST_PORT}`,
    '-device', 'virtio-net-pci,netdev=n0',
    ...disks.flatMap((file) => ['-drive', `file=${file},if=virtio,format=raw,cache=unsafe`]),
  ];
  const child: ChildProcess = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (c: Buffer) => (log += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (log += c.toString('utf8')));
  const exited = new Promise<void>((res) => child.on('exit', () => res()));
  let gone = false;
  void exited.then(() => (gone = true));

  const stop = async (): Promise<void> => {
    if (!gone) {
      try {
        await sendShutdown(port).catch(() => undefined);
      } finally {
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (!gone) child.kill('SIGTERM');
        await exited;
        clearTimeout(killer);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const bootTimeoutMs = opts.bootTimeoutMs ?? 240_000;
  try {
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`VM did not start its command server within ${bootTimeoutMs} ms:\n${log.slice(-3000)}`)), bootTimeoutMs);
      const check = setInterval(() => {
        if (log.includes('hostpilot-guest-server: listening')) {
          clearInterval(check);
          clearTimeout(timer);
          res();
        } else if (gone || log.includes('hostpilot-vm: server exited')) {
          clearInterval(check);
          clearTimeout(timer);
          rej(new Error(`VM stopped before its command server started:\n${log.slice(-3000)}`));
        }
      }, 200);
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { runner: new GuestRunner(port), console: () => log, disks, stop };
}

async function sendShutdown(port: number): Promise<void> {
  await new Promise<void>((res, rej) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    sock.on('error', rej);
    sock.on('data', () => undefined);
    sock.on('end', () => res());
    sock.end(JSON.stringify({ shutdown: true }) + '\n');
  });
}
