// Rendering a pool's NodeConfigs: name order, conflicts naming both configs,
// a content hash stable across key order, bounds; and the disruption a change takes.
import { describe, expect, it } from 'vitest';
import { validateNodeConfigSpec } from '../../common/api/kinds/node-config.js';
import { renderedHash, type RenderedConfig } from '../../common/api/node-config.js';
import { disruptionOf } from '../../coordinator/configs/disruption.js';
import { ANY_POOL, poolsNamed, renderPool, type NamedConfig } from '../../coordinator/configs/render.js';

const cfg = (name: string, spec: Record<string, unknown>): NamedConfig => ({ name, spec: validateNodeConfigSpec(spec) });

const base = cfg('10-base', {
  selector: { pool: ['workers'] },
  files: [{ path: '/etc/motd', mode: '0644', contents: 'hello\n' }],
  units: [{ name: 'chronyd.service', dropIns: [{ name: '10-opts.conf', contents: '[Service]\nNice=5\n' }], enabled: true, active: true }],
  sysctls: { 'net.ipv4.ip_forward': 1 },
});

describe('renderPool', () => {
  it('merges the configs that select the pool, in name order, into one rendered config', () => {
    const extra = cfg('20-extra', {
      files: [{ path: '/etc/hostpilot/a.conf', mode: '0600', owner: 'root:root', contents: 'a' }],
      units: [{ name: 'chronyd.service', dropIns: [{ name: '20-more.conf', contents: '[Service]\nNice=1\n' }] }],
      sysctls: { 'vm.swappiness': '10' },
      kernelArguments: { append: ['mitigations=auto'] },
    });
    const other = cfg('05-infra', { selector: { pool: ['infra'] }, sysctls: { 'vm.dirty_ratio': '60' } });
    // Given in any order: merged in name order.
    const r = renderPool('workers', [extra, other, base])!;
    expect(r.sources).toEqual(['10-base', '20-extra']);
    expect(r.files).toEqual([
      { path: '/etc/hostpilot/a.conf', mode: 0o600, owner: 'root:root', contents: 'a' },
      { path: '/etc/motd', mode: 0o644, contents: 'hello\n' },
    ]);
    expect(r.units).toEqual([
      { name: 'chronyd.service', dropIns: [{ name: '10-opts.conf', contents: '[Service]\nNice=5\n' }, { name: '20-more.conf', contents: '[Service]\nNice=1\n' }], enabled: true, active: true },
    ]);
    expect(r.sysctls).toEqual({ 'net.ipv4.ip_forward': '1', 'vm.swappiness': '10' });
    expect(r.kernelArguments).toEqual({ append: ['mitigations=auto'], delete: [] });
    expect(r).toMatchObject({ reboot: 'auto', driftPolicy: 'report' });
    // A config without a selector applies to every pool; none selects a pool: nothing rendered.
    expect(renderPool('infra', [extra, other, base])!.sources).toEqual(['05-infra', '20-extra']);
    expect(renderPool('storage', [other, base])).toBeUndefined();
  });

  it('takes the same value from two configs, and names both configs when they differ', () => {
    const same = cfg('20-same', { files: [{ path: '/etc/motd', mode: '0644', contents: 'hello\n' }], sysctls: { 'net.ipv4.ip_forward': '1' } });
    expect(renderPool('workers', [base, same])!.files).toHaveLength(1);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ files: [{ path: '/etc/motd', mode: '0600', contents: 'hello\n' }] }, /file \/etc\/motd/],
      [{ files: [{ path: '/etc/motd', contents: 'bye\n' }] }, /file \/etc\/motd/],
      [{ units: [{ name: 'chronyd.service', dropIns: [{ name: '10-opts.conf', contents: 'x' }] }] }, /drop-in chronyd\.service\.d\/10-opts\.conf/],
      [{ units: [{ name: 'chronyd.service', enabled: false }] }, /unit chronyd\.service \(enabled\)/],
      [{ sysctls: { 'net.ipv4.ip_forward': '0' } }, /sysctl net\.ipv4\.ip_forward/],
      [{ units: [{ name: 'chronyd.service', masked: true }] }, /unit chronyd\.service \(one masks it, the other gives it contents, drop-ins or a running state\)/],
      [{ files: [{ path: '/etc/systemd/system/chronyd.service.d/10-opts.conf', contents: 'x' }] }, /as a file and as a drop-in/],
    ];
    for (const [spec, what] of cases) {
      expect(() => renderPool('workers', [cfg('30-other', spec), base])).toThrow(/^NodeConfig "10-base" and NodeConfig "30-other" both set .*, differently \(pool workers\)$/);
      expect(() => renderPool('workers', [cfg('30-other', spec), base])).toThrow(what);
    }
  });

  it('refuses a kernel argument one config appends and another deletes, and policies that differ', () => {
    const add = cfg('a-add', { kernelArguments: { append: ['nosmt'] } });
    const del = cfg('b-del', { kernelArguments: { delete: ['nosmt'] } });
    expect(() => renderPool('workers', [del, add])).toThrow('NodeConfig "a-add" and NodeConfig "b-del" both set kernel argument nosmt (one appends it, the other deletes it), differently (pool workers)');
    const never = cfg('a', { reboot: 'never' });
    const always = cfg('b', { reboot: 'always' });
    expect(() => renderPool('workers', [never, always])).toThrow('NodeConfig "a" and NodeConfig "b" both set reboot, differently (pool workers)');
    // Declared by one only: that one holds.
    expect(renderPool('workers', [never, cfg('c', { sysctls: { 'vm.swappiness': '1' } })])!.reboot).toBe('never');
  });

  it('checks every pool a set names, and every pool no selector names', () => {
    expect(poolsNamed([base, cfg('x', { selector: { pool: ['infra', 'gpu'] } })])).toEqual([ANY_POOL, 'gpu', 'infra', 'workers']);
    const a = cfg('a', { sysctls: { 'vm.swappiness': '1' } });
    const b = cfg('b', { sysctls: { 'vm.swappiness': '2' } });
    expect(() => renderPool(ANY_POOL, [a, b])).toThrow('NodeConfig "a" and NodeConfig "b" both set sysctl vm.swappiness, differently (pool of every pool)');
  });

  it('refuses a rendered config over the bounds a node takes', () => {
    const big = (i: number) => cfg(`big-${i}`, { files: [{ path: `/etc/big-${i}`, contents: 'x'.repeat(250_000) }] });
    expect(() => renderPool('workers', Array.from({ length: 9 }, (_, i) => big(i)))).toThrow(/^the rendered config of pool workers \(from big-0, .*\) is \d+ bytes, over 2097152$/);
  });
});

