// Every edge of the pure reboot flow (agent/reboot/flow.ts).
import { describe, expect, it } from 'vitest';
import type { DeploymentFacts } from '../../common/api/target.js';
import { STAGE_RETRY_MAX_MS, STAGE_RETRY_MIN_MS, decide, settle, stageRetryDelay, type FlowState, type Observation, type Target } from '../../agent/reboot/flow.js';

const v1: DeploymentFacts = { checksum: 'a'.repeat(64), version: '1', origin: 'os:testos/stable' };
const v2: DeploymentFacts = { checksum: 'b'.repeat(64), version: '2', origin: 'os:testos/stable' };
const v3: DeploymentFacts = { checksum: 'c'.repeat(64), version: '3', origin: 'os:testos/stable' };
const t2: Target = { spec: '2', checksum: v2.checksum, version: '2', reason: 'desired' };

function obs(over: Partial<Observation> = {}): Observation {
  return { now: 1000, bootId: 'boot-1', booted: v1, desired: '', desiredConfirmed: true, rebootRequired: false, remediation: '', inWindow: true, blockers: [], healthTimeoutMs: 60_000, retryDelayMs: 300_000, ...over };
}

describe('decide', () => {
  describe('idle', () => {
    it('stays idle when up to date', () => {
      expect(decide({ kind: 'idle' }, obs())).toMatchObject({ next: { kind: 'idle' }, action: { kind: 'none' } });
    });
    it('clears an old error once up to date', () => {
      expect(decide({ kind: 'idle', error: 'x' }, obs()).next).toEqual({ kind: 'idle' });
    });
    it('stages a desired target that is not there yet', () => {
      expect(decide({ kind: 'idle' }, obs({ desired: '2' }))).toMatchObject({ next: { kind: 'idle' }, action: { kind: 'stage', spec: '2' } });
    });
    it('goes pending once the desired target is staged', () => {
      expect(decide({ kind: 'idle' }, obs({ desired: '2', pending: v2 })).next).toMatchObject({ kind: 'pending', target: { checksum: v2.checksum, reason: 'desired' } });
    });
    it('restages when what is staged is not the desired target', () => {
      expect(decide({ kind: 'idle' }, obs({ desired: '3', pending: v2 })).action).toEqual({ kind: 'stage', spec: '3' });
    });
    it('goes pending for an update staged by someone else when no target is desired', () => {
      expect(decide({ kind: 'idle' }, obs({ pending: v2 })).next).toMatchObject({ kind: 'pending', target: { reason: 'staged', version: '2' } });
    });
    it('ignores a staged deployment when the desired target is booted', () => {
      expect(decide({ kind: 'idle' }, obs({ desired: '1', pending: v2 })).action.kind).toBe('none');
    });
    it('takes a staged deployment of the booted commit (new kernel arguments) for no update, and reboots into it when a reboot is required', () => {
      expect(decide({ kind: 'idle' }, obs({ pending: v1 }))).toMatchObject({ next: { kind: 'idle' }, action: { kind: 'none', why: 'up to date' } });
      expect(decide({ kind: 'idle' }, obs({ pending: v1, rebootRequired: true })).next).toMatchObject({ kind: 'pending', target: { reason: 'reboot-required', checksum: v1.checksum } });
    });
    it('goes pending for /run/reboot-required', () => {
      expect(decide({ kind: 'idle' }, obs({ rebootRequired: true })).next).toMatchObject({ kind: 'pending', target: { reason: 'reboot-required', checksum: v1.checksum } });
    });
  });

  describe('pending', () => {
    const pending: FlowState = { kind: 'pending', target: t2, since: 1 };
    it('asks for the lock inside the window with no blocker', () => {
      expect(decide(pending, obs({ desired: '2', pending: v2 }))).toMatchObject({ next: { kind: 'locking' }, action: { kind: 'acquire' } });
    });
    it('waits outside the reboot window', () => {
      expect(decide(pending, obs({ desired: '2', pending: v2, inWindow: false }))).toMatchObject({ next: { kind: 'pending', waiting: 'outside the reboot window' }, action: { kind: 'none' } });
    });
    it('waits while blocked, naming the blockers', () => {
      const d = decide(pending, obs({ desired: '2', pending: v2, blockers: ['active problem KernelDeadlock'] }));
      expect(d).toMatchObject({ next: { kind: 'pending', waiting: 'blocked: active problem KernelDeadlock' }, action: { kind: 'none' } });
    });
    it('waits out the retry delay after a failed pre-reboot', () => {
      const retry: FlowState = { ...pending, retryAfter: 5000 };
      expect(decide(retry, obs({ desired: '2', pending: v2, now: 4999 })).action.kind).toBe('none');
      expect(decide(retry, obs({ desired: '2', pending: v2, now: 5000 })).action.kind).toBe('acquire');
    });
    it('drops back to idle when the desired target changes', () => {
      expect(decide(pending, obs({ desired: '3', pending: v2 })).next.kind).toBe('idle');
    });
    it('drops back to idle when the target got booted meanwhile', () => {
      expect(decide(pending, obs({ desired: '2', booted: v2 })).next.kind).toBe('idle');
    });
  });

  describe('locking', () => {
    const locking: FlowState = { kind: 'locking', target: t2, since: 1 };
    it('asks again while the lock is busy', () => {
      expect(decide(locking, obs({ desired: '2', pending: v2 })).action).toEqual({ kind: 'acquire' });
    });
    it('gives the slot back and waits when a blocker appears', () => {
      expect(decide(locking, obs({ desired: '2', pending: v2, blockers: ['x'] }))).toMatchObject({ next: { kind: 'pending' }, action: { kind: 'release' } });
    });
    it('gives the slot back when the window closes', () => {
      expect(decide(locking, obs({ desired: '2', pending: v2, inWindow: false }))).toMatchObject({ next: { kind: 'pending', waiting: 'outside the reboot window' }, action: { kind: 'release' } });
    });
    it('gives the slot back when the target is no longer needed', () => {
      expect(decide(locking, obs({ desired: '' }))).toMatchObject({ next: { kind: 'idle' }, action: { kind: 'release' } });
    });
  });

  describe('locked', () => {
    const locked: FlowState = { kind: 'locked', target: t2, since: 1 };
    it('runs pre-reboot hooks and the drain, and does not ask for the lock again', () => {
      expect(decide(locked, obs({ desired: '2', pending: v2 })).action).toEqual({ kind: 'pre-reboot' });
    });
    it('gives the slot back after a failed hook or drain', () => {
      expect(decide({ ...locked, error: 'pre-reboot: drain: PDB' }, obs({ desired: '2', pending: v2 }))).toMatchObject({
        next: { kind: 'pending', waiting: 'pre-reboot: drain: PDB', retryAfter: 1000 + 300_000 },
        action: { kind: 'release' },
      });
    });
    it('gives the slot back when a blocker appears', () => {
      expect(decide(locked, obs({ desired: '2', pending: v2, blockers: ['x'] }))).toMatchObject({ next: { kind: 'pending' }, action: { kind: 'release' } });
    });
  });

  describe('rebooting', () => {
    const rebooting: FlowState = { kind: 'rebooting', target: t2, bootId: 'boot-1', since: 1, cordoned: true };
    it('reboots (again) while the boot id has not changed', () => {
      expect(decide(rebooting, obs()).action).toEqual({ kind: 'reboot' });
    });
    it('verifies after a new boot, keeping who cordoned', () => {
      expect(decide(rebooting, obs({ bootId: 'boot-2', booted: v2 }))).toMatchObject({ next: { kind: 'verifying', cordoned: true, since: 1000 }, action: { kind: 'check-health' } });
    });
  });

  describe('verifying', () => {
    const verifying: FlowState = { kind: 'verifying', target: t2, since: 1000, cordoned: false };
    it('checks health when booted on the target', () => {
      expect(decide(verifying, obs({ bootId: 'boot-2', booted: v2 })).action).toEqual({ kind: 'check-health' });
    });
    it('fails when the node booted something else than the target', () => {
      expect(decide(verifying, obs({ bootId: 'boot-2', booted: v1 })).action).toEqual({ kind: 'fail', reason: 'booted 1, expected 2' });
    });
    it('finishes once healthy', () => {
      expect(decide({ ...verifying, healthy: true }, obs({ booted: v2 })).action).toEqual({ kind: 'finish' });
    });
  });

  describe('rolling-back', () => {
    const rb: FlowState = { kind: 'rolling-back', target: t2, bootId: 'boot-2', since: 1, cordoned: false, reason: 'health checks failed: x' };
    it('rolls back first, while the next boot is still the failed deployment', () => {
      expect(decide(rb, obs({ bootId: 'boot-2', booted: v2 })).action).toEqual({ kind: 'rollback', reason: 'health checks failed: x' });
    });
    it('reboots once the rollback is staged, without rolling back twice', () => {
      expect(decide(rb, obs({ bootId: 'boot-2', booted: v2, pending: v1 })).action).toEqual({ kind: 'reboot' });
    });
    it('records the failure after booting back', () => {
      expect(decide(rb, obs({ bootId: 'boot-3', booted: v1 })).action).toEqual({ kind: 'fail', reason: 'health checks failed: x' });
    });
  });

  describe('failed', () => {
    const failed: FlowState = { kind: 'failed', target: t2, since: 1, reason: 'r' };
    it('does not retry the same target', () => {
      expect(decide(failed, obs({ desired: '2', pending: v2 })).action.kind).toBe('none');
      expect(decide(failed, obs({ desired: '2' })).next.kind).toBe('failed');
    });
    it('moves on when told a new target', () => {
      expect(decide(failed, obs({ desired: '3' })).next.kind).toBe('idle');
    });
    it('moves on when the desired target is cleared', () => {
      expect(decide(failed, obs({ desired: '' })).next.kind).toBe('idle');
    });
    it('moves on for a different staged update', () => {
      expect(decide({ ...failed, target: { ...t2, reason: 'staged' } }, obs({ pending: v3 })).next.kind).toBe('idle');
    });
  });
});

