// A whole hostpilot fleet on one machine, for the demo and end-to-end tests:
// a real coordinator process on SQLite, a real OSTree repository served over
// loopback HTTP as a production mirror would be, and N real agent processes,
// each on its own real OSTree sysroot with the sandbox rebooter. A "reboot"
// is the agent exiting with SANDBOX_REBOOT_EXIT_CODE after booting the
// sysroot's default deployment; the fleet's supervisor starts it again, as
// systemd would after a real boot.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessRunner } from '../common/exec/runner.js';
import { freeLoopbackPort } from '../common/address.js';
import { commitVersion, createOsRepo, createSysroot, removeSysroot, serveRepo, type OsRepo, type ServedRepo } from '../lab/ostree-lab.js';
import { SANDBOX_REBOOT_EXIT_CODE } from '../agent/reboot/sandbox-rebooter.js';
import { CtlClient } from '../ctl/client.js';
import type { ListLocksReply__Output } from '../proto/generated/hostpilot/v1/ListLocksReply.js';
import type { ListNodesReply__Output } from '../proto/generated/hostpilot/v1/ListNodesReply.js';
import type { NodeRecord__Output } from '../proto/generated/hostpilot/v1/NodeRecord.js';
import { listAllNodes } from '../common/api/list-nodes.js';

// The programs run are always the built ones, whether this module runs from dist/demo/ or from demo/ (tests).
const HERE = fileURLToPath(new URL('.', import.meta.url));
const DIST = HERE.endsWith('/dist/demo/') ? resolve(HERE, '..') : resolve(HERE, '../dist');
export const OS_REF = 'testos/stable';

export interface SandboxNode {
  id: string;
  labels: Record<string, string>;
  /** Files written into the node's directory before its agent starts (`etc/agent.json`, `monitors.d/x.json`, scripts). */
  files?: Record<string, string | { content: string; mode: number }>;
}

export interface SandboxFleetOptions {
  dir: string;
  nodes: SandboxNode[];
  /** Reboot-lock slots of the `default` group. */
  slots: number;
  /** How long a node may stay unhealthy after boot before it rolls back. */
  healthTimeout?: string;
  /** Extra environment of every agent (DBUS_SYSTEM_BUS_ADDRESS: a test's own systemd). */
  agentEnv?: Record<string, string>;
  /** Each process's log lines, tagged with its name. */
  onLog?: (who: string, line: string) => void;
  /** Every sandbox reboot, as it happens. */
  onReboot?: (nodeId: string) => void;
}

interface AgentProcess {
  node: SandboxNode;
  sysroot: string;
  child?: ChildProcess;
  reboots: number;
  stopping: boolean;
}

function pipeLines(child: ChildProcess, who: string, onLog?: (who: string, line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line) onLog?.(who, line);
    });
  }
}

export class SandboxFleet {
  readonly grpcAddress: string;
  readonly httpUrl: string;
  readonly ctl: CtlClient;
  private coordinator: ChildProcess | undefined;
  private readonly agents = new Map<string, AgentProcess>();
  private readonly runner = new ProcessRunner();
  private closed = false;

  private constructor(
    private readonly options: SandboxFleetOptions,
    readonly repo: OsRepo,
    readonly mirror: ServedRepo,
    private readonly grpcPort: number,
    private readonly httpPort: number,
  ) {
    this.grpcAddress = `127.0.0.1:${grpcPort}`;
    this.httpUrl = `http://127.0.0.1:${httpPort}`;
    this.ctl = new CtlClient(this.grpcAddress, undefined, 15_000);
  }

  /** Builds the repository (with v1), the mirror, the coordinator and every node's sysroot, and starts the agents. */
  static async start(options: SandboxFleetOptions): Promise<SandboxFleet> {
    mkdirSync(options.dir, { recursive: true });
    const repo = await createOsRepo(join(options.dir, 'repo'));
    await commitVersion(repo, { ref: OS_REF, version: '1', subject: 'Test OS 1' });
    const mirror = await serveRepo(repo);
    const fleet = new SandboxFleet(options, repo, mirror, await freeLoopbackPort(), await freeLoopbackPort());
    try {
      await fleet.startCoordinator();
      await Promise.all(options.nodes.map((node) => fleet.prepareNode(node)));
      for (const agent of fleet.agents.values()) fleet.startAgent(agent);
      return fleet;
    } catch (err) {
      await fleet.close();
      throw err;
    }
  }

  /** Commits a new OS version to the mirror; `files` become part of its tree. */
  async commit(version: string, files?: Record<string, string | { content: string; mode: number }>): Promise<void> {
    await commitVersion(this.repo, { ref: OS_REF, version, subject: `Test OS ${version}`, ...(files ? { files } : {}) });
  }

