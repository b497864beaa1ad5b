// A coordinator in this process with four registered nodes (two racks of the
// `workers` pool), and hostpilotctl (dist/) run against it from a directory.
import { spawn } from 'node:child_process';
import { nodeReport } from '../support/node-report.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { withCoordinator } from '../support/coordinator.js';
import { distPath } from '../support/programs.js';
import type { CoordinatorConfig } from '../../coordinator/config.js';

export type Fleet = Awaited<ReturnType<typeof withCoordinator>>;

export async function fleetWithNodes(overrides: Partial<CoordinatorConfig> = {}): Promise<Fleet> {
  const c = await withCoordinator(overrides);
  await addNodes(c);
  return c;
}

/** n1, n2 (rack r1) and n3, n4 (rack r2) of pool workers, on version 1.0. */
export async function addNodes(c: Pick<Fleet, 'fleet'>): Promise<void> {
  for (const [id, rack] of [['n1', 'r1'], ['n2', 'r1'], ['n3', 'r2'], ['n4', 'r2']] as const) {
    const labels = { pool: 'workers', rack };
    await c.fleet.register({ node_id: id, hostname: id, labels, os: null, agent_version: 'test' });
    await c.fleet.report(nodeReport(id, '1.0', 'idle', '', { labels, deployments: [{ id: 'd', osname: 'testos', checksum: 'a'.repeat(64), version: '1.0', origin: 'os:testos/stable', booted: true, staged: false, pinned: false, index: 0, timestamp_unix: 0 }] }));
  }
}

export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
}

export interface CtlRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** hostpilotctl against the fleet's coordinator, from `cwd`, with `stdin` on standard input. */
export function ctl(fleet: Fleet, args: string[], opts: { cwd?: string; stdin?: string } = {}): Promise<CtlRun> {
  const child = spawn(process.execPath, [distPath('ctl'), ...args, '--coordinator', `127.0.0.1:${fleet.grpcPort}`], { cwd: opts.cwd ?? fleet.dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(opts.stdin ?? '');
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

export const LOCKGROUP = `apiVersion: hostpilot.io/v1
kind: LockGroup
metadata:
  name: workers
spec:
  slots: 2
  ttl: 2h
`;

export function rolloutDoc(name: string, over: Record<string, string> = {}): string {
  const spec = { target: '"2.0"', selector: '{pool: [workers]}', strategy: 'by-label:rack', maxUnavailable: '1', lockGroup: 'workers', ...over };
  return `apiVersion: hostpilot.io/v1
kind: Rollout
metadata:
  name: ${name}
  labels: {team: infra}
spec:
${Object.entries(spec)
  .map(([k, v]) => `  ${k}: ${v}`)
  .join('\n')}
`;
}