describe('settle', () => {
  const o = obs({ now: 5000 });
  it('a granted lock → locked', () => {
    expect(settle({ kind: 'locking', target: t2, since: 1 }, { kind: 'acquire' }, { kind: 'lock', granted: true, holders: ['me'] }, o)).toMatchObject({ kind: 'locked', since: 5000 });
  });
  it('a busy lock stays locking, naming the holders', () => {
    expect(settle({ kind: 'locking', target: t2, since: 1 }, { kind: 'acquire' }, { kind: 'lock', granted: false, holders: ['n7'] }, o)).toMatchObject({ kind: 'locking', waiting: 'lock busy: held by n7' });
  });
  it('an unreachable coordinator stays locking: no lock, no reboot', () => {
    expect(settle({ kind: 'locking', target: t2, since: 1 }, { kind: 'acquire' }, { kind: 'error', message: 'UNAVAILABLE' }, o)).toMatchObject({ kind: 'locking', waiting: 'lock request failed: UNAVAILABLE' });
  });
  it('prepared → rebooting with the boot id before the reboot', () => {
    expect(settle({ kind: 'locked', target: t2, since: 1 }, { kind: 'pre-reboot' }, { kind: 'prepared', cordoned: true }, o)).toEqual({ kind: 'rebooting', target: t2, bootId: 'boot-1', since: 5000, cordoned: true });
  });
  it('a failed hook keeps the error for the release', () => {
    expect(settle({ kind: 'locked', target: t2, since: 1 }, { kind: 'pre-reboot' }, { kind: 'error', message: 'hook 10-x: exit 1' }, o)).toMatchObject({ kind: 'locked', error: 'pre-reboot: hook 10-x: exit 1' });
  });
  it('healthy → verifying healthy', () => {
    expect(settle({ kind: 'verifying', target: t2, since: 1, cordoned: false }, { kind: 'check-health' }, { kind: 'health', ok: true, problems: [] }, o)).toMatchObject({ healthy: true });
  });
  it('unhealthy within the timeout keeps checking', () => {
    expect(settle({ kind: 'verifying', target: t2, since: 1000, cordoned: false }, { kind: 'check-health' }, { kind: 'health', ok: false, problems: ['x'] }, o)).toMatchObject({ kind: 'verifying', waiting: 'unhealthy: x' });
  });
  it('unhealthy past the timeout → rolling-back under the same lock', () => {
    const late = obs({ now: 1000 + 60_000, bootId: 'boot-2' });
    expect(settle({ kind: 'verifying', target: t2, since: 1000, cordoned: true }, { kind: 'check-health' }, { kind: 'health', ok: false, problems: ['unit kubelet failed'] }, late)).toEqual({
      kind: 'rolling-back',
      target: t2,
      bootId: 'boot-2',
      since: 61_000,
      cordoned: true,
      reason: 'health checks failed: unit kubelet failed',
    });
  });
  it('finish → idle; fail → failed; a failed release keeps the state for a retry', () => {
    const v: FlowState = { kind: 'verifying', target: t2, since: 1, cordoned: false, healthy: true };
    expect(settle(v, { kind: 'finish' }, { kind: 'done' }, o)).toEqual({ kind: 'idle' });
    expect(settle(v, { kind: 'finish' }, { kind: 'error', message: 'unreachable' }, o)).toBe(v);
    expect(settle(v, { kind: 'fail', reason: 'r' }, { kind: 'done' }, o)).toEqual({ kind: 'failed', target: t2, since: 5000, reason: 'r' });
  });
  it('a failed staging is reported on idle, with when it is tried again', () => {
    expect(settle({ kind: 'idle' }, { kind: 'stage', spec: '9' }, { kind: 'error', message: 'no such version' }, o)).toEqual({
      kind: 'idle',
      error: 'staging 9: no such version (attempt 1; next in 10s)',
      retry: { spec: '9', attempts: 1, after: 5000 + STAGE_RETRY_MIN_MS },
    });
  });
});

