// hostpilotctl apply / diff / get / delete against a real coordinator (SQLite
// store, gRPC): idempotence, safe and refused changes of a running rollout,
// errors naming file, document and field, and LockGroups as lock groups.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRollout } from '../../coordinator/rollout/layout.js';
import type { Rollout } from '../../coordinator/rollout/types.js';
import { LOCKGROUP, ctl, fleetWithNodes, rolloutDoc, writeFiles, type Fleet } from './fleet-fixture.js';

let fleet: Fleet;

beforeEach(async () => {
  fleet = await fleetWithNodes();
});
afterEach(async () => {
  await fleet.cleanup();
});

async function record(id: string): Promise<Rollout | undefined> {
  return (await readRollout(fleet.store, id))?.rollout;
}

// Each test runs hostpilotctl a dozen times; on a loaded machine that takes a while (the timeout bounds a hang).
describe('hostpilotctl apply', { timeout: 240_000 }, () => {
  it('creates a LockGroup and a Rollout from a directory, and a second apply changes nothing', async () => {
    writeFiles(fleet.dir, { 'fleet/groups.yaml': LOCKGROUP, 'fleet/rollouts.yaml': rolloutDoc('workers-41'), 'fleet/README.md': 'not a resource' });
    const first = await ctl(fleet, ['apply', '-f', 'fleet']);
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('LockGroup/workers created\nRollout/workers-41 created\n');
    expect(first.code).toBe(0);
    const r = await record('workers-41');
    expect(r?.spec).toMatchObject({ target: '2.0', lockGroup: 'workers', strategy: { kind: 'by-label', label: 'rack' } });
    expect(r?.buckets.map((b) => b.name)).toEqual(['rack=r1', 'rack=r2']);
    expect((await fleet.locks.list('workers'))[0]?.slots).toBe(2);

    const second = await ctl(fleet, ['apply', '-f', 'fleet']);
    expect(second.stdout).toBe('LockGroup/workers unchanged\nRollout/workers-41 unchanged\n');
    expect((await record('workers-41'))?.createdAt).toBe(r?.createdAt);

    const json = await ctl(fleet, ['get', 'rollouts', '-o', 'json']);
    const list = JSON.parse(json.stdout) as { items: Array<{ metadata: { name: string; generation: number; labels: Record<string, string> }; spec: Record<string, unknown>; status: { phase: string } }> };
    expect(list.items.map((i) => i.metadata.name)).toEqual(['workers-41']);
    expect(list.items[0]).toMatchObject({ metadata: { generation: 1, labels: { team: 'infra' } }, spec: { maxUnavailable: '1', selector: { pool: ['workers'] } }, status: { phase: 'running' } });
    for (const spelling of ['rollout', 'Rollout', 'rollouts']) expect((await ctl(fleet, ['get', spelling, 'workers-41', '-o', 'yaml'])).stdout).toMatch(/^---\napiVersion: hostpilot.io\/v1\nkind: Rollout\n/);
    const groups = await ctl(fleet, ['get', 'lockgroups']);
    expect(groups.stdout).toMatch(/^NAME +SLOTS +HELD +TTL +MANAGED-BY\n/);
    expect(groups.stdout).toMatch(/\ndefault +1 +0 +- +flags\n/);
    expect(groups.stdout).toMatch(/\nworkers +2 +0 +2h +apply\n/);
  });

  it('reads documents from standard input', async () => {
    const r = await ctl(fleet, ['apply', '-f', '-'], { stdin: `${LOCKGROUP}---\n${rolloutDoc('from-stdin')}` });
    expect(r.stdout).toBe('LockGroup/workers created\nRollout/from-stdin created\n');
  });

  it('changes safe fields of a running rollout, and diff shows it first without changing anything', async () => {
    writeFiles(fleet.dir, { 'f.yaml': `${LOCKGROUP}---\n${rolloutDoc('w')}` });
    await ctl(fleet, ['apply', '-f', 'f.yaml']);
    writeFiles(fleet.dir, { 'f.yaml': `${LOCKGROUP}---\n${rolloutDoc('w', { maxUnavailable: '"50%"', settle: '10m', paused: 'true' })}` });
    const diff = await ctl(fleet, ['diff', '-f', 'f.yaml']);
    expect(diff.stdout).toBe('~ Rollout/w (changed)\n    spec.maxUnavailable: "1" -> "50%"\n    spec.paused: false -> true\n    spec.settle: "0ms" -> "10m"\n');
    expect((await record('w'))?.spec.maxUnavailable).toEqual({ kind: 'count', count: 1 });

    const applied = await ctl(fleet, ['apply', '-f', 'f.yaml']);
    expect(applied.stdout).toMatch(/^LockGroup\/workers unchanged\nRollout\/w configured \(spec\.maxUnavailable/);
    const r = await record('w');
    expect(r?.spec.maxUnavailable).toEqual({ kind: 'percent', percent: 50 });
    expect(r?.spec.settleMs).toBe(600_000);
    expect(r?.phase).toBe('paused');
    const got = JSON.parse((await ctl(fleet, ['get', 'rollout', 'w', '-o', 'json'])).stdout) as { metadata: { generation: number } };
    expect(got.metadata.generation).toBe(2);
    expect((await ctl(fleet, ['diff', '-f', 'f.yaml'])).stdout).toBe('no changes\n');

    writeFiles(fleet.dir, { 'f.yaml': `${LOCKGROUP}---\n${rolloutDoc('w', { maxUnavailable: '"50%"', settle: '10m' })}` });
    await ctl(fleet, ['apply', '-f', 'f.yaml']);
    expect((await record('w'))?.phase).toBe('running');
  });

  it('refuses an unsafe change of a running rollout, and applies nothing of the set', async () => {
    writeFiles(fleet.dir, { 'f.yaml': `${LOCKGROUP}---\n${rolloutDoc('w')}` });
    await ctl(fleet, ['apply', '-f', 'f.yaml']);
    writeFiles(fleet.dir, { 'f.yaml': `${LOCKGROUP.replace('slots: 2', 'slots: 5')}---\n${rolloutDoc('w', { target: '"3.0"', maxUnavailable: '2' })}` });
    const r = await ctl(fleet, ['apply', '-f', 'f.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'hostpilotctl: f.yaml: document 2 (Rollout "w"): Rollout "w" has started: spec.target ("2.0" -> "3.0") cannot change (only paused, maxUnavailable, windows, settle, healthTimeout, pauseAfter, rollbackOnFailure can); delete it, or apply it under a new name\n',
    );
    expect((await record('w'))?.spec).toMatchObject({ target: '2.0', maxUnavailable: { kind: 'count', count: 1 } });
    expect((await fleet.locks.list('workers'))[0]?.slots).toBe(2);
  });

  it('refuses a new Rollout whose selector picks no node, naming file and document, and applies nothing of the set', async () => {
    writeFiles(fleet.dir, { 'f.yaml': `${LOCKGROUP}---\n${rolloutDoc('nobody', { selector: '{pool: [nobody]}' })}` });
    const r = await ctl(fleet, ['apply', '-f', 'f.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('hostpilotctl: f.yaml: document 2 (Rollout "nobody"): selector: selects no node ({"pool":["nobody"]})\n');
    expect(await record('nobody')).toBeUndefined();
    // The LockGroup of the same set was not applied either: a set is applied whole or not at all.
    expect((await ctl(fleet, ['get', 'lockgroups'])).stdout).not.toMatch(/\nworkers /);
  });

  it('names the file, the document and the field of an invalid document, and sends nothing', async () => {
    writeFiles(fleet.dir, { 'fleet/rollouts.yaml': `${rolloutDoc('workers-40')}---\n${rolloutDoc('workers-41', { maxUnavailable: '120%' })}` });
    const r = await ctl(fleet, ['apply', '-f', 'fleet/rollouts.yaml']);
    expect(r.stderr).toBe('hostpilotctl: fleet/rollouts.yaml: document 2 (Rollout "workers-41"): spec.maxUnavailable: "120%" is over 100%\n');
    expect(r.code).toBe(1);
    expect(await record('workers-40')).toBeUndefined();
    for (const [doc, message] of [
      [rolloutDoc('x', { surge: '1' }), /document 1 \(Rollout "x"\): spec.surge: unknown field/],
      [rolloutDoc('x', { strategy: 'rack' }), /spec.strategy: "rack" is not by-label/],
      [rolloutDoc('x', { windows: '["Mon 25:00-26:00"]' }), /spec.windows\[0\]/],
      [rolloutDoc('Bad_Name'), /metadata.name: "Bad_Name" must be/],
      [LOCKGROUP.replace('slots: 2', 'slots: 0'), /\(LockGroup "workers"\): spec.slots: 0 is not a whole number/],
      [LOCKGROUP.replace('hostpilot.io/v1', 'v2'), /apiVersion: "v2" is not hostpilot.io\/v1/],
      ['kind: [unclosed\n', /document 1: not valid YAML at line/],
      [`${LOCKGROUP}---\n${LOCKGROUP}`, /document 2 \(LockGroup "workers"\): LockGroup\/workers is declared twice/],
    ] as const) {
      writeFiles(fleet.dir, { 'bad.yaml': doc });
      const bad = await ctl(fleet, ['apply', '-f', 'bad.yaml']);
      expect(bad.code, doc).toBe(1);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toMatch(message);
      expect(bad.stderr).toMatch(/^hostpilotctl: bad\.yaml: document \d/);
    }
  });

  it('deletes a Rollout like an abort, by file or by name; the name can be applied again', async () => {
    writeFiles(fleet.dir, { 'f.yaml': `${LOCKGROUP}---\n${rolloutDoc('w')}` });
    await ctl(fleet, ['apply', '-f', 'f.yaml']);
    const del = await ctl(fleet, ['delete', 'rollout', 'w']);
    expect(del.stdout).toBe('Rollout/w deleted\n');
    expect((await record('w'))?.phase).toBe('aborted');
    const gone = await ctl(fleet, ['get', 'rollout', 'w']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('hostpilotctl: no Rollout "w"\n');
    expect(JSON.parse((await ctl(fleet, ['get', 'rollouts', '-o', 'json'])).stdout).items).toEqual([]);
    expect((await ctl(fleet, ['delete', 'rollout', 'w'])).code).toBe(1);

    const again = await ctl(fleet, ['apply', '-f', 'f.yaml']);
    expect(again.stdout).toBe('LockGroup/workers unchanged\nRollout/w created\n');
    expect((await record('w'))?.phase).toBe('running');
    const byFile = await ctl(fleet, ['delete', '-f', 'f.yaml']);
    expect(byFile.stdout).toBe('LockGroup/workers deleted\nRollout/w deleted\n');
    expect((await record('w'))?.phase).toBe('aborted');
  });

  it('a LockGroup overrides the --group flag of the same name; deleting it brings the flag back', async () => {
    writeFiles(fleet.dir, { 'g.yaml': LOCKGROUP.replace('name: workers', 'name: default') });
    expect((await ctl(fleet, ['apply', '-f', 'g.yaml'])).stdout).toBe('LockGroup/default created\n');
    expect((await fleet.locks.list('default'))[0]?.slots).toBe(2);
    for (const node of ['n1', 'n2']) expect((await fleet.locks.acquire(node, 'default', 'grpc')).granted).toBe(true);
    expect((await fleet.locks.acquire('n3', 'default', 'grpc')).granted).toBe(false);
    await ctl(fleet, ['delete', 'lockgroup', 'default']);
    expect((await fleet.locks.list('default'))[0]?.slots).toBe(1);
    expect((await ctl(fleet, ['get', 'lockgroup', 'default'])).stdout).toMatch(/\ndefault +1 +2 +- +flags\n/);
  });

  it('lists a rollout made by `rollout create` as a Rollout resource', async () => {
    const created = await ctl(fleet, ['rollout', 'create', '--target', '2.0', '--id', 'by-hand', '--selector', 'rack=r2']);
    expect(created.code).toBe(0);
    const list = JSON.parse((await ctl(fleet, ['get', 'rollouts', '-o', 'json'])).stdout) as { items: Array<{ metadata: { name: string; managedBy: string }; spec: { selector: unknown } }> };
    expect(list.items).toMatchObject([{ metadata: { name: 'by-hand', managedBy: 'rollout create' }, spec: { selector: { rack: ['r2'] } } }]);
  });
});
