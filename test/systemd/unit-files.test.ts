import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ProcessRunner } from '../../common/exec/runner.js';
import { DEFAULT_STATE_DIR } from '../../agent/paths.js';
import { describeWith } from '../support/components.js';

const runner = new ProcessRunner();
const UNITS = ['hostpilot-agent.service', 'hostpilot-coordinator.service'].map((u) => resolve('systemd', u));

/** Unit file settings as key -> values (a key may repeat), comments dropped. */
function settings(path: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!]);
  }
  return out;
}

async function verify(paths: string[]): Promise<{ exitCode: number; stderr: string }> {
  const r = await runner.run({ argv: ['systemd-analyze', 'verify', '--man=no', ...paths], okExitCodes: [0, 1], timeoutMs: 60_000 });
  return { exitCode: r.exitCode, stderr: r.stderr };
}

describeWith(['systemd-analyze'], 'unit files in systemd/', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'hp-verify-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('systemd-analyze verify accepts both, without a warning about them', async () => {
    const r = await verify(UNITS);
    expect(r.stderr.split('\n').filter((l) => l.includes('hostpilot'))).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it('the same check catches a broken setting (so the one above can fail)', async () => {
    const broken = join(scratch, 'hostpilot-agent.service');
    writeFileSync(broken, readFileSync(UNITS[0]!, 'utf8').replace('ProtectSystem=strict', 'ProtectSystem=strictly'));
    const r = await verify([broken]);
    expect(r.stderr).toMatch(/hostpilot-agent.service:\d+: Failed to parse protect system value/);
  });

  it('the agent is a notify service with a watchdog and restarts; the coordinator runs as its own user, hardened', async () => {
    const agent = settings(UNITS[0]!);
    expect(agent.get('Type')).toEqual(['notify']);
    expect(agent.get('NotifyAccess')).toEqual(['main']);
    expect(agent.get('WatchdogSec')).toHaveLength(1);
    expect(agent.get('Restart')).toEqual(['always']);
    expect(agent.get('ProtectSystem')).toEqual(['strict']);
    // V8 memory flags (bench:footprint), then the agent.
    expect(agent.get('ExecStart')?.[0]).toMatch(/^\/usr\/bin\/node (--[a-z0-9-]+(=\d+)? )*\/usr\/lib\/hostpilot\/dist\/agent\/main\.js run --coordinator /);
    expect(agent.get('ExecStart')?.[0]).toContain('--max-old-space-size=128');
    // One state dir: the unit's is the default every subcommand reads (agent/paths.ts).
    expect(agent.get('ExecStart')?.[0]).toContain(` --state-dir ${DEFAULT_STATE_DIR} `);
    expect(agent.get('StateDirectory')?.[0]).toBe(DEFAULT_STATE_DIR.replace('/var/lib/', ''));
    expect(agent.has('User')).toBe(false);

    const coord = settings(UNITS[1]!);
    expect(coord.get('Type')).toEqual(['notify']);
    expect(coord.get('User')).toEqual(['hostpilot']);
    expect(coord.get('ProtectSystem')).toEqual(['strict']);
    expect(coord.get('StateDirectory')).toEqual(['hostpilot']);
    expect(coord.get('CapabilityBoundingSet')).toEqual(['']);
    expect(coord.get('NoNewPrivileges')).toEqual(['yes']);
    expect(coord.get('Restart')).toEqual(['on-failure']);
    expect(coord.get('ExecStart')?.[0]).toMatch(/^\/usr\/bin\/node \/usr\/lib\/hostpilot\/dist\/coordinator\/main\.js /);

    // systemd's own exposure score: the coordinator is locked down, the agent (root by design) much less so.
    const score = async (unit: string) => {
      const copy = join(scratch, unit.split('/').pop()!);
      copyFileSync(unit, copy);
      const r = await runner.run({ argv: ['systemd-analyze', 'security', '--offline=true', copy], okExitCodes: [0, 1] });
      return Number(/Overall exposure level for [^:]+: ([\d.]+)/.exec(r.stdout)?.[1]);
    };
    const [agentScore, coordScore] = [await score(UNITS[0]!), await score(UNITS[1]!)];
    expect(coordScore).toBeLessThanOrEqual(2.5);
    expect(agentScore).toBeGreaterThan(coordScore);
  });
});