  private async startCoordinator(): Promise<void> {
    const args = [
      join(DIST, 'coordinator/main.js'),
      '--store', `sqlite:${join(this.options.dir, 'coordinator.db')}`,
      '--grpc-listen', this.grpcAddress,
      '--http-listen', `127.0.0.1:${this.httpPort}`,
      '--group', `default=${this.options.slots}`,
      '--heartbeat-interval', '1s',
      '--rollout-interval', '500ms',
      '--node-timeout', '60s',
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.coordinator = child;
    pipeLines(child, 'coordinator', this.options.onLog);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the coordinator did not start within 30 s')), 30_000);
      child.once('exit', (code) => reject(new Error(`the coordinator exited with ${code}`)));
      child.stdout!.on('data', (c: Buffer) => {
        if (c.toString().includes('coordinator serving')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  private async prepareNode(node: SandboxNode): Promise<void> {
    const base = join(this.options.dir, 'nodes', node.id);
    mkdirSync(join(base, 'etc'), { recursive: true });
    mkdirSync(join(base, 'monitors.d'), { recursive: true });
    for (const [path, file] of Object.entries(node.files ?? {})) {
      mkdirSync(dirname(join(base, path)), { recursive: true });
      writeFileSync(join(base, path), typeof file === 'string' ? file : file.content, { mode: typeof file === 'string' ? 0o644 : file.mode });
    }
    const sysroot = await createSysroot(join(base, 'sysroot'), { osname: 'testos', remoteUrl: this.mirror.url, ref: OS_REF });
    this.agents.set(node.id, { node, sysroot: sysroot.path, reboots: 0, stopping: false });
  }

  private startAgent(agent: AgentProcess): void {
    const base = join(this.options.dir, 'nodes', agent.node.id);
    const args = [
      join(DIST, 'agent/main.js'),
      'run',
      '--coordinator', this.grpcAddress,
      '--node-id', agent.node.id,
      ...Object.entries(agent.node.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      '--labels-file', join(base, 'etc/labels'),
      '--metrics-listen', '127.0.0.1:0',
      '--backend', 'ostree',
      '--sysroot', agent.sysroot,
      '--sandbox',
      '--state-dir', join(base, 'state'),
      '--config-dir', join(base, 'etc'),
      '--monitors-dir', join(base, 'monitors.d'),
      '--reboot-required-file', join(base, 'reboot-required'),
      '--check-interval', '1s',
      '--health-timeout', this.options.healthTimeout ?? '5s',
      '--retry-delay', '5s',
      '--config-drift-interval', '1s',
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(this.options.agentEnv ? { env: { ...process.env, ...this.options.agentEnv } } : {}) });
    agent.child = child;
    pipeLines(child, agent.node.id, this.options.onLog);
    child.once('exit', (code) => {
      if (agent.stopping || this.closed) return;
      if (code === SANDBOX_REBOOT_EXIT_CODE) {
        agent.reboots++;
        this.options.onReboot?.(agent.node.id);
        // The machine "boots": a moment, then the agent starts again from its persisted state.
        setTimeout(() => !this.closed && this.startAgent(agent), 200);
      } else {
        this.options.onLog?.(agent.node.id, `agent exited unexpectedly with ${code}`);
      }
    });
  }

  /** Kills a node's agent (SIGKILL, as a crash) and waits for it to exit; it is not started again. */
  async killAgent(nodeId: string): Promise<void> {
    const agent = this.agents.get(nodeId);
    const child = agent?.child;
    if (!agent || !child) throw new Error(`no agent ${nodeId}`);
    agent.stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** Starts a killed node's agent again from its persisted state (the service restarting). */
  restartAgent(nodeId: string): void {
    const agent = this.agents.get(nodeId);
    if (!agent) throw new Error(`no agent ${nodeId}`);
    agent.stopping = false;
    this.startAgent(agent);
  }

  /** Stops the coordinator (SIGKILL: no clean shutdown) and starts it again on the same store and ports. */
  async restartCoordinator(): Promise<void> {
    const child = this.coordinator;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    await this.startCoordinator();
  }

  reboots(nodeId: string): number {
    return this.agents.get(nodeId)?.reboots ?? 0;
  }

  /** Writes an executable into a node's /etc/hostpilot/<dir> (blockers.d, health.d, ...). */
  addNodeScript(nodeId: string, dir: string, name: string, script: string): void {
    const path = join(this.options.dir, 'nodes', nodeId, 'etc', dir);
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, name), script, { mode: 0o755 });
  }

  async nodes(): Promise<NodeRecord__Output[]> {
    return listAllNodes((req) => this.ctl.call<ListNodesReply__Output>((o, cb) => this.ctl.fleet.ListNodes(req, o, cb)));
  }

  async lockHolders(): Promise<string[]> {
    const reply = await this.ctl.call<ListLocksReply__Output>((o, cb) => this.ctl.locks.List({ group: 'default' }, o, cb));
    return reply.groups.flatMap((g) => g.holders.map((h) => h.node_id));
  }

  /** Runs hostpilotctl against this fleet's coordinator. */
  async hostpilotctl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const r = await this.runner.run({
      argv: [process.execPath, join(DIST, 'ctl/main.js'), ...args, '--coordinator', this.grpcAddress],
      okExitCodes: [0, 1, 2],
      timeoutMs: 30_000,
    });
    return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exits: Array<Promise<unknown>> = [];
    for (const agent of this.agents.values()) {
      agent.stopping = true;
      const child = agent.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        exits.push(new Promise((r) => child.once('exit', r)));
        child.kill('SIGTERM');
      }
    }
    const coordinator = this.coordinator;
    if (coordinator && coordinator.exitCode === null && coordinator.signalCode === null) {
      exits.push(new Promise((r) => coordinator.once('exit', r)));
      coordinator.kill('SIGTERM');
    }
    const deadline = setTimeout(() => {
      for (const a of this.agents.values()) a.child?.kill('SIGKILL');
      coordinator?.kill('SIGKILL');
    }, 8_000);
    await Promise.all(exits);
    clearTimeout(deadline);
    this.ctl.close();
    await this.mirror.close();
    for (const agent of this.agents.values()) await removeSysroot(agent.sysroot).catch(() => undefined);
    rmSync(this.options.dir, { recursive: true, force: true });
  }
}

/** The booted version a node reports ('' before its first report). */
export function bootedVersion(node: NodeRecord__Output): string {
  return node.deployments.find((d) => d.booted)?.version ?? '';
}
