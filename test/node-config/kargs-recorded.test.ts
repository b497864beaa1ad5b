// The rpm-ostree and bootc kernel-argument paths on recorded runners
// (test/fixtures/rpm-ostree/SOURCES.md): what is read, the exact argv, and
// a bootc host without rpm-ostree refused with a line saying why.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RpmOstreeKargs, kargsEditor, OstreeKargs } from '../../agent/node-config/kargs.js';
import { makeTempDir } from '../support/tmp.js';
import { RecordedRunner } from '../support/recorded-runner.js';
import { desired, nodeConfigAgent, rendered } from './support.js';

const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures/rpm-ostree', name), 'utf8');
const PRINT = fixture('kargs-print-bazzite.txt');
const STAGED = fixture('kargs-append-rhel-image-mode.txt');

describe.each(['rpm-ostree', 'bootc'] as const)('kernel arguments on a %s host (recorded)', (backend) => {
  it('reads the default deployment arguments and changes only what differs, in one rpm-ostree kargs call', async () => {
    const runner = new RecordedRunner([
      { argv: ['rpm-ostree', 'kargs'], stdout: PRINT },
      { argv: ['rpm-ostree', 'kargs', '--append=mitigations=auto,nosmt', '--delete=rhgb'], stdout: STAGED },
    ]);
    const editor = kargsEditor(backend, runner);
    expect(editor).toBeInstanceOf(RpmOstreeKargs);
    const current = await editor.current();
    expect(current[0]).toMatch(/^ostree=\/ostree\/boot\.1\/default\//);
    expect(current).toContain('kvm.ignore_msrs=1');

    const tmp = makeTempDir('hp-kargs-rec-');
    try {
      const ctx = nodeConfigAgent({ root: join(tmp.dir, 'root'), stateDir: join(tmp.dir, 'state'), kargs: editor, runner });
      const d = desired(rendered({ kernelArguments: { append: ['quiet', 'mitigations=auto,nosmt'], delete: ['rhgb', 'nomodeset'] } }), 'reboot');
      await ctx.agent.setDesired(d);
      expect(runner.argvs().filter((a) => a.length > 2)).toEqual([['rpm-ostree', 'kargs', '--append=mitigations=auto,nosmt', '--delete=rhgb']]);
      expect(runner.calls.every((c) => c.env?.RPMOSTREE_CLIENT_ID === 'hostpilot')).toBe(true);
      expect(ctx.agent.rebootPending()).toBe(true);
      expect(ctx.agent.conditions().map((c) => c.status)).toEqual(['False', 'False']);
    } finally {
      tmp.remove();
    }
  });

  it('makes no call when the arguments are already as the config wants', async () => {
    const runner = new RecordedRunner([{ argv: ['rpm-ostree', 'kargs'], stdout: PRINT }]);
    const tmp = makeTempDir('hp-kargs-rec-');
    try {
      const ctx = nodeConfigAgent({ root: join(tmp.dir, 'root'), stateDir: join(tmp.dir, 'state'), kargs: kargsEditor(backend, runner), runner });
      const d = desired(rendered({ kernelArguments: { append: ['quiet', 'rw'], delete: ['nomodeset'] } }), 'reboot');
      await ctx.agent.setDesired(d);
      expect(runner.argvs()).toEqual([['rpm-ostree', 'kargs']]);
      // Nothing staged: nothing to reboot for, the config is applied now.
      expect(ctx.agent.rebootPending()).toBe(false);
      expect(ctx.agent.appliedHash).toBe(d.hash);
    } finally {
      tmp.remove();
    }
  });
});

describe('kernel arguments on a bootc host without rpm-ostree', () => {
  it('fails the change with one line saying where such a host gets its arguments', async () => {
    const runner = new RecordedRunner([{ argv: ['rpm-ostree', 'kargs'], failure: 'spawn' }]);
    const tmp = makeTempDir('hp-kargs-rec-');
    try {
      const ctx = nodeConfigAgent({ root: join(tmp.dir, 'root'), stateDir: join(tmp.dir, 'state'), kargs: kargsEditor('bootc', runner), runner });
      await ctx.agent.setDesired(desired(rendered({ kernelArguments: { append: ['quiet'], delete: [] } }), 'reboot'));
      const c = ctx.agent.conditions().find((x) => x.type === 'ConfigApplyFailed')!;
      expect(c).toMatchObject({ status: 'True', reason: 'ApplyFailed' });
      expect(c.message).toContain('kernel arguments: kernelArguments: this bootc host has no rpm-ostree; its kernel arguments can only come with the image (/usr/lib/bootc/kargs.d)');
      expect(ctx.agent.rebootPending()).toBe(false);
    } finally {
      tmp.remove();
    }
  });

  it('the ostree backend edits its sysroot with ostree admin, not rpm-ostree', () => {
    expect(kargsEditor('ostree', new RecordedRunner([]), '/sysroot')).toBeInstanceOf(OstreeKargs);
  });
});
