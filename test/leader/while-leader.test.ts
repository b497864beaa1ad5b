// runWhileLeader with the always-leader election: no etcd needed.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { SingleLeader } from '../../coordinator/leader/single.js';
import { runWhileLeader } from '../../coordinator/leader/while-leader.js';

describe('runWhileLeader', () => {
  it('runs the task while leading, aborts it on step-down, runs it again when re-elected', async () => {
    const election = new SingleLeader('c1');
    const log: string[] = [];
    let run = 0;
    const task = (signal: AbortSignal) => {
      const n = ++run;
      log.push(`start ${n}`);
      return new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => {
          log.push(`abort ${n}`);
          resolve();
        }),
      );
    };
    const handle = runWhileLeader(election, task, silentLogger);
    expect(log).toEqual([]);
    await election.campaign();
    expect(log).toEqual(['start 1']);
    await election.resign();
    expect(log).toEqual(['start 1', 'abort 1']);
    await election.campaign();
    await handle.stop();
    expect(log).toEqual(['start 1', 'abort 1', 'start 2', 'abort 2']);
    await election.resign();
    await election.campaign();
    expect(run).toBe(2);
  });

  it('starts at once when already leader, and survives a failing task', async () => {
    const election = new SingleLeader('c1');
    await election.campaign();
    let calls = 0;
    const handle = runWhileLeader(
      election,
      async () => {
        calls++;
        throw new Error('boom');
      },
      silentLogger,
    );
    expect(calls).toBe(1);
    await election.resign();
    await election.campaign();
    expect(calls).toBe(2);
    await handle.stop();
  });
});
