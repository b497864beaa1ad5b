// Built-in checks (hostpilot's `builtin` plugin): a read-only root or /var,
// disk and inode pressure, an unsynchronised clock, and — through inputs other
// agent modules feed — thin-pool usage and failed systemd units. Each check
// sets one condition per round; a check that cannot tell is unknown, which
// counts as a problem (fail safe).
import { readFileSync, statfsSync } from 'node:fs';
import type { CommandRunner } from '../../common/exec/runner.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import { BUILTIN_DEFAULTS, parseBuiltinMonitorConfig, type BuiltinCheckConfig, type BuiltinInputs, type BuiltinMonitorConfig } from './builtin-config.js';
import type { MonitorPlugin } from './plugin.js';

export type { BuiltinInputs, ThinPoolUsage } from './builtin-config.js';
import type { ConditionUpdate, Monitor, MonitorSink } from './types.js';

export interface MountEntry {
  mountPoint: string;
  options: string[];
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** /proc/self/mountinfo → mount point and per-mount options, in mount order. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 6) continue;
    out.push({ mountPoint: unescapeMount(f[4]!), options: f[5]!.split(',') });
  }
  return out;
}

/** The mount that holds `path`: the longest mount point prefix, the latest mounted on ties. */
export function mountOf(entries: readonly MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const e of entries) {
    const mp = e.mountPoint;
    const holds = mp === '/' || path === mp || path.startsWith(mp.endsWith('/') ? mp : mp + '/');
    if (holds && (!best || mp.length >= best.mountPoint.length)) best = e;
  }
  return best;
}

export function usedPercent(used: number, total: number): number {
  return total <= 0 ? 0 : Math.round((used / total) * 1000) / 10;
}

export class BuiltinMonitor implements Monitor {
  readonly plugin = 'builtin';
  readonly source: string;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly cfg: BuiltinMonitorConfig,
    private readonly deps: { runner: CommandRunner; logger: Logger; inputs?: BuiltinInputs },
  ) {
    this.source = cfg.source;
  }

  private ok(check: BuiltinCheckConfig): ConditionUpdate {
    const def = this.cfg.conditions.find((c) => c.type === check.condition);
    const d = BUILTIN_DEFAULTS[check.check];
    return { source: this.source, type: check.condition, status: false, reason: def?.reason ?? d.okReason, message: def?.message ?? d.okMessage };
  }

  private problem(check: BuiltinCheckConfig, reason: string, message: string): ConditionUpdate {
    return { source: this.source, type: check.condition, status: true, reason, message };
  }

  private unknown(check: BuiltinCheckConfig, message: string): ConditionUpdate {
    return { source: this.source, type: check.condition, status: true, unknown: true, reason: 'CheckFailed', message };
  }

  async runCheck(check: BuiltinCheckConfig): Promise<ConditionUpdate> {
    const inputs = this.deps.inputs ?? {};
    try {
      switch (check.check) {
        case 'readonly-fs': {
          const entries = parseMountinfo(inputs.mountinfo ? inputs.mountinfo() : readFileSync('/proc/self/mountinfo', 'utf8'));
          const ro = check.paths.filter((p) => mountOf(entries, p)?.options.includes('ro'));
          return ro.length ? this.problem(check, 'FilesystemIsReadOnly', `read-only: ${ro.join(', ')}`) : this.ok(check);
        }
        case 'disk-pressure':
        case 'inode-pressure': {
          const statfs = inputs.statfs ?? ((p: string) => statfsSync(p));
          const over: string[] = [];
          for (const p of check.paths) {
            const s = statfs(p);
            const pct = check.check === 'disk-pressure' ? usedPercent(s.blocks - s.bfree, s.blocks - s.bfree + s.bavail) : usedPercent(s.files - s.ffree, s.files);
            if (pct >= check.threshold) over.push(`${p} ${pct}% used`);
          }
          if (!over.length) return this.ok(check);
          const what = check.check === 'disk-pressure' ? 'DiskPressure' : 'InodePressure';
          return this.problem(check, what, `${over.join(', ')} (threshold ${check.threshold}%)`);
        }
        case 'clock-sync': {
          const synced = inputs.clockSynchronized ? await inputs.clockSynchronized() : await this.timedatectlSynced();
          if (synced === undefined) return this.unknown(check, 'cannot tell whether the clock is synchronised');
          return synced ? this.ok(check) : this.problem(check, 'ClockNotSynchronized', 'the system clock is not synchronised (NTPSynchronized=no)');
        }
        case 'thin-pool': {
          if (!inputs.thinPoolUsage) return this.unknown(check, 'no thin-pool input is wired into the agent');
          const u = await inputs.thinPoolUsage();
          if (!u) return this.unknown(check, 'thin-pool usage is not available');
          const over: string[] = [];
          if (u.dataPercent >= check.threshold) over.push(`data ${u.dataPercent}% (threshold ${check.threshold}%)`);
          if (u.metadataPercent >= check.metadataThreshold) over.push(`metadata ${u.metadataPercent}% (threshold ${check.metadataThreshold}%)`);
          return over.length ? this.problem(check, 'ThinPoolAlmostFull', `thin pool ${over.join(', ')}`) : this.ok(check);
        }
        case 'failed-units': {
          if (!inputs.failedUnits) return this.unknown(check, 'no systemd-units input is wired into the agent');
          const units = await inputs.failedUnits();
          if (!units) return this.unknown(check, 'failed units are not available');
          return units.length ? this.problem(check, 'UnitsFailed', `failed: ${units.slice(0, 10).join(', ')}${units.length > 10 ? ` and ${units.length - 10} more` : ''}`) : this.ok(check);
        }
      }
    } catch (err) {
      return this.unknown(check, `${check.check}: ${errorMessage(err)}`);
    }
  }

  private async timedatectlSynced(): Promise<boolean | undefined> {
    try {
      const res = await this.deps.runner.run({ argv: ['timedatectl', 'show', '--property=NTPSynchronized', '--value'], timeoutMs: 10_000, maxOutputBytes: 4096 });
      const v = res.stdout.trim();
      return v === 'yes' ? true : v === 'no' ? false : undefined;
    } catch {
      return undefined;
    }
  }

  async runOnce(sink: MonitorSink): Promise<void> {
    for (const check of this.cfg.checks) sink.update(await this.runCheck(check));
  }

  async start(sink: MonitorSink): Promise<void> {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      for (const check of this.cfg.checks) {
        const u = await this.runCheck(check);
        if (this.stopped) return;
        sink.update(u);
      }
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.cfg.intervalMs);
    };
    // Resolve once the first round has reported: conditions are fresh.
    await loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

export const builtinPlugin: MonitorPlugin<BuiltinMonitorConfig> = {
  names: ['builtin'],
  parse: parseBuiltinMonitorConfig,
  create: (cfg, deps) => new BuiltinMonitor(cfg, { runner: deps.runner, logger: deps.logger, ...(deps.builtinInputs ? { inputs: deps.builtinInputs } : {}) }),
};