describe('renderedHash', () => {
  it('is sha256 of the canonical JSON: the same whatever the key order, another for another config', () => {
    const r = renderPool('workers', [base])!;
    const hash = renderedHash(r);
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const reversed = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reversed) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v;
    const reordered = reversed(r) as RenderedConfig;
    expect(Object.keys(reordered)).toEqual(Object.keys(r).reverse());
    expect(renderedHash(reordered)).toBe(hash);
    // Key order in the documents does not matter either: validated specs render the same.
    const flipped = cfg('10-base', Object.fromEntries(Object.entries({ selector: { pool: ['workers'] }, files: [{ contents: 'hello\n', mode: '0644', path: '/etc/motd' }], units: [{ active: true, enabled: true, dropIns: [{ contents: '[Service]\nNice=5\n', name: '10-opts.conf' }], name: 'chronyd.service' }], sysctls: { 'net.ipv4.ip_forward': 1 } }).reverse()));
    expect(renderedHash(renderPool('workers', [flipped])!)).toBe(hash);
    expect(renderedHash({ ...r, sysctls: { 'net.ipv4.ip_forward': '0' } })).not.toBe(hash);
  });
});

describe('disruptionOf', () => {
  const r = (spec: Record<string, unknown>) => renderPool('workers', [cfg('a', spec)]);
  it('takes nothing for files and sysctls, a restart for units that may run, a reboot for kernel arguments', () => {
    const files = r({ files: [{ path: '/etc/a', contents: '1' }], sysctls: { 'vm.swappiness': '1' } });
    expect(disruptionOf(undefined, files)).toBe('none');
    expect(disruptionOf(files, r({ files: [{ path: '/etc/a', contents: '2' }], sysctls: { 'vm.swappiness': '2' } }))).toBe('none');
    expect(disruptionOf(files, files)).toBe('none');
    const unit = r({ units: [{ name: 'x.service', contents: '[Service]\nExecStart=/bin/true\n', active: true }] });
    expect(disruptionOf(files, unit)).toBe('restart-units');
    expect(disruptionOf(unit, r({ units: [{ name: 'x.service', contents: '[Service]\nExecStart=/bin/true\n', active: true, dropIns: [{ name: 'a.conf', contents: '' }] }] }))).toBe('restart-units');
    // A unit declared stopped has nothing running to restart.
    expect(disruptionOf(undefined, r({ units: [{ name: 'x.service', contents: '[Service]\n', active: false }] }))).toBe('none');
    const karg = r({ kernelArguments: { append: ['nosmt'] } });
    expect(disruptionOf(undefined, karg)).toBe('reboot');
    expect(disruptionOf(karg, undefined)).toBe('reboot');
    expect(disruptionOf(karg, r({ kernelArguments: { append: ['nosmt'] }, sysctls: { 'vm.swappiness': '1' } }))).toBe('none');
  });

  it('follows the reboot policy: always reboots on any change, never leaves kernel arguments for the next boot', () => {
    expect(disruptionOf(undefined, r({ files: [{ path: '/etc/a', contents: '1' }], reboot: 'always' }))).toBe('reboot');
    expect(disruptionOf(undefined, r({ kernelArguments: { append: ['nosmt'] }, reboot: 'never' }))).toBe('none');
    expect(disruptionOf(undefined, r({ kernelArguments: { append: ['nosmt'] }, units: [{ name: 'x.service', active: true }], reboot: 'never' }))).toBe('restart-units');
  });
});
