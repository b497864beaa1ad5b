// hostpilotctl rollout status in pages: the summary, one page at a time with
// --page-size/--page-token, every node with --nodes, counts only with --summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRolloutSpec } from '../../common/api/rollout-spec.js';
import { withCoordinator } from '../support/coordinator.js';
import { nodeReport } from '../support/node-report.js';
import { runProgram } from '../support/programs.js';
import { makeTempDir } from '../support/tmp.js';

const home = makeTempDir('hostpilot-ctl-home-');
let c: Awaited<ReturnType<typeof withCoordinator>>;
let addr: string;
const ids = Array.from({ length: 25 }, (_, i) => `n${String(i).padStart(2, '0')}`);

function ctl(args: string[]) {
  return runProgram('ctl', [...args, '--coordinator', addr], { HOME: home.dir, XDG_CONFIG_HOME: `${home.dir}/.config`, HOSTPILOT_COORDINATOR: '', HOSTPILOT_CONTEXT: '' });
}

beforeAll(async () => {
  c = await withCoordinator({ groups: new Map([['default', 5]]) });
  addr = `127.0.0.1:${c.grpcPort}`;
  for (const id of ids) await c.fleet.report(nodeReport(id, '1', 'idle', '', { labels: { pool: 'workers', rack: id < 'n13' ? 'r1' : 'r2' } }));
  await c.rollouts.create(parseRolloutSpec({ id: 'r1', target: '2', strategy: 'by-label:rack', max_unavailable: '2' }));
});
afterAll(async () => {
  await c?.cleanup();
  home.remove();
});

describe('hostpilotctl rollout status', { timeout: 120_000 }, () => {
  it('pages the nodes in id order, lists them all with --nodes, counts only with --summary', async () => {
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const r = await ctl(['rollout', 'status', 'r1', '--page-size', '10', ...(token ? ['--page-token', token] : []), '-o', 'json']);
      expect(r.code, r.stderr).toBe(0);
      const page = JSON.parse(r.stdout);
      expect(page.total_nodes).toBe(25);
      expect(page.bucket_summaries.map((b: { name: string; total: number }) => `${b.name}:${b.total}`)).toEqual(['rack=r1:13', 'rack=r2:12']);
      // A page is not the whole rollout: buckets come without their members.
      expect(page.buckets).toEqual([]);
      seen.push(...page.nodes.map((n: { node_id: string }) => n.node_id));
      token = page.next_node_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);

    const all = JSON.parse((await ctl(['rollout', 'status', 'r1', '--nodes', '-o', 'json'])).stdout);
    expect(all.nodes.map((n: { node_id: string }) => n.node_id)).toEqual(ids);
    expect(all.nodes.every((n: { error?: string }) => 'error' in n)).toBe(true);
    expect(typeof all.message).toBe('string');

    const summary = JSON.parse((await ctl(['rollout', 'status', 'r1', '--summary', '-o', 'json'])).stdout);
    expect(summary.nodes).toEqual([]);
    expect(summary.node_counts.waiting + summary.node_counts.updating).toBe(25);

    const human = await ctl(['rollout', 'status', 'r1']);
    expect(human.stdout).toMatch(/bucket rack=r1 .* 0\/13/);
    expect(human.stdout).toMatch(/pool   workers/);
  });

  it('refuses bad page flags with one line naming the flag or field, changing nothing', async () => {
    const big = await ctl(['rollout', 'status', 'r1', '--page-size', '5000']);
    expect(big.code).not.toBe(0);
    expect(big.stderr.trim().split('\n')).toHaveLength(1);
    expect(big.stderr).toMatch(/--page-size/);
    const tokenOnly = await ctl(['rollout', 'status', 'r1', '--page-token', 'abc']);
    expect(tokenOnly.stderr).toMatch(/--page-token needs --page-size/);
    const badToken = await ctl(['rollout', 'status', 'r1', '--page-size', '5', '--page-token', '!!!']);
    expect(badToken.code).not.toBe(0);
    expect(badToken.stderr).toMatch(/node_page_token/);
  });
});
