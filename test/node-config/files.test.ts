// Node configs on real files under a temp root: files (contents, mode, owner)
// and sysctls, the applied hash kept in the state dir, drift reported and
// repaired, garbage refused with nothing written.
import { chmodSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONDITION_APPLY, CONDITION_DRIFT } from '../../agent/node-config/agent.js';
import { command as configCommand } from '../../agent/cli/config.js';
import { makeTempDir } from '../support/tmp.js';
import { describeWith } from '../support/components.js';
import { desired, fakeProcSys, metricValue, nodeConfigAgent, rendered } from './support.js';

describeWith(['getent'], 'node config on real files', () => {
  let tmp: { dir: string; remove: () => void };
  let root: string;
  let stateDir: string;
  beforeEach(() => {
    tmp = makeTempDir('hp-nodecfg-');
    root = join(tmp.dir, 'root');
    stateDir = join(tmp.dir, 'state');
    fakeProcSys(root, { 'net.ipv4.ip_forward': '0', 'vm.swappiness': '60' });
  });
  afterEach(() => tmp.remove());

  const base = rendered({
    files: [
      { path: '/etc/hostpilot-test/motd', mode: 0o644, contents: 'hello\n' },
      { path: '/var/lib/app/secret', mode: 0o600, owner: 'daemon:daemon', contents: 's3cret\n' },
    ],
    sysctls: { 'net.ipv4.ip_forward': '1', 'vm.swappiness': '10' },
  });

  it('writes files with mode and owner, persists and applies sysctls, records the hash; a second apply changes nothing', async () => {
    const { agent, registry } = nodeConfigAgent({ root, stateDir });
    const d = desired(base);
    await agent.setDesired(d);
    expect(readFileSync(join(root, 'etc/hostpilot-test/motd'), 'utf8')).toBe('hello\n');
    const secret = statSync(join(root, 'var/lib/app/secret'));
    expect(secret.mode & 0o7777).toBe(0o600);
    const daemonUid = Number(readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('daemon:'))!.split(':')[2]);
    expect(secret.uid).toBe(daemonUid);
    expect(readFileSync(join(root, 'etc/sysctl.d/90-hostpilot.conf'), 'utf8')).toContain('net.ipv4.ip_forward = 1\nvm.swappiness = 10\n');
    expect(readFileSync(join(root, 'proc/sys/net/ipv4/ip_forward'), 'utf8').trim()).toBe('1');
    expect(agent.appliedHash).toBe(d.hash);
    expect(JSON.parse(readFileSync(join(stateDir, 'node-config.json'), 'utf8')).applied).toBe(d.hash);
    expect(agent.conditions().map((c) => [c.type, c.status])).toEqual([[CONDITION_DRIFT, 'False'], [CONDITION_APPLY, 'False']]);
    expect(await metricValue(registry, 'hostpilot_config_applies_total', { result: 'applied' })).toBe(1);

    // The same config again, by a fresh agent reading the state dir: the files are not rewritten.
    const before = statSync(join(root, 'etc/hostpilot-test/motd')).mtimeMs;
    const again = nodeConfigAgent({ root, stateDir });
    expect(again.agent.appliedHash).toBe(d.hash);
    await again.agent.start(0);
    await again.agent.setDesired(d);
    expect(statSync(join(root, 'etc/hostpilot-test/motd')).mtimeMs).toBe(before);
    expect(again.agent.conditions()[0]!.status).toBe('False');
  });

  it('reports a hand edit, a mode change and a reset sysctl as ConfigDrift, and repairs them under driftPolicy repair', async () => {
    const { agent, registry } = nodeConfigAgent({ root, stateDir });
    await agent.setDesired(desired(base));
    writeFileSync(join(root, 'etc/hostpilot-test/motd'), 'edited by hand\n');
    chmodSync(join(root, 'var/lib/app/secret'), 0o644);
    writeFileSync(join(root, 'proc/sys/vm/swappiness'), '60\n');
    await agent.check();
    const drift = agent.conditions().find((c) => c.type === CONDITION_DRIFT)!;
    expect(drift.status).toBe('True');
    expect(drift.message).toContain('file /etc/hostpilot-test/motd: contents differ');
    expect(drift.message).toContain('file /var/lib/app/secret: mode 0644, want 0600');
    expect(drift.message).toContain('sysctl vm.swappiness: is 60, want 10');
    expect(await metricValue(registry, 'hostpilot_config_drift', { kind: 'file' })).toBe(2);
    expect(await metricValue(registry, 'hostpilot_config_drift', { kind: 'sysctl' })).toBe(1);
    // driftPolicy report: nothing put back.
    expect(readFileSync(join(root, 'etc/hostpilot-test/motd'), 'utf8')).toBe('edited by hand\n');

    const repairing = { ...base, driftPolicy: 'repair' as const };
    await agent.setDesired(desired(repairing));
    writeFileSync(join(root, 'etc/hostpilot-test/motd'), 'edited again\n');
    await agent.check();
    expect(readFileSync(join(root, 'etc/hostpilot-test/motd'), 'utf8')).toBe('hello\n');
    expect(agent.conditions().find((c) => c.type === CONDITION_DRIFT)!.status).toBe('False');
    expect(await metricValue(registry, 'hostpilot_config_repairs_total', { kind: 'file' })).toBe(1);
    expect(await metricValue(registry, 'hostpilot_config_drift', { kind: 'file' })).toBe(0);
  });

  it('refuses a garbage config with one line and writes nothing', async () => {
    const { agent, registry } = nodeConfigAgent({ root, stateDir });
    const bad = [
      desired(rendered({ files: [{ path: '/usr/bin/evil', mode: 0o755, contents: 'x' }] })),
      desired(rendered({ files: [{ path: '/etc/ok', mode: 0o644, contents: 'x' }, { path: '/etc/../../root/x', mode: 0o644, contents: 'x' }] })),
      desired(rendered({ files: [{ path: '/etc/big', mode: 0o644, contents: 'x'.repeat(300 * 1024) }] })),
      desired(rendered({ files: [{ path: '/etc/ok', mode: 0o644, contents: 'x' }], kernelArguments: { append: ['bad karg'], delete: [] } })),
      { ...desired(rendered()), hash: 'md5:abc' },
      { ...desired(rendered()), disruption: 'explode' },
      { ...desired(rendered()), rendered_json: JSON.stringify(rendered({ files: [{ path: '/etc/other', mode: 0o644, contents: 'x' }] })) },
    ];
    for (const d of bad) {
      await agent.setDesired(d);
      const c = agent.conditions().find((x) => x.type === CONDITION_APPLY)!;
      expect(c.status).toBe('True');
      expect(c.reason).toBe('Refused');
      expect(c.message).not.toContain('\n');
    }
    expect(agent.conditions().find((x) => x.type === CONDITION_APPLY)!.message).toMatch(/hash: the rendered config hashes to sha256:[0-9a-f]{64}, not sha256:/);
    expect(existsSync(join(root, 'etc'))).toBe(false);
    expect(existsSync(join(stateDir, 'node-config.json'))).toBe(false);
    expect(agent.appliedHash).toBe('');
    expect(await metricValue(registry, 'hostpilot_config_applies_total', { result: 'refused' })).toBe(bad.length);
    // A good config afterwards clears the refusal.
    await agent.setDesired(desired(base));
    expect(agent.conditions().find((x) => x.type === CONDITION_APPLY)!.status).toBe('False');
  });

  it('leaves files no config manages any more in place and forgets them; never touches other files', async () => {
    writeFileSync(join(tmp.dir, 'unrelated'), 'x');
    const { agent } = nodeConfigAgent({ root, stateDir });
    await agent.setDesired(desired(base));
    const smaller = rendered({ files: [base.files[0]!] });
    await agent.setDesired(desired(smaller));
    expect(readFileSync(join(root, 'var/lib/app/secret'), 'utf8')).toBe('s3cret\n');
    // The dropped sysctls are no longer set at boot; their live values stay.
    expect(readFileSync(join(root, 'etc/sysctl.d/90-hostpilot.conf'), 'utf8')).not.toContain('swappiness');
    expect(readFileSync(join(root, 'proc/sys/vm/swappiness'), 'utf8').trim()).toBe('10');
    writeFileSync(join(root, 'var/lib/app/secret'), 'changed\n');
    await agent.check();
    expect(agent.conditions().find((c) => c.type === CONDITION_DRIFT)!.status).toBe('False');

    await agent.setDesired({ hash: '', rendered_json: '', disruption: 'none', rollout_id: '' });
    expect(agent.appliedHash).toBe('');
    expect(readFileSync(join(root, 'etc/hostpilot-test/motd'), 'utf8')).toBe('hello\n');
    writeFileSync(join(root, 'etc/hostpilot-test/motd'), 'mine now\n');
    await agent.check();
    expect(agent.conditions().map((c) => c.status)).toEqual(['False', 'False']);
    expect(readdirSync(tmp.dir).sort()).toEqual(['root', 'state', 'unrelated']);
  });

  it('names an owner that does not exist on the node as a failed change; the other files still converge', async () => {
    const { agent } = nodeConfigAgent({ root, stateDir });
    await agent.setDesired(desired(rendered({ files: [{ path: '/etc/a', mode: 0o644, owner: 'no-such-user-hp', contents: 'a' }, { path: '/etc/b', mode: 0o644, contents: 'b' }] })));
    const c = agent.conditions().find((x) => x.type === CONDITION_APPLY)!;
    expect(c).toMatchObject({ status: 'True', reason: 'ApplyFailed' });
    expect(c.message).toContain('file /etc/a: owner: no user named no-such-user-hp on this node');
    expect(readFileSync(join(root, 'etc/b'), 'utf8')).toBe('b');
  });

  it('hostpilot-agent config status shows the applied hash and the drift now (exit 3), in sync exit 0', async () => {
    const { agent } = nodeConfigAgent({ root, stateDir });
    const d = desired(base);
    await agent.setDesired(d);
    const run = async () => {
      const out: string[] = [];
      const code = await configCommand.main(['status', '--state-dir', stateDir, '--node-config-root', root, '--json'], { out: (t) => void out.push(t), err: (t) => void out.push(t) });
      return { code, json: JSON.parse(out.join('')) as { applied: string; drift: Array<{ kind: string; name: string; detail: string }> } };
    };
    expect(await run()).toMatchObject({ code: 0, json: { applied: d.hash, drift: [] } });
    writeFileSync(join(root, 'etc/hostpilot-test/motd'), 'by hand\n');
    expect(await run()).toMatchObject({ code: 3, json: { drift: [{ kind: 'file', name: '/etc/hostpilot-test/motd', detail: 'contents differ' }] } });
  });
});
