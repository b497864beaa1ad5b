import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../agent/cli/units.js';
import { UnitManager } from '../../agent/systemd/unit-manager.js';
import { UsageError } from '../../common/cli.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { describeWith } from '../support/components.js';
import { bootSystemd, type BootedSystemd } from './nspawn.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

describe('units CLI flags', () => {
  it('prints help and refuses bad command lines', async () => {
    const c = capture();
    expect(await command.main(['--help'], c.io)).toBe(0);
    expect(c.out.join('')).toContain('units status|apply');
    await expect(command.main([], c.io)).rejects.toBeInstanceOf(UsageError);
    await expect(command.main(['frobnicate'], c.io)).rejects.toBeInstanceOf(UsageError);
    await expect(command.main(['apply', '--bogus'], c.io)).rejects.toBeInstanceOf(UsageError);
    await expect(command.main(['status', '--dry-run'], c.io)).rejects.toBeInstanceOf(UsageError);
    await expect(command.main(['status', '--config', '/nonexistent/agent.json'], c.io)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(command.main(['status', '--bus', 'tcp:host=x,port=1'], c.io)).rejects.toMatchObject({ field: '--bus' });
  });
});

describeWith(['systemd-nspawn', 'root'], 'units CLI against a real systemd', () => {
  let sd: BootedSystemd;
  let dir: string;
  beforeAll(async () => {
    sd = await bootSystemd({ units: { 'hp-watched.service': '[Service]\nType=oneshot\nExecStart=/bin/false\n' } });
    dir = mkdtempSync(join(tmpdir(), 'hp-units-cli-'));
  });
  afterAll(async () => {
    await sd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('status shows drift, apply --dry-run changes nothing, apply converges, a second apply changes nothing', async () => {
    const cfg = join(dir, 'agent.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        units: {
          root: sd.etcUnitsDir,
          manage: [{ name: 'hp-cli.service', content: '[Service]\nExecStart=/bin/sleep infinity\n', running: true }],
          watch: ['hp-watched.service'],
        },
      }),
    );
    const args = ['--config', cfg, '--bus', sd.busAddress];
    let c = capture();
    expect(await command.main(['status', ...args], c.io)).toBe(3);
    expect(c.out).toEqual(['hp-cli.service: drift: unit file missing; was not-found', 'problem: hp-cli.service is not known to systemd (no unit file)']);

    c = capture();
    expect(await command.main(['apply', '--dry-run', ...args], c.io)).toBe(0);
    expect(c.out[0]).toMatch(/^would write .*hp-cli.service \(unit file missing\)$/);
    c = capture();
    expect(await command.main(['status', '--json', ...args], c.io)).toBe(3);
    expect(JSON.parse(c.out[0]!)).toMatchObject({ inSync: false });

    c = capture();
    expect(await command.main(['apply', ...args], c.io)).toBe(0);
    expect(c.out).toEqual([expect.stringMatching(/^done: write .*hp-cli.service/), 'done: daemon-reload (unit files changed)', 'done: start hp-cli.service (was not-found)']);

    c = capture();
    expect(await command.main(['apply', '--json', ...args], c.io)).toBe(0);
    expect(JSON.parse(c.out[0]!)).toEqual({ dryRun: false, changed: false, ok: true, steps: [] });

    // The watched unit fails: status reports the problem.
    const units = new UnitManager({ busAddress: sd.busAddress });
    await units.start('hp-watched.service').catch(() => undefined);
    units.close();
    c = capture();
    expect(await command.main(['status', ...args], c.io)).toBe(3);
    expect(c.out).toHaveLength(2);
    expect(c.out[0]).toBe('hp-cli.service: in sync');
    expect(c.out[1]).toMatch(/^problem: hp-watched.service failed \(result: exit-code\)/);
  });
});
