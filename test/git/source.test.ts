// The coordinator following a real git repository (git on file://): applied
// commits and their SHA, a running rollout following a change, an invalid
// commit kept out, a deleted Rollout ended, suspend, a restart that resumes
// without applying again, and an unreachable remote that changes nothing.
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { startCoordinator } from '../../coordinator/app.js';
import type { GitSourceConfig } from '../../coordinator/git/config.js';
import type { NodeRecord } from '../../coordinator/fleet/node-record.js';
import { readRollout } from '../../coordinator/rollout/layout.js';
import type { Rollout } from '../../coordinator/rollout/types.js';
import { coordinatorConfig } from '../support/coordinator.js';
import { describeWith } from '../support/components.js';
import { makeTempDir, waitFor } from '../support/tmp.js';
import { LOCKGROUP, addNodes, ctl, fleetWithNodes, rolloutDoc, type Fleet } from '../resources/fleet-fixture.js';
import { TestRemote } from './repo.js';

// Real git, coordinators and hostpilotctl processes: slow on a loaded machine (the timeout bounds a hang).
vi.setConfig({ testTimeout: 240_000 });

let tmp: ReturnType<typeof makeTempDir>;
let remote: TestRemote;
let fleet: Fleet | undefined;

beforeEach(async () => {
  tmp = makeTempDir('hostpilot-git-');
  remote = await TestRemote.create(tmp.dir);
});
afterEach(async () => {
  await fleet?.cleanup();
  fleet = undefined;
  tmp.remove();
});

function gitConfig(over: Partial<GitSourceConfig> = {}): GitSourceConfig {
  // A long interval: the test syncs by hand after the first, automatic sync.
  return { url: remote.url, ref: 'main', path: 'fleet', intervalMs: 3_600_000, suspend: false, cacheDir: join(tmp.dir, 'cache'), ...over };
}

const rollouts = (over: Record<string, string> = {}) => `${LOCKGROUP}---\n${rolloutDoc('workers-41', over)}`;

async function rollout(): Promise<Rollout | undefined> {
  return (await readRollout(fleet!.store, 'workers-41'))?.rollout;
}

async function metric(name: string, labels = ''): Promise<number> {
  const text = await fleet!.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return Number(line?.split(' ')[1]);
}

