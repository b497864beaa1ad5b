import { describe, expect, it } from 'vitest';
import { matchesSelector, parseLabelSelector } from '../../agent/k8s/label-selector.js';

describe('label selectors', () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'db' }, false],
    ['app!=web', {}, true],
    ['app!=web', { app: 'web' }, false],
    ['app', { app: '' }, true],
    ['!app', { app: 'x' }, false],
    ['env in (a, b),tier notin (db)', { env: 'b', tier: 'web' }, true],
    ['env in (a,b),tier notin (db)', { env: 'b', tier: 'db' }, false],
    ['hostpilot.io/block-reboot=true', { 'hostpilot.io/block-reboot': 'true' }, true],
    ['', { any: 'thing' }, true],
  ];
  it.each(cases)('%s on %j is %s', (sel, labels, want) => {
    expect(matchesSelector(parseLabelSelector(sel, 'sel'), labels)).toBe(want);
  });
  it.each(['=x', 'a in (b', 'a=b=c', 'a in b', 'A_/x=1', 'app=-bad'])('refuses %j naming the field', (sel) => {
    expect(() => parseLabelSelector(sel, '--drain-pod-selector')).toThrow(/--drain-pod-selector/);
  });
});
