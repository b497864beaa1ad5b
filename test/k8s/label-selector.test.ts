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

describe('parseK8sFlags', async () => {
  const { parseFlags } = await import('../../common/cli.js');
  const { K8S_FLAG_OPTIONS, parseK8sFlags } = await import('../../agent/k8s/flags.js');
  const parse = (args: string[], inCluster = false) => parseK8sFlags(parseFlags(args, K8S_FLAG_OPTIONS), 'node-a', inCluster);
  it('is off outside a cluster unless asked', () => {
    expect(parse([])).toBeUndefined();
    expect(parse([], true)?.drain).toEqual({ nodeName: 'node-a', drainTimeoutMs: 600_000, timeoutPolicy: 'block' });
  });
  it('reads every drain flag', () => {
    expect(parse(['--kubeconfig', '/etc/kc', '--drain-timeout', '5m', '--drain-timeout-policy', 'force', '--drain-grace-period', '30s', '--drain-pod-selector', 'app!=x', '--blocking-pod-selector', 'block=true'])).toEqual({
      kubeconfig: '/etc/kc',
      drain: { nodeName: 'node-a', drainTimeoutMs: 300_000, timeoutPolicy: 'force', gracePeriodSeconds: 30, drainPodSelector: 'app!=x', blockingPodSelector: 'block=true' },
    });
  });
  it('names the flag in errors', () => {
    expect(() => parse(['--kubernetes', '--drain-timeout-policy', 'maybe'])).toThrow(/--drain-timeout-policy/);
    expect(() => parse(['--kubernetes', '--drain-timeout', 'soon'])).toThrow(/--drain-timeout/);
    expect(() => parse(['--kubernetes', '--blocking-pod-selector', 'a in (b'])).toThrow(/--blocking-pod-selector/);
  });
});