describeWith(['git'], 'git source', () => {
  it('applies commits, follows a change of a running rollout, keeps an invalid commit out and ends a deleted rollout', async () => {
    const first = await remote.commit({ 'fleet/rollouts.yaml': rollouts(), 'README.md': 'not applied: outside fleet/' });
    fleet = await fleetWithNodes({ git: gitConfig() });
    // The first sync runs by itself when the coordinator starts leading.
    const applied = await waitFor(async () => ((await fleet!.git!.status()).lastAppliedRevision ? fleet!.git!.status() : undefined), 'the first sync');
    expect(applied).toMatchObject({ lastAppliedRevision: `main@sha1:${first}`, lastAttemptedRevision: `main@sha1:${first}`, ready: true, message: `applied main@sha1:${first}: 2 created, 0 configured, 0 unchanged, 0 pruned` });
    expect((await rollout())?.spec.maxUnavailable).toEqual({ kind: 'count', count: 1 });
    expect((await fleet.locks.list('workers'))[0]?.slots).toBe(2);
    // One node of the pool at a time.
    await waitFor(async () => Object.values((await rollout())!.nodes).filter((n) => n.phase === 'updating').length === 1, 'n1 updating');

    const second = await remote.commit({ 'fleet/rollouts.yaml': rollouts({ maxUnavailable: '"50%"' }) });
    expect(await fleet.git!.sync()).toMatchObject({ lastAppliedRevision: `main@sha1:${second}`, ready: true, message: `applied main@sha1:${second}: 0 created, 1 configured, 1 unchanged, 0 pruned` });
    expect((await rollout())?.spec.maxUnavailable).toEqual({ kind: 'percent', percent: 50 });
    // The running rollout follows: half the pool (2 of 4) may now be updating.
    await waitFor(async () => Object.values((await rollout())!.nodes).filter((n) => n.phase === 'updating').length === 2, 'two nodes updating');

    const bad = await remote.commit({ 'fleet/rollouts.yaml': rollouts({ maxUnavailable: '120%', windows: '["Sat 01:00-02:00 UTC"]' }) });
    const refused = await fleet.git!.sync();
    expect(refused).toMatchObject({ lastAttemptedRevision: `main@sha1:${bad}`, lastAppliedRevision: `main@sha1:${second}`, ready: false });
    expect(refused.message).toBe('fleet/rollouts.yaml: document 2 (Rollout "workers-41"): spec.maxUnavailable: "120%" is over 100%');
    expect((await rollout())?.spec).toMatchObject({ maxUnavailable: { kind: 'percent', percent: 50 }, windows: [] });
    expect(await metric('hostpilot_git_sync_total', '{result="invalid"}')).toBe(1);

    const unsafe = await remote.commit({ 'fleet/rollouts.yaml': rollouts({ target: '"3.0"' }) });
    const refusedUnsafe = await fleet.git!.sync();
    expect(refusedUnsafe).toMatchObject({ lastAttemptedRevision: `main@sha1:${unsafe}`, lastAppliedRevision: `main@sha1:${second}`, ready: false });
    expect(refusedUnsafe.message).toMatch(/^fleet\/rollouts.yaml: document 2 \(Rollout "workers-41"\): Rollout "workers-41" has started: spec.target \("2.0" -> "3.0"\) cannot change/);

    const deleted = await remote.commit({ 'fleet/rollouts.yaml': LOCKGROUP });
    expect(await fleet.git!.sync()).toMatchObject({ lastAppliedRevision: `main@sha1:${deleted}`, ready: true, message: `applied main@sha1:${deleted}: 0 created, 0 configured, 1 unchanged, 1 pruned` });
    expect((await rollout())?.phase).toBe('aborted');
    // Ended like an abort: the targets it set are taken back, in the store too.
    for (const id of ['n1', 'n2', 'n3', 'n4']) expect((await fleet.store.get<NodeRecord>(`nodes/${id}`))?.desired).toBeUndefined();
    expect((await ctl(fleet, ['get', 'rollouts', '-o', 'json'])).stdout).toMatch(/"items": \[\]/);
    expect((await fleet.locks.list('workers'))[0]?.slots).toBe(2);
  });

  it('reports through hostpilotctl git status -o json and syncs on hostpilotctl git sync', async () => {
    const first = await remote.commit({ 'fleet/groups.yaml': LOCKGROUP });
    fleet = await fleetWithNodes({ git: gitConfig() });
    await waitFor(async () => (await fleet!.git!.status()).ready, 'the first sync');
    const second = await remote.commit({ 'fleet/groups.yaml': LOCKGROUP.replace('slots: 2', 'slots: 3') });
    const sync = await ctl(fleet, ['git', 'sync']);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain(`applied  main@sha1:${second}`);
    const status = JSON.parse((await ctl(fleet, ['git', 'status', '-o', 'json'])).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ url: remote.url, ref: 'main', path: 'fleet', lastAttemptedRevision: `main@sha1:${second}`, lastAppliedRevision: `main@sha1:${second}`, ready: true });
    expect(String(status.lastAppliedRevision)).toMatch(/^main@sha1:[0-9a-f]{40}$/);
    expect(first).not.toBe(second);
    expect((await fleet.locks.list('workers'))[0]?.slots).toBe(3);
    expect(await metric('hostpilot_resources', '{kind="LockGroup"}')).toBe(1);
    expect(await metric('hostpilot_git_last_applied_timestamp_seconds')).toBeGreaterThan(0);
  });

  it('resumes at the last applied revision after a restart without applying it again', async () => {
    const first = await remote.commit({ 'fleet/rollouts.yaml': rollouts() });
    const dir = makeTempDir('hostpilot-git-restart-');
    try {
      const config = coordinatorConfig(dir.dir, { git: gitConfig() });
      const one = await startCoordinator(config, { log: silentLogger });
      await addNodes(one);
      // Its first sync may have run before the nodes registered (a rollout selecting no node is refused).
      expect(await one.git!.sync()).toMatchObject({ lastAppliedRevision: `main@sha1:${first}`, ready: true });
      const before = await one.store.get<{ metadata: { generation: number } }>('resources/Rollout/workers-41');
      await one.close();

      const two = await startCoordinator(config, { log: silentLogger });
      try {
        // Its first sync (it leads at once) found the commit it had applied before.
        const text = await waitFor(async () => {
          const t = await two.registry.metrics();
          return t.includes('hostpilot_git_sync_total{result="unchanged"} 1') ? t : undefined;
        }, 'the sync after the restart');
        expect(text).toContain('hostpilot_git_sync_total{result="applied"} 0');
        expect(await two.git!.status()).toMatchObject({ lastAppliedRevision: `main@sha1:${first}`, ready: true, message: `up to date at main@sha1:${first}` });
        expect(await two.store.get('resources/Rollout/workers-41')).toEqual(before);
      } finally {
        await two.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('does not sync while suspended', async () => {
    await remote.commit({ 'fleet/groups.yaml': LOCKGROUP });
    fleet = await fleetWithNodes({ git: gitConfig({ suspend: true }) });
    await expect(fleet.git!.sync()).rejects.toThrow('the git source is suspended (--git-suspend): not syncing');
    expect(await fleet.git!.status()).toMatchObject({ suspended: true, lastAppliedRevision: '', message: 'suspended: not syncing' });
    await expect(fleet.locks.list('workers')).rejects.toThrow(/unknown group/);
    const viaCtl = await ctl(fleet, ['git', 'sync']);
    expect(viaCtl.code).toBe(1);
    expect(viaCtl.stderr).toBe('hostpilotctl: the git source is suspended (--git-suspend): not syncing\n');
  });

  it('leaves the fleet as it is when the remote cannot be reached, and says so', async () => {
    const first = await remote.commit({ 'fleet/rollouts.yaml': rollouts() });
    fleet = await fleetWithNodes({ git: gitConfig() });
    await waitFor(async () => (await fleet!.git!.status()).ready, 'the first sync');
    await remote.commit({ 'fleet/rollouts.yaml': rollouts({ maxUnavailable: '2' }) });
    renameSync(remote.bare, `${remote.bare}.gone`);
    const status = await fleet.git!.sync();
    expect(status).toMatchObject({ ready: false, lastAppliedRevision: `main@sha1:${first}`, lastAttemptedRevision: `main@sha1:${first}` });
    expect(status.message).toMatch(new RegExp(`^cannot fetch main from ${remote.url}: .+; the fleet stays as main@sha1:${first} left it$`));
    expect((await rollout())?.spec.maxUnavailable).toEqual({ kind: 'count', count: 1 });
    expect(await metric('hostpilot_git_sync_total', '{result="error"}')).toBe(1);
  });
});
