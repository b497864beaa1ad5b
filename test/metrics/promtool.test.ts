// Both programs' /metrics pass `promtool check metrics`, and every name starts hostpilot_.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../agent/daemon.js';
import { silentLogger } from '../../common/log.js';
import { describeWith } from '../support/components.js';
import { withCoordinator } from '../support/coordinator.js';
import { promtoolCheck } from '../support/promtool.js';
import { waitFor } from '../support/tmp.js';
import { agentConfig } from '../support/agent.js';

describeWith(['promtool'], '/metrics', () => {
  let c: Awaited<ReturnType<typeof withCoordinator>>;
  let agent: RunningAgent;
  beforeAll(async () => {
    c = await withCoordinator({ groups: new Map([['default', 2], ['workers', 3]]) });
    agent = await startAgent(
      agentConfig(c.dir, { coordinator: `127.0.0.1:${c.grpcPort}`, nodeId: 'm1' }),
      { log: silentLogger },
    );
    await waitFor(() => agent.client.connected, 'agent connected');
    await c.locks.acquire('m1', 'workers', 'grpc');
  });
  afterAll(async () => {
    await agent?.close();
    await c?.cleanup();
  });

  const names = (text: string) => [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!);

  it('coordinator /metrics passes promtool', async () => {
    const text = await (await fetch(`http://127.0.0.1:${c.httpPort}/metrics`)).text();
    expect(text).toMatch(/hostpilot_lock_holders\{group="workers"\} 1/);
    expect(text).toMatch(/hostpilot_nodes\{state="ready"\} 1/);
    expect(names(text).filter((n) => !n.startsWith('hostpilot_'))).toEqual([]);
    expect(await promtoolCheck(text)).toBe('');
  });

  it('agent /metrics passes promtool', async () => {
    const text = await (await fetch(`http://127.0.0.1:${agent.metricsPort}/metrics`)).text();
    expect(text).toMatch(/hostpilot_agent_coordinator_connected 1/);
    expect(names(text).filter((n) => !n.startsWith('hostpilot_'))).toEqual([]);
    expect(await promtoolCheck(text)).toBe('');
  });
});
