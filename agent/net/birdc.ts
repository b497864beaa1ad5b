// BIRD 2 through its own tools, via the one command runner: `bird` to start,
// `birdc configure` to reload, `birdc show protocols all` to read sessions.
// Only the fields the agent uses are parsed (fixture:
// test/fixtures/net/birdc-show-protocols-all.txt, from bird2 2.0.12).
import type { CommandRunner } from '../../common/exec/runner.js';
import { join } from 'node:path';

const BIRDC_TIMEOUT_MS = 10_000;

export interface BirdProtocol {
  name: string;
  /** "BGP", "OSPF", "Static", "Kernel", "Device" ... */
  proto: string;
  /** "up", "start", "down", "flush" ... */
  state: string;
  /** "Established", "Active", "Running", "Alone" ...; may be empty. */
  info: string;
  /** Routes exported on the protocol's (first) channel; 0 when it has none. */
  exported: number;
  imported: number;
}

// "peer_tor   BGP        ---        up     2026-11-28 17:12:45  Established"
const HEADER = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d{4}-\d{2}-\d{2} \S+|\S+)\s*(.*)$/;
const ROUTES = /^\s+Routes:\s+(\d+) imported,(?: \d+ filtered,)? (\d+) exported/;

export function parseShowProtocols(text: string): BirdProtocol[] {
  const protocols: BirdProtocol[] = [];
  let current: BirdProtocol | undefined;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('BIRD ') || line.startsWith('Name ')) continue;
    if (!/^\s/.test(line)) {
      const m = HEADER.exec(line);
      current = m ? { name: m[1]!, proto: m[2]!, state: m[4]!, info: m[6]!.trim(), exported: 0, imported: 0 } : undefined;
      if (current) protocols.push(current);
      continue;
    }
    const routes = ROUTES.exec(line);
    if (routes && current) {
      current.imported += Number(routes[1]);
      current.exported += Number(routes[2]);
    }
  }
  return protocols;
}

export interface BirdPaths {
  config: string;
  socket: string;
  pidFile: string;
}

export function birdPaths(dir: string): BirdPaths {
  return { config: join(dir, 'bird.conf'), socket: join(dir, 'bird.ctl'), pidFile: join(dir, 'bird.pid') };
}

export class Birdc {
  constructor(
    private readonly runner: CommandRunner,
    readonly paths: BirdPaths,
  ) {}

  /** Starts the daemon (it forks into the background once the config parsed). */
  async start(): Promise<void> {
    await this.runner.run({ argv: ['bird', '-c', this.paths.config, '-s', this.paths.socket, '-P', this.paths.pidFile], timeoutMs: BIRDC_TIMEOUT_MS });
  }

  /** Parses the config only: a bad render never reaches the running daemon. */
  async check(): Promise<void> {
    await this.runner.run({ argv: ['bird', '-p', '-c', this.paths.config], timeoutMs: BIRDC_TIMEOUT_MS });
  }

  async configure(): Promise<void> {
    const result = await this.runner.run({ argv: ['birdc', '-s', this.paths.socket, 'configure'], timeoutMs: BIRDC_TIMEOUT_MS });
    // birdc exits 0 even when the daemon refused the config; its reply says.
    if (!/Reconfigur|Reconfiguration in progress/.test(result.stdout)) throw new Error(`birdc configure: ${result.stdout.trim().split('\n').slice(-1)[0] ?? 'no reply'}`);
  }

  async protocols(): Promise<BirdProtocol[]> {
    const result = await this.runner.run({ argv: ['birdc', '-s', this.paths.socket, 'show', 'protocols', 'all'], timeoutMs: BIRDC_TIMEOUT_MS });
    if (!result.stdout.startsWith('BIRD ')) throw new Error(`birdc: ${result.stdout.trim().split('\n')[0] ?? 'no reply'}`);
    return parseShowProtocols(result.stdout);
  }
}
