// The agent keeps its Report stream to the coordinator, and comes back after a coordinator restart.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/log.js';
import { startAgent } from '../../agent/daemon.js';
import { coordinatorConfig } from '../support/coordinator.js';
import { startCoordinator, type RunningCoordinator } from '../../coordinator/app.js';
import { silentLogger } from '../../common/log.js';
import { freePort } from '../support/programs.js';
import { makeTempDir, waitFor } from '../support/tmp.js';
import { agentConfig } from '../support/agent.js';

describe('agent ↔ coordinator', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('registers, reports, and reconnects after the coordinator restarts, saying so once', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.remove);
    const port = await freePort();
    const config = coordinatorConfig(tmp.dir, { grpcListen: { host: '127.0.0.1', port }, heartbeatIntervalMs: 200 });
    let coordinator: RunningCoordinator = await startCoordinator(config, { log: silentLogger });
    cleanups.push(() => coordinator.close());

    const lines: Array<{ msg: string }> = [];
    const agent = await startAgent(
      agentConfig(tmp.dir, { coordinator: `127.0.0.1:${port}`, labels: { pool: 'workers', rack: 'r1' }, logLevel: 'info' }),
      { log: createLogger({ component: 'agent', write: (l) => lines.push(JSON.parse(l)) }) },
    );
    cleanups.push(() => agent.close());

    await waitFor(() => coordinator.fleet.view('node-a')?.connected, 'node-a connected');
    expect(coordinator.fleet.view('node-a')).toMatchObject({ labels: { pool: 'workers', rack: 'r1' }, state: 'ready' });
    const metrics = await (await fetch(`http://127.0.0.1:${agent.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^hostpilot_agent_coordinator_connected 1$/m);
    // The agent's heartbeats repeat its last report byte for byte: the coordinator takes them without decoding.
    await waitFor(async () => /^hostpilot_report_repeated_total [1-9]/m.test(await (await fetch(`http://127.0.0.1:${coordinator.httpPort}/metrics`)).text()), 'heartbeats taken as repeats');

    await coordinator.close();
    await waitFor(() => !agent.client.connected, 'agent sees the coordinator gone');
    // Let a few reconnect attempts fail while it is down.
    await new Promise((r) => setTimeout(r, 1500));
    coordinator = await startCoordinator(config, { log: silentLogger });
    await waitFor(() => coordinator.fleet.view('node-a')?.connected, 'node-a reconnected', 40_000);
    // The agent says so when the coordinator's "accepted" reaches it, a moment after the coordinator attached the stream.
    await waitFor(() => agent.client.connected, 'the agent connected again');

    const said = lines.map((l) => l.msg);
    expect(said.filter((m) => m === 'coordinator unreachable; retrying with backoff')).toHaveLength(1);
    expect(said.filter((m) => m === 'reconnected to coordinator')).toHaveLength(1);
    // The restarted coordinator knew the node from its store before the agent came back.
    expect(coordinator.fleet.view('node-a')!.labels).toEqual({ pool: 'workers', rack: 'r1' });
  });
});
