// The reboot controller end to end over a simulated node: lock → reboot →
// verify → release, resumption after an agent restart, failure paths.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Condition } from '../../common/api/conditions.js';
import { ConditionsBlocker } from '../../agent/reboot/blockers.js';
import { ConditionsHealth } from '../../agent/reboot/health.js';
import { FlowStore } from '../../agent/reboot/flow-store.js';
import { SimLock, SimOs, SimRebooter, makeController } from '../support/sim-node.js';
import { makeTempDir } from '../support/tmp.js';
import { agentPaths } from '../../agent/paths.js';

const c1 = { checksum: '1'.repeat(64), version: '1' };
const c2 = { checksum: '2'.repeat(64), version: '2' };

describe('RebootController', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let events: string[];
  let os: SimOs;
  let lock: SimLock;
  let rebooter: SimRebooter;
  beforeEach(() => {
    tmp = makeTempDir();
    events = [];
    os = new SimOs(c1);
    os.remote = [c2];
    lock = new SimLock('n1', 1, events);
    rebooter = new SimRebooter(os, lock, 'n1', events);
  });
  afterEach(() => tmp.remove());

  it('moves to the desired target: stage, lock, reboot, verify after boot, release', async () => {
    const before = makeController(tmp.dir, os, lock, rebooter);
    before.setDesired('2');
    await before.trigger();
    expect(before.current.kind).toBe('rebooting');
    expect(events).toEqual(['lock', 'reboot']);
    // The reboot ended the process; a new agent starts from the persisted state.
    const after = makeController(tmp.dir, os, lock, rebooter);
    expect(after.desiredTarget).toBe('2');
    await after.trigger();
    expect(after.current).toEqual({ kind: 'idle' });
    expect(os.version()).toBe('2');
    expect(events).toEqual(['lock', 'reboot', 'unlock']);
  });

  it('resumes after being killed between lock and reboot without taking a second slot', async () => {
    const first = makeController(tmp.dir, os, lock, rebooter, { preReboot: () => new Promise<void>(() => undefined) });
    first.setDesired('2');
    void first.trigger();
    await new Promise((r) => setTimeout(r, 50));
    expect(new FlowStore(agentPaths(tmp.dir).flowState).load().state.kind).toBe('locked');
    // The agent dies here, holding the slot; it comes back.
    const second = makeController(tmp.dir, os, lock, rebooter);
    await second.trigger();
    expect(lock.acquires).toBe(1);
    expect(events).toEqual(['lock', 'reboot']);
    await makeController(tmp.dir, os, lock, rebooter).trigger();
    expect(events).toEqual(['lock', 'reboot', 'unlock']);
    expect(lock.acquires).toBe(1);
  });

  it('re-issues the reboot when killed after deciding to reboot but before it happened', async () => {
    let calls = 0;
    const flaky = { reboot: async () => void calls++ };
    const c = makeController(tmp.dir, os, lock, flaky);
    c.setDesired('2');
    await c.trigger();
    expect(c.current.kind).toBe('rebooting');
    await makeController(tmp.dir, os, lock, rebooter).trigger();
    expect(rebooter.reboots).toBe(1);
    expect(os.version()).toBe('2');
  });

  it('does not reboot while the coordinator is unreachable', async () => {
    lock.unreachable = true;
    const c = makeController(tmp.dir, os, lock, rebooter);
    c.setDesired('2');
    await c.trigger();
    await c.trigger();
    expect(c.current).toMatchObject({ kind: 'locking', waiting: expect.stringMatching(/lock request failed: coordinator unreachable/) });
    expect(rebooter.reboots).toBe(0);
    lock.unreachable = false;
    await c.trigger();
    expect(rebooter.reboots).toBe(1);
  });

  it('waits for the lock when the group is full', async () => {
    lock.holders.add('someone-else');
    const c = makeController(tmp.dir, os, lock, rebooter);
    c.setDesired('2');
    await c.trigger();
    expect(c.current).toMatchObject({ kind: 'locking', waiting: 'lock busy: held by someone-else' });
    expect(rebooter.reboots).toBe(0);
  });

  it('rolls back under the same lock when health checks fail, then reports the failure and does not retry', async () => {
    const unhealthy = [new ConditionsHealth(() => [{ type: 'KubeletUnhealthy', status: 'True' as const, reason: 'KubeletDown', message: 'kubelet failed', lastTransitionTime: 0 }])];
    const c = makeController(tmp.dir, os, lock, rebooter, { health: unhealthy });
    c.setDesired('2');
    await c.trigger();
    const booted = makeController(tmp.dir, os, lock, rebooter, { health: unhealthy });
    await booted.trigger();
    expect(events).toEqual(['lock', 'reboot', 'reboot']);
    expect(lock.holders.has('n1')).toBe(true);
    expect(booted.current.kind).toBe('rolling-back');
    const back = makeController(tmp.dir, os, lock, rebooter, { health: unhealthy });
    await back.trigger();
    expect(os.version()).toBe('1');
    expect(events).toEqual(['lock', 'reboot', 'reboot', 'unlock']);
    expect(back.current).toMatchObject({ kind: 'failed', reason: expect.stringMatching(/KubeletUnhealthy/) });
    await back.trigger();
    expect(events).toHaveLength(4);
    back.setDesired('1');
    await back.trigger();
    expect(back.current.kind).toBe('idle');
  });

  it('reports a boot that did not come up on the target as failed and releases', async () => {
    os.bootOverride = c1.checksum;
    const c = makeController(tmp.dir, os, lock, rebooter);
    c.setDesired('2');
    await c.trigger();
    const after = makeController(tmp.dir, os, lock, rebooter);
    await after.trigger();
    expect(after.current).toMatchObject({ kind: 'failed', reason: 'booted 1, expected 2' });
    expect(events).toEqual(['lock', 'reboot', 'unlock']);
  });

  it('is gated by active problem conditions', async () => {
    const conditions: Condition[] = [{ type: 'KernelDeadlock', status: 'True', reason: 'DockerHung', message: '', lastTransitionTime: 0 }];
    const c = makeController(tmp.dir, os, lock, rebooter, { blockers: [new ConditionsBlocker(() => conditions)] });
    c.setDesired('2');
    await c.trigger();
    expect(c.current).toMatchObject({ kind: 'pending', waiting: 'blocked: active problem KernelDeadlock/DockerHung' });
    expect(lock.acquires).toBe(0);
    conditions[0]!.status = 'False';
    await c.trigger();
    expect(rebooter.reboots).toBe(1);
  });

  it('releases the slot when a pre-reboot hook fails, and does not reboot', async () => {
    let now = 1_000_000;
    const c = makeController(tmp.dir, os, lock, rebooter, {
      now: () => now,
      preReboot: async () => {
        throw new Error('10-drain-ceph: exit 1');
      },
    });
    c.setDesired('2');
    await c.trigger();
    await c.trigger();
    expect(rebooter.reboots).toBe(0);
    expect(lock.holders.size).toBe(0);
    expect(c.current).toMatchObject({ kind: 'pending', waiting: 'pre-reboot: 10-drain-ceph: exit 1' });
    await c.trigger();
    expect(lock.acquires).toBe(1);
    now += 60_000;
    await c.trigger();
    expect(lock.acquires).toBe(2);
    expect(rebooter.reboots).toBe(0);
  });
});
