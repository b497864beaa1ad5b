#!/usr/bin/env node
// hostpilot-cni: the CNI plugin executable a runtime (containerd, CRI-O)
// calls from its CNI bin dir. Wiring only; the logic is in plugin.ts.
import { ProcessRunner } from '../../common/exec/runner.js';
import { versionLine } from '../../common/version.js';
import { CniPlugin } from './plugin.js';
import { ProcSysctl } from './sysctl.js';

const USAGE = `hostpilot-cni: a CNI ${'1.0.0'} plugin (veth + proxy ARP + /32 host routes).
Run by a container runtime with CNI_COMMAND=ADD|DEL|CHECK|VERSION and the network config on stdin.
See docs/networking.md.
`;

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (process.argv[2] === '--version') {
    process.stdout.write(versionLine('hostpilot-cni'));
    return 0;
  }
  // Runtimes call a CNI plugin without arguments (the protocol is the environment and stdin):
  // an argument is a person at a shell, who gets one line like from every other program.
  if (process.argv.length > 2) {
    process.stderr.write(`hostpilot-cni: unexpected argument ${JSON.stringify(process.argv[2])}: the plugin takes CNI_COMMAND and its config on stdin (see hostpilot-cni --help)\n`);
    return 2;
  }
  const plugin = new CniPlugin({ runner: new ProcessRunner(), sysctl: new ProcSysctl() });
  const reply = await plugin.handle(process.env, await readStdin());
  if (reply.stdout) process.stdout.write(reply.stdout + '\n');
  return reply.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stdout.write(JSON.stringify({ cniVersion: '1.0.0', code: 101, msg: err instanceof Error ? err.message : String(err) }) + '\n');
    process.exitCode = 1;
  },
);
