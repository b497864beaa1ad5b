// `--backend auto`: bootc when `bootc status` shows a booted image bootc can
// manage, else rpm-ostree when its status answers, else plain ostree; each case
// replayed with a recorded runner from captured outputs (test/fixtures/SOURCES.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeOsCommand } from '../../../agent/cli/os.js';
import { detectBackend, selectOsBackend } from '../../../agent/os/factory.js';
import { BootcBackend } from '../../../agent/os/bootc.js';
import { OstreeBackend } from '../../../agent/os/ostree.js';
import { RpmOstreeBackend } from '../../../agent/os/rpm-ostree.js';
import { RecordedRunner, type Recording } from '../../support/recorded-runner.js';

const fixture = (dir: string, name: string) => readFileSync(join(import.meta.dirname, '../../fixtures', dir, name), 'utf8');
const C9S = fixture('bootc', 'c9s-issue-465-status-booted.json');
const V1_NULL = fixture('bootc', 'spec-v1-null.json');
const RPM_OSTREE = fixture('rpm-ostree', 'zincati-rpm-ostree-status.json');
// Derived: bootc#465's capture with the booted entry `incompatible: true` (rpm-ostree layering).
const LAYERED = (() => {
  const doc = JSON.parse(C9S) as { status: { booted: Record<string, unknown> } };
  doc.status.booted['incompatible'] = true;
  return JSON.stringify(doc);
})();

const BOOTC = ['bootc', 'status', '--format', 'json'];
const RPM = ['rpm-ostree', 'status', '--json'];
const bootcSays = (stdout: string): Recording => ({ argv: BOOTC, stdout });
const bootcMissing: Recording = { argv: BOOTC, failure: 'spawn' };
const rpmSays: Recording = { argv: RPM, stdout: RPM_OSTREE };
const rpmMissing: Recording = { argv: RPM, failure: 'spawn' };

describe('backend auto-detection', () => {
  const cases: Array<{ name: string; recordings: Recording[]; want: string; reason: RegExp; asked: string[][] }> = [
    { name: 'a bootc host', recordings: [bootcSays(C9S), rpmSays], want: 'bootc', reason: /booted image quay\.io\/redhat_emp1\/centos-bootc-dev-test:efvi/, asked: [BOOTC] },
    { name: 'bootc sees layering (incompatible): rpm-ostree', recordings: [bootcSays(LAYERED), rpmSays], want: 'rpm-ostree', reason: /rpm-ostree status answers; bootc: the booted deployment is incompatible/, asked: [BOOTC, RPM] },
    { name: 'bootc not installed: rpm-ostree', recordings: [bootcMissing, rpmSays], want: 'rpm-ostree', reason: /bootc: .*command not found/, asked: [BOOTC, RPM] },
    { name: 'bootc installed on a host it did not deploy: rpm-ostree', recordings: [bootcSays(V1_NULL), rpmSays], want: 'rpm-ostree', reason: /no booted image/, asked: [BOOTC, RPM] },
    { name: 'neither: plain ostree', recordings: [bootcSays(V1_NULL), rpmMissing], want: 'ostree', reason: /neither bootc nor rpm-ostree.*rpm-ostree: .*command not found/, asked: [BOOTC, RPM] },
    { name: 'bootc output broken, rpm-ostree failing: plain ostree', recordings: [bootcSays('{"kind": "BootcHo'), { argv: RPM, exitCode: 1, stderr: 'error: Couldn\'t start daemon' }], want: 'ostree', reason: /bootc: .*not JSON/, asked: [BOOTC, RPM] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const runner = new RecordedRunner(c.recordings);
      const got = await detectBackend(runner);
      expect(got.name).toBe(c.want);
      expect(got.reason).toMatch(c.reason);
      expect(runner.argvs()).toEqual(c.asked);
    });
  }

  it('selectOsBackend builds the detected backend; an explicit --backend asks nothing', async () => {
    expect((await selectOsBackend({ backend: 'auto', runner: new RecordedRunner([bootcSays(C9S)]) })).backend).toBeInstanceOf(BootcBackend);
    expect((await selectOsBackend({ backend: 'auto', runner: new RecordedRunner([bootcMissing, rpmSays]) })).backend).toBeInstanceOf(RpmOstreeBackend);
    expect((await selectOsBackend({ backend: 'auto', runner: new RecordedRunner([bootcMissing, rpmMissing]) })).backend).toBeInstanceOf(OstreeBackend);
    const runner = new RecordedRunner([]);
    const chosen = await selectOsBackend({ backend: 'rpm-ostree', runner });
    expect(chosen).toMatchObject({ name: 'rpm-ostree', reason: 'chosen with --backend' });
    expect(runner.calls).toEqual([]);
  });

  it('auto with --sysroot is ostree on that sysroot, with nothing asked', async () => {
    const chosen = await selectOsBackend({ backend: 'auto', sysroot: '/srv/sysroot', runner: new RecordedRunner([]) });
    expect(chosen).toMatchObject({ name: 'ostree', reason: '--sysroot names an OSTree sysroot' });
    expect(chosen.backend).toBeInstanceOf(OstreeBackend);
  });

  it('in a pod the host\'s own clients run in the host\'s mount namespace (--host-mount-ns)', async () => {
    const ns = (argv: string[]) => ['nsenter', '--mount=/proc/1/ns/mnt', '--', ...argv];
    const runner = new RecordedRunner([{ argv: ns(BOOTC), stdout: C9S }]);
    const chosen = await selectOsBackend({ backend: 'auto', runner, hostMountNamespace: '/proc/1/ns/mnt' });
    expect(chosen.name).toBe('bootc');
    await chosen.backend.status();
    expect(runner.argvs()).toEqual([ns(BOOTC), ns(BOOTC)]);
  });

  it('os status (default --backend auto) says which backend it chose and why; --json keeps deployments', async () => {
    const cmd = makeOsCommand(() => new RecordedRunner([bootcMissing, rpmSays, { argv: RPM, stdout: RPM_OSTREE }]));
    const out: string[] = [];
    expect(await cmd.main(['status', '--json'], { out: (s) => void out.push(s), err: () => undefined })).toBe(0);
    const doc = JSON.parse(out.join('')) as { deployments: Array<Record<string, unknown>>; backend: string; backendReason: string };
    expect(doc.backend).toBe('rpm-ostree');
    expect(doc.backendReason).toMatch(/rpm-ostree status answers/);
    expect(doc.deployments[0]).toMatchObject({ version: '43.20251024.3.0', booted: true, staged: false, pinned: false });

    const table: string[] = [];
    const cmd2 = makeOsCommand(() => new RecordedRunner([bootcSays(C9S), bootcSays(C9S)]));
    expect(await cmd2.main(['status'], { out: (s) => void table.push(s), err: () => undefined })).toBe(0);
    expect(table.join('')).toMatch(/\nbackend: bootc \(bootc status shows the booted image quay\.io\/redhat_emp1\/centos-bootc-dev-test:efvi\)\n$/);
  });
});
