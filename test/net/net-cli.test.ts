import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNetCommand } from '../../agent/cli/net.js';
import { UsageError } from '../../common/cli.js';
import { PodStateStore } from '../../agent/net/state-store.js';
import { hostVethName } from '../../agent/net/validate.js';
import { RecordedRunner } from '../support/recorded-runner.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
}

const ORPHAN = hostVethName('hp', 'gone', 'eth0');
const hostRunner = () =>
  new RecordedRunner([
    { argv: ['ip', '-j', 'link', 'show', 'type', 'veth'], stdout: `[{"ifname":"${ORPHAN}","address":"aa:aa:aa:aa:aa:aa","flags":["UP"]}]` },
    { argv: ['ip', '-4', '-j', 'route', 'show', 'table', 'main'], stdout: '[]' },
    { argv: ['ip', 'link', 'del', 'dev', ORPHAN] },
  ]);

describe('hostpilot-agent net', () => {
  it('prints usage and refuses bad command lines', async () => {
    const c = capture();
    const cmd = createNetCommand({ runner: new RecordedRunner([]) });
    expect(await cmd.main(['--help'], c.io)).toBe(0);
    expect(c.out.join('')).toContain('hostpilot-agent net COMMAND');
    await expect(cmd.main([], c.io)).rejects.toBeInstanceOf(UsageError);
    await expect(cmd.main(['frob'], c.io)).rejects.toThrow(/unknown net command "frob"/);
    await expect(cmd.main(['pods', '--bogus'], c.io)).rejects.toBeInstanceOf(UsageError);
    await expect(cmd.main(['pods', '--state-dir', 'relative'], c.io)).rejects.toThrow(/--state-dir: must be an absolute path/);
    await expect(cmd.main(['pods', '--cni-state-dir', 'relative'], c.io)).rejects.toThrow(/--cni-state-dir: must be an absolute path/);
  });

  it('reconcile --dry-run says what it would repair and changes nothing; reconcile repairs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostpilot-net-cli-'));
    dirs.push(dir);
    const runner = hostRunner();
    const cmd = createNetCommand({ runner });
    const dry = capture();
    expect(await cmd.main(['reconcile', '--dry-run', '--cni-state-dir', dir], dry.io)).toBe(0);
    expect(dry.out).toEqual([`would repair: veth ${ORPHAN} has no pod record: removed`]);
    expect(runner.argvs().some((a) => a.includes('del'))).toBe(false);
    const real = capture();
    expect(await cmd.main(['reconcile', '--cni-state-dir', dir, '--json'], real.io)).toBe(0);
    expect(JSON.parse(real.out[0]!)).toEqual({ changes: [`veth ${ORPHAN} has no pod record: removed`], errors: [] });
    expect(runner.argvs().at(-1)).toEqual(['ip', 'link', 'del', 'dev', ORPHAN]);
  });

  it('pods lists the records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostpilot-net-cli-'));
    dirs.push(dir);
    // The agent's state dir holds the plugin's records under cni/ (agent/paths.ts).
    await new PodStateStore(join(dir, 'cni')).write({
      version: 1, phase: 'ready', network: 'podnet', containerId: 'c1', ifName: 'eth0', netns: '/var/run/netns/c1', hostVeth: hostVethName('hp', 'c1', 'eth0'), hostVethPrefix: 'hp',
      address: '10.10.0.10/22', gateway: '10.10.0.1', uplink: 'uplink0', mtu: 1500, ipamType: 'host-local', cniPath: ['/usr/lib/cni'], config: { secret: 'not printed' }, updatedAt: '2026-11-21T00:00:00Z',
    });
    const c = capture();
    expect(await createNetCommand({ runner: new RecordedRunner([]) }).main(['pods', '--state-dir', dir], c.io)).toBe(0);
    expect(c.out).toEqual([`c1\teth0\t10.10.0.10/22\t${hostVethName('hp', 'c1', 'eth0')}\tready\t/var/run/netns/c1`]);
    const j = capture();
    await createNetCommand({ runner: new RecordedRunner([]) }).main(['pods', '--state-dir', dir, '--json'], j.io);
    expect(JSON.parse(j.out[0]!).pods[0]).not.toHaveProperty('config');
  });
});
