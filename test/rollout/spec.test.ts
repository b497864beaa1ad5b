// Rollout specs from the wire: every refusal names the field; defaults applied.
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../common/errors.js';
import { parseWindow } from '../../common/window.js';
import { formatMaxUnavailable, formatStrategy, parseMaxUnavailable, parseRolloutSpec, parseSelector, parseStrategy } from '../../common/api/rollout-spec.js';
import type { RolloutSpec as WireSpec } from '../../proto/generated/hostpilot/v1/RolloutSpec.js';

function refusal(fn: () => unknown): InvalidArgumentError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return err as InvalidArgumentError;
  }
  throw new Error('expected a refusal');
}

const ok: Partial<WireSpec> = { id: 'os-42', target: '42.20260101.0' };

describe('parseRolloutSpec', () => {
  it('applies the defaults', () => {
    expect(parseRolloutSpec(ok)).toEqual({
      id: 'os-42',
      target: '42.20260101.0',
      selector: {},
      strategy: { kind: 'size', size: 1 },
      maxUnavailable: { kind: 'count', count: 1 },
      poolLabel: 'pool',
      windows: [],
      settleMs: 0,
      healthTimeoutMs: 30 * 60_000,
      failurePolicy: { pauseAfter: 1, rollback: false },
      lockGroup: 'default',
    });
  });

  it('treats proto3 zero values as unset', () => {
    const s = parseRolloutSpec({ ...ok, strategy: '', max_unavailable: '', pool_label: '', lock_group: '', health_timeout_ms: 0, pause_after_failures: 0, settle_ms: 0, windows: [], selector: {} });
    expect(s).toEqual(parseRolloutSpec(ok));
  });

  it('names a rollout that has no id', () => {
    const a = parseRolloutSpec({ target: '42' });
    const b = parseRolloutSpec({ id: '', target: '42' });
    expect(a.id).toMatch(/^r-[0-9a-f]{8}$/);
    expect(b.id).toMatch(/^r-[0-9a-f]{8}$/);
    expect(a.id).not.toBe(b.id);
  });

  it('reads every field', () => {
    const s = parseRolloutSpec({
      id: 'workers-43',
      target: 'fedora/x86_64/coreos/stable',
      selector: { pool: 'workers', rack: 'r1, r2' },
      strategy: 'by-label:topology.kubernetes.io/zone',
      max_unavailable: '25%',
      pool_label: 'node-role.kubernetes.io/pool',
      windows: ['Mon-Fri 22:00-04:00 Europe/Berlin', 'Sat,Sun 00:00-24:00'],
      settle_ms: 120_000,
      health_timeout_ms: 600_000,
      pause_after_failures: 3,
      rollback_on_failure: true,
      lock_group: 'workers',
    });
    expect(s).toEqual({
      id: 'workers-43',
      target: 'fedora/x86_64/coreos/stable',
      selector: { pool: ['workers'], rack: ['r1', 'r2'] },
      strategy: { kind: 'by-label', label: 'topology.kubernetes.io/zone' },
      maxUnavailable: { kind: 'percent', percent: 25 },
      poolLabel: 'node-role.kubernetes.io/pool',
      windows: [parseWindow('Mon-Fri 22:00-04:00 Europe/Berlin'), parseWindow('Sat,Sun 00:00-24:00 UTC')],
      settleMs: 120_000,
      healthTimeoutMs: 600_000,
      failurePolicy: { pauseAfter: 3, rollback: true },
      lockGroup: 'workers',
    });
  });

  const targets = ['42.20260101.3.0', 'abcdef0', 'a'.repeat(64), 'fedora:fedora/x86_64/coreos/stable', '1.2-3+el9~rc1'];
  it.each(targets)('accepts the target %s', (target) => {
    expect(parseRolloutSpec({ ...ok, target }).target).toBe(target);
  });

  const refusals: Array<[string, Partial<WireSpec>, string, RegExp?]> = [
    ['an upper-case id', { id: 'Big' }, 'id'],
    ['an id with a slash', { id: 'a/b' }, 'id'],
    ['an id ending in -', { id: 'abc-' }, 'id'],
    ['an id of 64 characters', { id: 'a'.repeat(64) }, 'id'],
    ['no target', { target: undefined }, 'target', /is required/],
    ['an empty target', { target: '' }, 'target', /is required/],
    ['a target with a space', { target: '42 43' }, 'target'],
    ['a target with a shell character', { target: '42;reboot' }, 'target'],
    ['a target of 256 characters', { target: 'a'.repeat(256) }, 'target'],
    ['an unknown strategy', { strategy: 'random:3' }, 'strategy'],
    ['size:0', { strategy: 'size:0' }, 'strategy'],
    ['size:-1', { strategy: 'size:-1' }, 'strategy'],
    ['size:1.5', { strategy: 'size:1.5' }, 'strategy'],
    ['percent:0', { strategy: 'percent:0' }, 'strategy'],
    ['percent:101', { strategy: 'percent:101' }, 'strategy'],
    ['by-label with a bad label', { strategy: 'by-label:-rack' }, 'strategy'],
    ['by-label with no label', { strategy: 'by-label:' }, 'strategy'],
    ['max_unavailable 0', { max_unavailable: '0' }, 'max_unavailable'],
    ['max_unavailable 0%', { max_unavailable: '0%' }, 'max_unavailable'],
    ['max_unavailable 101%', { max_unavailable: '101%' }, 'max_unavailable'],
    ['max_unavailable -1', { max_unavailable: '-1' }, 'max_unavailable'],
    ['max_unavailable 1.5', { max_unavailable: '1.5' }, 'max_unavailable'],
    ['max_unavailable two', { max_unavailable: 'two' }, 'max_unavailable'],
    ['a bad selector key', { selector: { 'bad key': 'x' } }, 'selector.bad key'],
    ['a selector key with a bad prefix', { selector: { '-x/rack': 'r1' } }, 'selector.-x/rack'],
    ['a bad selector value', { selector: { rack: 'r1,r 2' } }, 'selector.rack'],
    ['an empty selector value', { selector: { rack: '' } }, 'selector.rack'],
    ['an empty value in a selector list', { selector: { rack: 'r1,,r2' } }, 'selector.rack'],
    ['a bad pool label', { pool_label: 'a b' }, 'pool_label'],
    ['a bad window', { windows: ['Mon-Fri 22:00-04:00', 'Someday 01:00-02:00'] }, 'windows[1]'],
    ['a window in an unknown time zone', { windows: ['Mon 01:00-02:00 Mars/Olympus'] }, 'windows[0]'],
    ['a window of no length', { windows: ['Mon 01:00-01:00'] }, 'windows[0]'],
    ['a negative settle time', { settle_ms: -1 }, 'settle_ms'],
    ['a settle time over two days', { settle_ms: 48 * 3_600_000 + 1 }, 'settle_ms'],
    ['a negative health timeout', { health_timeout_ms: -5 }, 'health_timeout_ms'],
    ['a health timeout over two days', { health_timeout_ms: 48 * 3_600_000 + 1 }, 'health_timeout_ms'],
    ['a bad lock group', { lock_group: 'a_b' }, 'lock_group'],
    ['a lock group of 64 characters', { lock_group: 'g'.repeat(64) }, 'lock_group'],
  ];
  it.each(refusals)('refuses %s, naming the field', (_name, change, field, message) => {
    const err = refusal(() => parseRolloutSpec({ ...ok, ...change }));
    expect(err.field).toBe(field);
    expect(err.kind).toBe('invalid_argument');
    expect(err.message.startsWith(`${field}: `)).toBe(true);
    if (message) expect(err.message).toMatch(message);
  });
});

describe('strategy, max_unavailable and selector round trips', () => {
  it.each(['by-label:rack', 'by-label:topology.kubernetes.io/zone', 'size:1', 'size:250', 'percent:1', 'percent:100'])('%s', (text) => {
    expect(formatStrategy(parseStrategy(text))).toBe(text);
  });
  it.each(['1', '17', '1%', '33%', '100%'])('max_unavailable %s', (text) => {
    expect(formatMaxUnavailable(parseMaxUnavailable(text))).toBe(text);
  });
  it('reads set membership from a comma-separated list', () => {
    expect(parseSelector({ rack: 'r1,r2 , r3', pool: 'workers' })).toEqual({ rack: ['r1', 'r2', 'r3'], pool: ['workers'] });
  });
});
