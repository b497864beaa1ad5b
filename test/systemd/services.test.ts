// The shipped unit files, run by a real systemd with the built programs in the
// install layout of docs/systemd.md (/usr/lib/hostpilot): the coordinator and
// the agent reach active (running) through READY=1, and systemd restarts the
// agent when its watchdog pings stop. Needs `npm run build` first.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UnitManager } from '../../agent/systemd/unit-manager.js';
import { describeWith } from '../support/components.js';
import { bootSystemd, eventually, type BootedSystemd } from './nspawn.js';

const repo = resolve('.');

// Test config: a node id, and a short watchdog so the test need not wait a minute.
const AGENT_DROP_IN = `[Service]
Environment="HOSTPILOT_AGENT_ARGS=--node-id=test-node --labels-file=/dev/null"
WatchdogSec=3s
RestartSec=200ms
`;
const COORDINATOR_DROP_IN = `[Service]
Environment="HOSTPILOT_COORDINATOR_ARGS=--log-level=info"
`;

describeWith(['systemd-nspawn', 'systemd-notify', 'root'], 'hostpilot units in a real systemd', () => {
  let sd: BootedSystemd;
  let units: UnitManager;
  let configDir: string | undefined;

  beforeAll(async () => {
    for (const built of ['dist/agent/main.js', 'dist/coordinator/main.js', 'dist/common/sd-notify.js']) {
      if (!existsSync(join(repo, built))) throw new Error(`${built} missing: run npm run build before this test`);
    }
    // The agent's test config: one declared unit, which the agent must converge once it runs.
    configDir = mkdtempSync(join(tmpdir(), 'hp-agent-config-'));
    // /etc/hostpilot is world-readable on a host: the coordinator (user hostpilot) reads its coordinator.d there.
    chmodSync(configDir, 0o755);
    writeFileSync(
      join(configDir, 'agent.json'),
      JSON.stringify({ units: { manage: [{ name: 'hp-declared.service', content: '[Service]\nExecStart=/bin/sleep infinity\n', running: true }] } }),
    );
    const readOnlyBinds: Array<[string, string]> = [
      [repo, '/usr/lib/hostpilot'],
      [configDir, '/etc/hostpilot'],
      [join(repo, 'systemd', 'hostpilot.sysusers.conf'), '/usr/lib/sysusers.d/hostpilot.conf'],
    ];
    // A worktree's node_modules may be a symlink to another checkout: make its target visible too.
    const modules = join(repo, 'node_modules');
    if (lstatSync(modules).isSymbolicLink()) readOnlyBinds.push([realpathSync(modules), realpathSync(modules)]);
    sd = await bootSystemd({
      overlayUsr: true,
      readOnlyBinds,
      units: {
        'hostpilot-agent.service': readFileSync(join(repo, 'systemd', 'hostpilot-agent.service'), 'utf8'),
        'hostpilot-coordinator.service': readFileSync(join(repo, 'systemd', 'hostpilot-coordinator.service'), 'utf8'),
        'hostpilot-agent.service.d/50-test.conf': AGENT_DROP_IN,
        'hostpilot-coordinator.service.d/50-test.conf': COORDINATOR_DROP_IN,
      },
      // The container has only loopback: masked, network-online.target (which both units wait for) is reached at once.
      maskedUnits: ['systemd-networkd-wait-online.service'],
    });
    units = new UnitManager({ busAddress: sd.busAddress, jobTimeoutMs: 120_000 });
  });
  afterAll(async () => {
    units?.close();
    await sd?.stop();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  async function serviceProp(unit: string, name: string): Promise<unknown> {
    const bus = await units.bus();
    const [v] = await bus.call({
      destination: 'org.freedesktop.systemd1',
      path: UnitManager.unitPath(unit),
      interface: 'org.freedesktop.DBus.Properties',
      member: 'Get',
      signature: 'ss',
      body: ['org.freedesktop.systemd1.Service', name],
    });
    return (v as { value: unknown }).value;
  }

  it('the coordinator runs as its own user and becomes active through READY=1', async () => {
    // A Type=notify start job completes only when READY=1 arrives.
    await units.start('hostpilot-coordinator.service');
    expect(await units.getUnit('hostpilot-coordinator.service')).toMatchObject({ activeState: 'active', subState: 'running' });
    expect(await serviceProp('hostpilot-coordinator.service', 'StatusText')).toMatch(/^serving gRPC on port 7070/);
    expect(await serviceProp('hostpilot-coordinator.service', 'User')).toBe('hostpilot');
  });

  it('the agent becomes active (running) through READY=1, and is restarted when its watchdog pings stop', async () => {
    await units.start('hostpilot-agent.service');
    const up = await units.getUnit('hostpilot-agent.service');
    expect(up).toMatchObject({ activeState: 'active', subState: 'running', restarts: 0 });
    expect(await serviceProp('hostpilot-agent.service', 'StatusText')).toBe('serving metrics on port 9102');

    // Running under the hardened unit, it converges the unit its config declares (written to /etc/systemd/system).
    await eventually(async () => (await units.getUnit('hp-declared.service').catch(() => undefined))?.activeState === 'active', 'the declared unit started by the agent', 60_000);
    expect(readFileSync(join(sd.etcUnitsDir, 'hp-declared.service'), 'utf8')).toMatch(/^# Managed by hostpilot/);

    // Pings keep it alive across several watchdog periods.
    await new Promise((r) => setTimeout(r, 4000));
    expect(await units.getUnit('hostpilot-agent.service')).toMatchObject({ activeState: 'active', mainPid: up.mainPid, restarts: 0 });

    // Freeze its main process: no pings, systemd's watchdog fires and Restart=always brings it back.
    const bus = await units.bus();
    await bus.call({
      destination: 'org.freedesktop.systemd1',
      path: '/org/freedesktop/systemd1',
      interface: 'org.freedesktop.systemd1.Manager',
      member: 'KillUnit',
      signature: 'ssi',
      body: ['hostpilot-agent.service', 'main', 19 /* SIGSTOP */],
    });
    await eventually(async () => ((await units.getUnit('hostpilot-agent.service')).restarts ?? 0) >= 1, 'a watchdog restart', 60_000);
    await eventually(async () => {
      const u = await units.getUnit('hostpilot-agent.service');
      return u.activeState === 'active' && u.subState === 'running' && u.mainPid !== up.mainPid;
    }, 'the agent running again', 60_000);

    // A clean stop: STOPPING=1, exit 0.
    await units.stop('hostpilot-agent.service');
    expect(await units.getUnit('hostpilot-agent.service')).toMatchObject({ activeState: 'inactive', result: 'success' });
  });

  it('an unprivileged client asking systemd to start a unit gets AccessDeniedError', async () => {
    // The bus socket is reachable by others once its directories are.
    chmodSync(sd.dir, 0o755);
    chmodSync(join(sd.dir, 'dbus'), 0o755);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      // Started as root and dropping to nobody itself once the modules are loaded (see the fixture):
      // a checkout under a 0700 directory is unreadable to nobody.
      [join(repo, 'test/systemd/fixtures/unprivileged-start.mjs'), join(repo, 'dist'), sd.busAddress, 'hostpilot-agent.service', '65534', '65534'],
      { timeout: 60_000 },
    );
    expect(JSON.parse(stdout)).toMatchObject({ name: 'AccessDeniedError', kind: 'permission_denied', uid: 65534 });
    expect((await units.getUnit('hostpilot-agent.service')).activeState).toBe('inactive');
  });
});