describe('staging a target that fails: retried with backoff, never on every tick', () => {
  it('waits out the backoff, then tries again, each failure doubling the wait up to a bound', () => {
    let state: FlowState = { kind: 'idle' };
    let now = 0;
    const tries: number[] = [];
    // One tick a second for two hours of a target that never resolves.
    for (; now < 2 * 3600_000; now += 1000) {
      const o = obs({ now, desired: '9.9' });
      const { next, action } = decide(state, o);
      state = next;
      if (action.kind !== 'stage') continue;
      tries.push(now);
      state = settle(state, action, { kind: 'error', message: 'target "9.9" matches no version, checksum or refspec' }, o);
    }
    const gaps = tries.slice(1).map((t, i) => t - tries[i]!);
    expect(gaps.slice(0, 4)).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(Math.max(...gaps)).toBe(STAGE_RETRY_MAX_MS);
    expect(tries.length).toBeLessThan(20);
    expect(state).toMatchObject({ kind: 'idle', error: expect.stringContaining('matches no version'), retry: { spec: '9.9' } });
  });

  it('a new target is tried at once, with a fresh count', () => {
    const waiting: FlowState = { kind: 'idle', error: 'x', retry: { spec: '9.9', attempts: 5, after: 10_000_000 } };
    expect(decide(waiting, obs({ now: 2000, desired: '9.9' })).action.kind).toBe('none');
    expect(decide(waiting, obs({ now: 2000, desired: '2' })).action).toEqual({ kind: 'stage', spec: '2' });
    expect(settle(waiting, { kind: 'stage', spec: '2' }, { kind: 'error', message: 'down' }, obs({ now: 2000 }))).toMatchObject({ retry: { spec: '2', attempts: 1 } });
    // Once nothing is wanted the error and its backoff are gone.
    expect(decide(waiting, obs({ now: 2000 })).next).toEqual({ kind: 'idle' });
  });

  it('the delay grows from the minimum to the maximum', () => {
    expect([1, 2, 3].map(stageRetryDelay)).toEqual([STAGE_RETRY_MIN_MS, 2 * STAGE_RETRY_MIN_MS, 4 * STAGE_RETRY_MIN_MS]);
    expect(stageRetryDelay(1000)).toBe(STAGE_RETRY_MAX_MS);
  });
});

