// One Condition for every area (common/api/conditions.ts), the hub that
// gathers them, and the problem state file's edge form.
import { describe, expect, it } from 'vitest';
import { isProblem, toWireCondition, withTransition, type Condition } from '../../common/api/conditions.js';
import { ConditionHub } from '../../agent/conditions.js';
import { conditionFromJson, conditionJson } from '../../agent/problems/condition-json.js';

const c = (status: Condition['status'], lastTransitionTime = 5): Condition => ({ type: 'T', status, reason: 'R', message: 'm', lastTransitionTime });

describe('Condition', () => {
  it('counts True and Unknown as a problem', () => {
    expect(['True', 'False', 'Unknown'].map((s) => isProblem(c(s as Condition['status'])))).toEqual([true, false, true]);
  });

  it('moves the transition time only when the status changes', () => {
    expect(withTransition({ type: 'T', status: 'True', reason: 'R2', message: 'x' }, c('True'), 9).lastTransitionTime).toBe(5);
    expect(withTransition({ type: 'T', status: 'Unknown', reason: 'R', message: 'x' }, c('True'), 9).lastTransitionTime).toBe(9);
    expect(withTransition({ type: 'T', status: 'False', reason: 'R', message: 'x' }, undefined, 9).lastTransitionTime).toBe(9);
  });

  it('goes on the wire with a boolean status (unknown is a problem)', () => {
    expect(toWireCondition(c('Unknown'))).toEqual({ type: 'T', status: true, reason: 'R', message: 'm', transition_unix_ms: 5 });
    expect(toWireCondition(c('False')).status).toBe(false);
  });
});

describe('ConditionHub', () => {
  it('gathers every area as it is, keeping only the shared fields, and turns a failing source into an Unknown problem', () => {
    const hub = new ConditionHub();
    hub.add('problems', () => [{ ...c('False'), source: 'kernel-monitor' }]);
    hub.add('units', () => [c('True')]);
    hub.add('thin-pool', () => {
      throw new Error('lvs failed');
    });
    expect(hub.all()).toEqual([c('False'), c('True'), { type: 'ConditionSourceFailed', status: 'Unknown', reason: 'thin-pool', message: 'lvs failed', lastTransitionTime: 0 }]);
    expect(hub.active().map((x) => x.status)).toEqual(['True', 'Unknown']);
  });
});

describe('problem state file form', () => {
  it('reads what earlier agents wrote and writes the same shape', () => {
    const saved = [
      { type: 'A', status: true, reason: 'R', message: 'm', transitionTime: 7, source: 's' },
      { type: 'B', status: true, unknown: true, reason: 'R', message: 'm', transitionTime: 7, source: 's' },
      { type: 'C', status: false, reason: 'R', message: 'm', transitionTime: 7, source: 's' },
    ];
    const conds = saved.map((s) => conditionFromJson(s)!);
    expect(conds.map((x) => [x.status, x.lastTransitionTime])).toEqual([['True', 7], ['Unknown', 7], ['False', 7]]);
    expect(conds.map(conditionJson)).toEqual(saved);
    expect(conditionFromJson({ type: 'A', status: 'True' as unknown as boolean })).toBeUndefined();
  });
});
