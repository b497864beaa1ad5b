// NodeConfig documents: every bad field is one line naming it; a good one has one canonical form.
import { describe, expect, it } from 'vitest';
import { validateDocument } from '../../common/api/resources.js';
import { InvalidArgumentError } from '../../common/errors.js';

const doc = (spec: unknown, name = 'base') => ({ apiVersion: 'hostpilot.io/v1', kind: 'NodeConfig', metadata: { name }, spec });
const error = (spec: unknown, name?: string): string => {
  try {
    validateDocument(doc(spec, name), 'f.yaml: document 1');
  } catch (err) {
    if (err instanceof InvalidArgumentError) return err.message;
    throw err;
  }
  throw new Error('no error');
};

describe('NodeConfig validation', () => {
  it('names the field of each bad value, in one line', () => {
    const cases: Array<[unknown, string]> = [
      [{ files: [{ path: '/usr/lib/x', contents: '' }] }, 'f.yaml: document 1: spec.files[0].path: "/usr/lib/x" is not under /etc or /var'],
      [{ files: [{ path: '/etc/../usr/x', contents: '' }] }, 'f.yaml: document 1: spec.files[0].path: "/etc/../usr/x" is not an absolute, normalised path'],
      [{ files: [{ path: 'etc/x', contents: '' }] }, 'f.yaml: document 1: spec.files[0].path: "etc/x" is not an absolute, normalised path'],
      [{ files: [{ path: '/etc/sysctl.d/90-hostpilot.conf', contents: '' }] }, 'f.yaml: document 1: spec.files[0].path: /etc/sysctl.d/90-hostpilot.conf is where the agent writes sysctls: use spec.sysctls'],
      [{ files: [{ path: '/etc/x', mode: '0999', contents: '' }] }, 'f.yaml: document 1: spec.files[0].mode: "0999" is not an octal permission mode ("0644")'],
      [{ files: [{ path: '/etc/x', mode: 644, contents: '' }] }, 'f.yaml: document 1: spec.files[0].mode: 644 is a number: write the mode as quoted octal text ("0644"), YAML reads a bare 0644 as decimal 644'],
      [{ files: [{ path: '/etc/x', mode: '17777', contents: '' }] }, 'f.yaml: document 1: spec.files[0].mode: "17777" is not an octal permission mode ("0644")'],
      [{ files: [{ path: '/etc/x', owner: 'Root', contents: '' }] }, 'f.yaml: document 1: spec.files[0].owner: "Root" is not USER or USER:GROUP'],
      [{ files: [{ path: '/etc/x' }] }, 'f.yaml: document 1: spec.files[0].contents: is required (text)'],
      [{ files: [{ path: '/etc/x', contents: 'a' }, { path: '/etc/x', contents: 'b' }] }, 'f.yaml: document 1: spec.files[1].path: path "/etc/x" is declared twice (also spec.files[0].path)'],
      [{ kernelArguments: { append: ['a b'] } }, 'f.yaml: document 1: spec.kernelArguments.append[0]: "a b" is not a kernel argument (key or key=value)'],
      [{ kernelArguments: { append: ['nosmt'], delete: ['nosmt'] } }, 'f.yaml: document 1: spec.kernelArguments.delete[0]: "nosmt" is appended too'],
      [{ kernelArguments: { add: ['nosmt'] } }, 'f.yaml: document 1: spec.kernelArguments.add: unknown field (known: append, delete)'],
      [{ units: [{ name: 'nope', enabled: true }] }, 'f.yaml: document 1: spec.units[0].name: "nope" is not a unit name (letters, digits, ":-_.\\@", ending in .service/.socket/.target/...)'],
      [{ units: [{ name: 'a.service', dropIns: [{ name: 'x.txt', contents: '' }] }] }, 'f.yaml: document 1: spec.units[0].dropIns[0].name: "x.txt" is not a drop-in file name (letters, digits, ":-_.@", ending in .conf)'],
      [{ units: [{ name: 'a.service' }] }, 'f.yaml: document 1: spec.units[0]: unit a.service declares nothing (contents, dropIns, enabled, masked or active)'],
      [{ units: [{ name: 'a.service', masked: true, active: true }] }, 'f.yaml: document 1: spec.units[0].masked: a masked unit can be neither enabled nor active'],
      [{ units: [{ name: 'a.service', masked: true, contents: '[Service]\n' }] }, 'f.yaml: document 1: spec.units[0].masked: a masked unit has no contents or drop-ins (masking links it to /dev/null)'],
      [{ units: [{ name: 'getty@.service', enabled: true }] }, 'f.yaml: document 1: spec.units[0].name: a template cannot be enabled, masked or active; name an instance'],
      [{ sysctls: { 'net ipv4': '1' } }, 'f.yaml: document 1: spec.sysctls: "net ipv4" is not a sysctl key (e.g. net.ipv4.ip_forward)'],
      [{ reboot: 'sometimes' }, 'f.yaml: document 1: spec.reboot: "sometimes" is not one of auto, never, always'],
      [{ driftPolicy: 'fix' }, 'f.yaml: document 1: spec.driftPolicy: "fix" is not one of report, repair'],
      [{ selector: { rack: ['r1'] } }, 'f.yaml: document 1: spec.selector.rack: unknown field (known: pool)'],
      [{ selector: { pool: ['bad pool'] } }, 'f.yaml: document 1: spec.selector.pool[0]: "bad pool" is not a pool name (a label value)'],
      [{ file: [] }, 'f.yaml: document 1: spec.file: unknown field (known: selector, files, units, sysctls, kernelArguments, reboot, driftPolicy)'],
    ];
    for (const [spec, message] of cases) {
      expect(error(spec)).toBe(message);
      expect(message).not.toMatch(/\n/);
    }
    expect(error({}, 'Base')).toBe('f.yaml: document 1: metadata.name: "Base" must be 1-63 of a-z, 0-9, \'.\' and \'-\' (configs merge in name order)');
  });

  it('gives one canonical spec: sorted, defaults filled, numbers as text', () => {
    const r = validateDocument(
      doc({
        selector: { pool: 'workers' },
        files: [{ path: '/var/lib/b', contents: 'b' }, { path: '/etc/a', mode: '600', contents: 'a' }],
        units: [{ name: 'z.service', active: true }, { name: 'a.service', dropIns: [{ name: 'b.conf', contents: '' }, { name: 'a.conf', contents: '' }] }],
        sysctls: { 'vm.swappiness': 10, 'kernel.panic': '5' },
        kernelArguments: { append: ['nosmt', 'nosmt'] },
      }),
      'x',
    );
    expect(r.spec).toEqual({
      selector: { pool: ['workers'] },
      files: [
        { path: '/etc/a', mode: '0600', contents: 'a' },
        { path: '/var/lib/b', mode: '0644', contents: 'b' },
      ],
      units: [
        { name: 'a.service', dropIns: [{ name: 'a.conf', contents: '' }, { name: 'b.conf', contents: '' }] },
        { name: 'z.service', active: true },
      ],
      sysctls: { 'kernel.panic': '5', 'vm.swappiness': '10' },
      kernelArguments: { append: ['nosmt'], delete: [] },
    });
    expect(Object.keys(r.spec.sysctls as object)).toEqual(['kernel.panic', 'vm.swappiness']);
  });
});