describe('a target the coordinator takes back (its rollout ended)', () => {
  const pending: FlowState = { kind: 'pending', target: t2, since: 1 };
  const locking: FlowState = { kind: 'locking', target: t2, since: 1 };
  const locked: FlowState = { kind: 'locked', target: t2, since: 1 };
  it('drops it while pending, then undeploys its staged deployment before anything else', () => {
    const d = decide(pending, obs({ pending: v2 }));
    expect(d).toMatchObject({ next: { kind: 'idle', dropped: v2.checksum }, action: { kind: 'none' } });
    expect(decide(d.next, obs({ pending: v2 })).action).toEqual({ kind: 'unstage' });
    expect(settle(d.next, { kind: 'unstage' }, { kind: 'done' }, obs())).toEqual({ kind: 'idle' });
    // Once undeployed, nothing is left to do: the staged deployment is never booted.
    expect(decide({ kind: 'idle', dropped: v2.checksum }, obs())).toMatchObject({ next: { kind: 'idle' }, action: { kind: 'none' } });
  });
  it.each([
    ['locking', locking],
    ['locked', locked],
  ])('gives the slot back when %s', (_name, state) => {
    expect(decide(state, obs({ pending: v2 }))).toMatchObject({ next: { kind: 'idle', dropped: v2.checksum }, action: { kind: 'release' } });
  });
  it.each([
    // Booted is the target already (a soft reboot keeps the boot id): rebooting moves on to the checks.
    ['rebooting', { kind: 'rebooting', target: t2, bootId: 'boot-1', since: 1, cordoned: false } as FlowState, 'check-health'],
    ['verifying', { kind: 'verifying', target: t2, since: 1, cordoned: false } as FlowState, 'check-health'],
    ['rolling-back', { kind: 'rolling-back', target: t2, bootId: 'boot-1', since: 1, cordoned: false, reason: 'x' } as FlowState, 'rollback'],
  ])('finishes past the point of no return (%s)', (_name, state, action) => {
    expect(decide(state, obs({ booted: v2, pending: v2 })).action.kind).toBe(action);
  });
  it('does not drop a target kept across an agent restart before the coordinator speaks', () => {
    expect(decide(pending, obs({ desired: '', desiredConfirmed: false, pending: v2 }))).toMatchObject({ next: { kind: 'locking' }, action: { kind: 'acquire' } });
  });
  it('does not start on a target kept across a restart until the coordinator confirms it', () => {
    expect(decide({ kind: 'idle' }, obs({ desired: '3', desiredConfirmed: false })).action).toMatchObject({ kind: 'none', why: expect.stringMatching(/confirm/) });
    expect(decide({ kind: 'idle' }, obs({ desired: '3', desiredConfirmed: true })).action).toEqual({ kind: 'stage', spec: '3' });
  });
});

