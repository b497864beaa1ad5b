// Runs a task (the rollout controller) only while this replica leads: started
// when elected, aborted through its AbortSignal as soon as leadership is lost
// (the task must stop writing when the signal fires), started again when
// elected again. The task keeps its progress in the store, so whichever
// replica leads next continues where the last one stopped.
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/log.js';
import type { LeaderElection } from './election.js';

export interface LeaderTask {
  /** Stops following the election and aborts the task if it runs; resolves when it has returned. */
  stop(): Promise<void>;
}

export function runWhileLeader(election: LeaderElection, task: (signal: AbortSignal) => Promise<void>, log: Logger): LeaderTask {
  let current: { abort: AbortController; done: Promise<void> } | undefined;
  let stopped = false;

  const start = () => {
    if (current || stopped) return;
    const abort = new AbortController();
    log.info('leader: starting task');
    const done = task(abort.signal).then(
      () => log.info('leader: task returned'),
      (err: unknown) => {
        if (!abort.signal.aborted) log.error('leader: task failed', { error: errorMessage(err) });
      },
    );
    current = { abort, done };
    void done.then(() => {
      if (current?.done === done) current = undefined;
    });
  };

  const halt = async () => {
    const running = current;
    current = undefined;
    if (!running) return;
    log.info('leader: stopping task');
    running.abort.abort(new Error('leadership lost'));
    await running.done;
  };

  const unsubscribe = election.onChange((isLeader) => (isLeader ? start() : void halt()));
  if (election.isLeader) start();

  return {
    async stop() {
      stopped = true;
      unsubscribe();
      await halt();
    },
  };
}
