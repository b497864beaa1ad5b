// The reboot flow on a bootc host: the real RebootController, BootcBackend and
// BootcRebooter over a simulated bootc (test/support/bootc-host.ts) and a
// counting lock. The image is downloaded before the lock is asked for and
// applied only while it is held; a soft reboot only when bootc says the staged
// image allows it and the policy does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { BootcBackend } from '../../agent/os/bootc.js';
import { BootcRebooter, rebootKind, type SoftRebootPolicy } from '../../agent/reboot/bootc-rebooter.js';
import type { RebootControllerDeps } from '../../agent/reboot/controller.js';
import type { Rebooter } from '../../agent/reboot/ports.js';
import { BootcHostSim, digestOf } from '../support/bootc-host.js';
import { SimLock, makeController } from '../support/sim-node.js';
import { makeTempDir } from '../support/tmp.js';

const IMAGE = 'quay.io/example/os';
const V1 = { digest: digestOf(1), version: '1' };
const V2 = { digest: digestOf(2), version: '2' };
const V3 = { digest: digestOf(3), version: '3' };

describe('reboot flow with the bootc backend', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let events: string[];
  let lock: SimLock;
  let host: BootcHostSim;
  beforeEach(() => {
    tmp = makeTempDir();
    events = [];
    lock = new SimLock('n1', 1, events);
    host = new BootcHostSim(`${IMAGE}:stable`, V1, () => lock.holders.has('n1'), events);
    host.publish(`${IMAGE}:stable`, V2);
  });
  afterEach(() => tmp.remove());

  /** One agent process: a fresh controller and backend over the same host and state dir. */
  function agent(policy: SoftRebootPolicy = 'auto', over: Partial<RebootControllerDeps> = {}) {
    const backend = new BootcBackend({ runner: host });
    // The reboot bootc does not do itself (no staged image, or a bootc too old to apply one): systemd's.
    const full: Rebooter = {
      reboot: async () => {
        if (!lock.holders.has('n1')) throw new Error('refusing to reboot without the lock');
        host.rebootFull();
      },
    };
    const rebooter = new BootcRebooter(backend, async () => lock.holders.has('n1'), full, () => policy, silentLogger);
    return makeController(tmp.dir, backend, lock, rebooter, { bootId: () => `boot-${host.bootId}`, ...over });
  }

  it('a digest target: downloads without the lock, applies only under it, verifies and releases', async () => {
    const first = agent();
    first.setDesired(`${IMAGE}@${V2.digest}`);
    await first.trigger();
    expect(first.current.kind).toBe('rebooting');
    expect(events).toEqual([`download ${V2.digest}`, 'lock', 'apply full']);
    expect(host.lockedAt).toEqual([
      { event: `download ${V2.digest}`, locked: false },
      { event: 'apply full', locked: true },
    ]);
    // Staged download-only before the lock: a shutdown by someone else would not have applied it.
    expect(host.calls.filter((a) => (a[1] === 'switch' || a[1] === 'upgrade') && !a.includes('--help'))).toEqual([
      ['bootc', 'switch', `${IMAGE}@${V2.digest}`],
      ['bootc', 'upgrade', '--download-only'],
      ['bootc', 'upgrade', '--from-downloaded', '--apply'],
    ]);
    // After the boot a new agent process verifies the digest and gives the lock back.
    const after = agent();
    await after.trigger();
    expect(after.current).toEqual({ kind: 'idle' });
    expect(host.booted.digest).toBe(V2.digest);
    expect(events).toEqual([`download ${V2.digest}`, 'lock', 'apply full', 'unlock']);
  });

  it('a digest target the booted image already is: nothing to do, no lock', async () => {
    const c = agent();
    c.setDesired(`${IMAGE}@${V1.digest}`);
    await c.trigger();
    expect(c.current).toEqual({ kind: 'idle' });
    expect(events).toEqual([]);
    expect(host.calls.every((a) => a[1] === 'status')).toBe(true);
  });

  it('soft reboot only when the staged image is capable and the policy allows it', async () => {
    const cases: Array<{ capable: boolean; policy: SoftRebootPolicy; want: string }> = [
      { capable: true, policy: 'auto', want: 'apply soft' },
      { capable: true, policy: 'never', want: 'apply full' },
      { capable: false, policy: 'auto', want: 'apply full' },
    ];
    for (const { capable, policy, want } of cases) {
      events.length = 0;
      host = new BootcHostSim(`${IMAGE}:stable`, V1, () => lock.holders.has('n1'), events);
      host.publish(`${IMAGE}:stable`, V2);
      host.softRebootCapable = capable;
      tmp.remove();
      tmp = makeTempDir();
      const c = agent(policy);
      c.setDesired(`${IMAGE}@${V2.digest}`);
      await c.trigger();
      expect(events, `${capable} ${policy}`).toEqual([`download ${V2.digest}`, 'lock', want]);
      const apply = host.calls.find((a) => a.includes('--from-downloaded'))!;
      expect(apply.includes('--soft-reboot=auto'), `${capable} ${policy}`).toBe(capable && policy === 'auto');
      // Verification is the same after a soft reboot, whose kernel (and so boot id) stays: the
      // booted digest is the target, health checks pass, the lock goes back; no second reboot.
      await agent(policy).trigger();
      expect(events, `${capable} ${policy}`).toEqual([`download ${V2.digest}`, 'lock', want, 'unlock']);
      expect(host.booted.digest).toBe(V2.digest);
      await lock.release();
    }
    expect(rebootKind({ bootc: { softRebootCapable: true } } as never, 'auto')).toBe('soft');
    expect(rebootKind({ checksum: 'x' } as never, 'auto')).toBe('full');
  });

  it('an image tag resolves once to the digest it names; the node stays on it when the tag moves', async () => {
    const c = agent();
    c.setDesired(`${IMAGE}:stable`);
    await c.trigger();
    expect(c.resolvedTarget).toBe(`${IMAGE}:stable@${V2.digest}`);
    expect(c.current.kind).toBe('rebooting');
    // The tag moves while the node reboots; the resolution was persisted with the flow's state.
    host.publish(`${IMAGE}:stable`, V3);
    const after = agent();
    await after.trigger();
    await after.trigger();
    expect(after.current).toEqual({ kind: 'idle' });
    expect(after.resolvedTarget).toBe(`${IMAGE}:stable@${V2.digest}`);
    expect(host.booted.digest).toBe(V2.digest);
    expect(events).toEqual([`download ${V2.digest}`, 'lock', 'apply full', 'unlock']);
    // Told the pinned digest (the coordinator's pin, image-pin.ts), it is already there.
    after.setDesired(`${IMAGE}@${V2.digest}`);
    await after.trigger();
    expect(after.current).toEqual({ kind: 'idle' });
    expect(after.resolvedTarget).toBe('');
    expect(events).toHaveLength(4);
  });

  it('on a bootc without --download-only: staged the classic way, still rebooted only under the lock', async () => {
    host.caps = { downloadOnly: false, switchDownloadOnly: false, softReboot: false };
    const c = agent();
    c.setDesired(`${IMAGE}@${V2.digest}`);
    await c.trigger();
    expect(events).toEqual([`download ${V2.digest}`, 'lock', 'reboot full']);
    expect(host.calls.some((a) => a.includes('--download-only') || a.includes('--from-downloaded'))).toBe(false);
    await agent().trigger();
    expect(host.booted.digest).toBe(V2.digest);
    expect(events.at(-1)).toBe('unlock');
  });

  it('a failed health check rolls back with bootc rollback under the same lock', async () => {
    const unhealthy = { health: [{ name: 'x', problems: async () => ['kubelet down'] }] };
    const c = agent();
    c.setDesired(`${IMAGE}@${V2.digest}`);
    await c.trigger();
    const booted = agent('auto', unhealthy);
    await booted.trigger();
    expect(host.calls.some((a) => a[1] === 'rollback')).toBe(true);
    expect(lock.holders.has('n1')).toBe(true);
    expect(events).toEqual([`download ${V2.digest}`, 'lock', 'apply full', 'reboot full']);
    await agent('auto', unhealthy).trigger();
    expect(host.booted.digest).toBe(V1.digest);
    expect(booted.current.kind).toBe('rolling-back');
    expect(events.at(-1)).toBe('unlock');
  });
});
