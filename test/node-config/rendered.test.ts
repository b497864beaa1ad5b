import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, MAX_ITEMS, parseRenderedConfig } from '../../common/api/node-config.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { describeDrift } from '../../agent/node-config/drift.js';
import { kargsChanges } from '../../agent/node-config/kargs.js';
import { rendered } from './support.js';

function refusal(json: string): InvalidArgumentError {
  try {
    parseRenderedConfig(json);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return err as InvalidArgumentError;
  }
  throw new Error(`accepted: ${json.slice(0, 200)}`);
}

describe('parseRenderedConfig', () => {
  it('takes a full config and fills in what is absent', () => {
    const full = rendered({
      files: [{ path: '/etc/chrony.conf', mode: 0o644, owner: 'root:root', contents: 'pool x\n' }],
      units: [{ name: 'chronyd.service', dropIns: [{ name: '10-x.conf', contents: '[Service]\n' }], enabled: true, active: true }, { name: 'debug-shell.service', masked: true }],
      sysctls: { 'net.ipv4.ip_forward': '1' },
      kernelArguments: { append: ['quiet', 'mitigations=auto,nosmt'], delete: ['rhgb'] },
      reboot: 'never',
      driftPolicy: 'repair',
    });
    expect(parseRenderedConfig(JSON.stringify(full))).toEqual(full);
    expect(parseRenderedConfig('{}')).toEqual({ sources: [], files: [], units: [], sysctls: {}, kernelArguments: { append: [], delete: [] }, reboot: 'auto', driftPolicy: 'report' });
  });

  it('refuses garbage with one line naming the field', () => {
    const file = (f: object) => JSON.stringify({ files: [{ path: '/etc/a', mode: 420, contents: '', ...f }] });
    const cases: Array<[string, string, RegExp]> = [
      [file({ path: '/usr/lib/x' }), 'files[0].path', /not under \/etc or \/var/],
      [file({ path: '/etc/../root/.ssh/authorized_keys' }), 'files[0].path', /not an absolute, normalised path/],
      [file({ path: 'etc/a' }), 'files[0].path', /not an absolute/],
      [file({ contents: 'x'.repeat(MAX_FILE_BYTES + 1) }), 'files[0].contents', /over 262144 bytes/],
      [file({ mode: 0o10000 }), 'files[0].mode', /not a permission mode/],
      [file({ owner: 'root;rm' }), 'files[0].owner', /USER or USER:GROUP/],
      [file({ extra: 1 }), 'files[0].extra', /unknown field/],
      [JSON.stringify({ files: [{ path: '/etc/a', mode: 420, contents: '' }, { path: '/etc/a', mode: 420, contents: '' }] }), 'files[1].path', /listed twice/],
      [JSON.stringify({ files: [{ path: '/etc/sysctl.d/90-hostpilot.conf', mode: 420, contents: '' }] }), 'files[0].path', /use sysctls/],
      [JSON.stringify({ units: [{ name: 'a.service', contents: '' }], files: [{ path: '/etc/systemd/system/a.service', mode: 420, contents: '' }] }), 'files[0].path', /a unit file or drop-in units\[\] writes/],
      [JSON.stringify({ units: [{ name: 'a.service' }, { name: 'a.service' }] }), 'units[1].name', /listed twice/],
      [JSON.stringify({ kernelArguments: { append: ['foo bar'] } }), 'kernelArguments.append[0]', /not a kernel argument/],
      [JSON.stringify({ kernelArguments: { append: ['x'], delete: ['x'] } }), 'kernelArguments', /both appended and deleted/],
      [JSON.stringify({ units: [{ name: '../../etc/passwd' }] }), 'units[0].name', /not a unit name/],
      [JSON.stringify({ units: [{ name: 'a.service', dropIns: [{ name: '../x.conf', contents: '' }] }] }), 'units[0].dropIns[0].name', /not a drop-in/],
      [JSON.stringify({ units: [{ name: 'a.service', masked: true, enabled: true }] }), 'units[0].masked', /cannot be enabled/],
      [JSON.stringify({ units: [{ name: 'a.service', masked: true, contents: 'x' }] }), 'units[0].masked', /no contents or drop-ins/],
      [JSON.stringify({ sysctls: { 'kernel.x': 1 } }), 'sysctls.kernel.x', /printable text/],
      [JSON.stringify({ sysctls: { '../x': '1' } }), 'sysctls', /not a sysctl key/],
      [JSON.stringify({ reboot: 'sometimes' }), 'reboot', /not one of auto, never, always/],
      [JSON.stringify({ fiels: [] }), 'fiels', /unknown field/],
      [JSON.stringify({ files: Array.from({ length: MAX_ITEMS + 1 }, (_, i) => ({ path: `/etc/f${i}`, mode: 420, contents: '' })) }), 'files', /at most 1000/],
      ['{"files": [', 'rendered config', /not valid JSON/],
      ['[]', 'rendered config', /must be an object/],
    ];
    for (const [json, field, message] of cases) {
      const err = refusal(json);
      expect(err.field, json.slice(0, 120)).toBe(field);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain('\n');
    }
  });
});

describe('kargsChanges', () => {
  it('appends what is absent and deletes what is present, a bare key deleting any value of it', () => {
    const current = ['ostree=/ostree/boot.1/x/0', 'rhgb', 'quiet', 'console=ttyS0,115200n8', 'console=tty0'];
    expect(kargsChanges(current, { append: ['quiet', 'nosmt'], delete: ['rhgb', 'console', 'absent'] })).toEqual({ append: ['nosmt'], delete: ['rhgb', 'console'] });
    expect(kargsChanges(current, { append: ['quiet'], delete: ['console=ttyS1'] })).toEqual({ append: [], delete: [] });
  });
});

describe('describeDrift', () => {
  it('names the first items and counts the rest', () => {
    const items = Array.from({ length: 8 }, (_, i) => ({ kind: 'file' as const, name: `/etc/f${i}`, detail: 'contents differ' }));
    expect(describeDrift(items)).toBe('file /etc/f0: contents differ; file /etc/f1: contents differ; file /etc/f2: contents differ; file /etc/f3: contents differ; file /etc/f4: contents differ; and 3 more');
  });
});