describe('a target that matches nothing', () => {
  it('fails at once with the backend error, and is not retried until the target changes', () => {
    const failed = settle({ kind: 'idle' }, { kind: 'stage', spec: '9.9' }, { kind: 'error', message: 'target "9.9" matches no version, checksum or refspec', notFound: true }, obs({ desired: '9.9' }));
    expect(failed).toMatchObject({ kind: 'failed', target: { spec: '9.9', reason: 'desired' }, reason: 'staging 9.9: target "9.9" matches no version, checksum or refspec' });
    expect(decide(failed, obs({ desired: '9.9' })).action.kind).toBe('none');
    expect(decide(failed, obs({ desired: '2' })).next).toEqual({ kind: 'idle' });
    expect(decide(failed, obs({ desired: '' })).next).toEqual({ kind: 'idle' });
  });
  it('a transient staging error is retried, with backoff', () => {
    expect(settle({ kind: 'idle' }, { kind: 'stage', spec: '2' }, { kind: 'error', message: 'timeout' }, obs({ desired: '2' }))).toMatchObject({ kind: 'idle', error: expect.stringContaining('staging 2: timeout'), retry: { spec: '2', attempts: 1 } });
  });
});

describe('a remediation reboot (the fleet asks for a reboot into the same deployment)', () => {
  const tr: Target = { spec: '1', checksum: v1.checksum, version: '1', reason: 'remediation', order: 'n1/1/2' };
  it('goes pending for the order, before anything else, on the booted deployment', () => {
    expect(decide({ kind: 'idle' }, obs({ remediation: 'n1/1/2', desired: '2' })).next).toEqual({ kind: 'pending', target: tr, since: 1000 });
  });
  it('is not taken up while another deployment is staged (the reboot would boot that)', () => {
    expect(decide({ kind: 'idle' }, obs({ remediation: 'n1/1/2', pending: v2 })).next).toMatchObject({ kind: 'pending', target: { reason: 'staged' } });
  });
  it('waits for the lock, not for a reboot window', () => {
    expect(decide({ kind: 'pending', target: tr, since: 1 }, obs({ remediation: 'n1/1/2', inWindow: false })).action).toEqual({ kind: 'acquire' });
    expect(decide({ kind: 'locking', target: tr, since: 1 }, obs({ remediation: 'n1/1/2', inWindow: false })).action).toEqual({ kind: 'acquire' });
  });
  it('still waits for blockers, and drops out when the order is no longer asked for', () => {
    expect(decide({ kind: 'pending', target: tr, since: 1 }, obs({ remediation: 'n1/1/2', blockers: ['x'] })).action.kind).toBe('none');
    expect(decide({ kind: 'pending', target: tr, since: 1 }, obs({ remediation: '' })).next).toEqual({ kind: 'idle' });
    expect(decide({ kind: 'locking', target: tr, since: 1 }, obs({ remediation: 'n1/1/3' }))).toEqual({ next: { kind: 'idle' }, action: { kind: 'release' } });
  });
  it('reboots while the boot id is the same, though the booted deployment is the target', () => {
    expect(decide({ kind: 'rebooting', target: tr, bootId: 'boot-1', since: 1, cordoned: false }, obs()).action).toEqual({ kind: 'reboot' });
    expect(decide({ kind: 'rebooting', target: tr, bootId: 'boot-1', since: 1, cordoned: false }, obs({ bootId: 'boot-2' })).action).toEqual({ kind: 'check-health' });
  });
  it('never rolls back: unhealthy past the timeout, it gives up and ends idle with the reason', () => {
    const verifying: FlowState = { kind: 'verifying', target: tr, since: 0, cordoned: true };
    const o = obs({ bootId: 'boot-2', now: 120_000 });
    const gaveUp = settle(verifying, { kind: 'check-health' }, { kind: 'health', ok: false, problems: ['health.d/x: exit 1'] }, o);
    expect(gaveUp).toEqual({ ...verifying, healthy: false, waiting: 'health.d/x: exit 1' });
    const d = decide(gaveUp, o);
    expect(d.action).toEqual({ kind: 'fail', reason: 'unhealthy after the remediation reboot: health.d/x: exit 1' });
    expect(settle(gaveUp, d.action, { kind: 'done' }, o)).toEqual({ kind: 'idle', error: 'remediation n1/1/2: unhealthy after the remediation reboot: health.d/x: exit 1' });
  });
  it('finishes once healthy, like any reboot', () => {
    expect(decide({ kind: 'verifying', target: tr, since: 0, cordoned: false, healthy: true }, obs({ bootId: 'boot-2' })).action).toEqual({ kind: 'finish' });
  });
});
