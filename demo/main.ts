#!/usr/bin/env node
// The demo (README's main job): a coordinator on SQLite and N agents on real
// OSTree sysroots on this machine. OS v2 is committed to a mirror served on
// loopback and rolled out rack by rack with 2 reboot-lock slots; then a
// broken v3 (its own health check fails) is rolled out: the first node rolls
// back under its lock and the rollout pauses by itself.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags, runMain, stringFlag, UsageError } from '../common/cli.js';
import type { RolloutStatus__Output } from '../proto/generated/hostpilot/v1/RolloutStatus.js';
import { SandboxFleet, bootedVersion, type SandboxNode } from './sandbox-fleet.js';

const USAGE = `Usage: node dist/demo/main.js [--nodes N] [--verbose]

Runs a hostpilot fleet on this machine (real coordinator, agents and OSTree sysroots)
through an OS rollout and a failed one. Needs the ostree command (npm run demo installs it).
`;

const say = (text: string) => process.stdout.write(text + '\n');

function racksFor(count: number): SandboxNode[] {
  const perRack = Math.ceil(count / 2);
  return Array.from({ length: count }, (_, i) => ({ id: `node-${i + 1}`, labels: { pool: 'workers', rack: i < perRack ? 'r1' : 'r2' } }));
}

async function waitForRollout(fleet: SandboxFleet, id: string, until: (r: RolloutStatus__Output) => boolean, timeoutMs: number): Promise<RolloutStatus__Output> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const r = await fleet.ctl.call<RolloutStatus__Output>((o, cb) => fleet.ctl.rollouts.Get({ id }, o, cb));
    const view = await progressView(fleet, r);
    if (view !== last) {
      say(view);
      last = view;
    }
    if (until(r)) return r;
    if (Date.now() > deadline) throw new Error(`rollout ${id} did not get there within ${timeoutMs / 1000}s (phase ${r.phase})`);
    await new Promise((res) => setTimeout(res, 1000));
  }
}

async function progressView(fleet: SandboxFleet, r: RolloutStatus__Output): Promise<string> {
  const [nodes, holders] = await Promise.all([fleet.nodes(), fleet.lockHolders()]);
  const phase = new Map(r.nodes.map((n) => [n.node_id, n.phase]));
  const rows = nodes.map((n) => {
    const lock = holders.includes(n.node_id) ? 'LOCK' : '    ';
    return `    ${n.node_id.padEnd(8)} ${n.labels.rack ?? '-'}  v${(bootedVersion(n) || '?').padEnd(3)} ${lock} ${n.flow_state.padEnd(12)} ${n.state.padEnd(10)} rollout:${phase.get(n.node_id) ?? '-'}`;
  });
  const done = r.nodes.filter((n) => n.phase === 'done').length;
  return [`  [${new Date().toISOString().slice(11, 19)}] rollout ${r.spec!.id} ${r.phase} ${done}/${r.nodes.length} done, bucket ${r.buckets[r.bucket]?.name ?? '-'}; lock holders: ${holders.join(', ') || 'none'}`, ...rows].join('\n');
}

runMain('hostpilot-demo', async (argv) => {
  const flags = parseFlags(argv, { nodes: { type: 'string' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (flags.values.help) {
    say(USAGE);
    return 0;
  }
  const count = Number(stringFlag(flags, 'nodes') ?? '5');
  if (!Number.isInteger(count) || count < 2 || count > 20) throw new UsageError('--nodes: a whole number from 2 to 20');
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'hostpilot-demo-'));
  const nodes = racksFor(count);
  say(`hostpilot demo: ${count} nodes in racks r1 and r2, reboot-lock group "default" with 2 slots, state under ${dir}`);
  say('  building the OSTree repository (v1), its loopback mirror, the coordinator and one sysroot per node ...');
  const fleet = await SandboxFleet.start({
    dir,
    nodes,
    slots: 2,
    healthTimeout: '5s',
    onLog: (who, line) => {
      if (flags.values.verbose) say(`    ${who}: ${line}`);
    },
    onReboot: (id) => say(`    >> ${id} rebooted`),
  });
  const stop = () => void fleet.close().then(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    for (;;) {
      const known = await fleet.nodes();
      if (known.length === count && known.every((n) => n.connected && bootedVersion(n) === '1')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    say(`  every node registered on v1 (${((Date.now() - started) / 1000).toFixed(1)}s)`);

    say('\n== 1. OS v2 is published to the mirror; rollout to pool=workers, rack by rack, at most 2 nodes down at a time');
    await fleet.commit('2');
    let out = await fleet.hostpilotctl(['rollout', 'create', '--id', 'to-v2', '--target', '2', '--selector', 'pool=workers', '--strategy', 'by-label:rack', '--max-unavailable', '2', '--health-timeout', '2m']);
    say(`  $ hostpilotctl rollout create --id to-v2 --target 2 --selector pool=workers --strategy by-label:rack --max-unavailable 2\n  ${out.stdout.trim() || out.stderr.trim()}`);
    if (out.code !== 0) throw new Error('rollout create failed');
    await waitForRollout(fleet, 'to-v2', (r) => r.phase === 'completed' || r.phase === 'paused', 240_000);

    say('\n== 2. OS v3 is published; its own health check (usr/lib/hostpilot/health.d/50-kubelet) fails');
    await fleet.commit('3', { 'usr/lib/hostpilot/health.d/50-kubelet': { content: '#!/bin/sh\necho "kubelet does not start on v3"\nexit 1\n', mode: 0o755 } });
    out = await fleet.hostpilotctl(['rollout', 'create', '--id', 'to-v3', '--target', '3', '--selector', 'pool=workers', '--strategy', 'by-label:rack', '--max-unavailable', '1', '--pause-after', '1', '--health-timeout', '2m']);
    say(`  $ hostpilotctl rollout create --id to-v3 --target 3 --selector pool=workers --strategy by-label:rack --max-unavailable 1 --pause-after 1\n  ${out.stdout.trim() || out.stderr.trim()}`);
    if (out.code !== 0) throw new Error('rollout create failed');
    const v3 = await waitForRollout(fleet, 'to-v3', (r) => r.phase !== 'running' || r.nodes.some((n) => n.phase === 'failed'), 240_000);

    say('\n== Summary');
    const final = await fleet.nodes();
    for (const n of final) say(`  ${n.node_id} (${n.labels.rack}): v${bootedVersion(n)}, flow ${n.flow_state}${n.flow_error ? ` (${n.flow_error})` : ''}, ${fleet.reboots(n.node_id)} reboot(s)`);
    const status = await fleet.hostpilotctl(['rollout', 'status', 'to-v3']);
    say(status.stdout.trimEnd());
    say(`  lock holders now: ${(await fleet.lockHolders()).join(', ') || 'none'}`);
    const failed = v3.nodes.filter((n) => n.phase === 'failed').map((n) => n.node_id);
    say(`  rollout to-v3 is ${v3.phase}${v3.reason ? `: ${v3.reason}` : ''}`);
    say(`  ${failed.join(', ') || 'no node'} rolled back to v2; the other nodes were never touched by v3.`);
    say(`demo finished in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return v3.phase === 'paused' && failed.length === 1 ? 0 : 1;
  } finally {
    await fleet.close();
  }
});
