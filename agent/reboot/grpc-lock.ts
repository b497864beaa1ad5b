// The reboot lock over hostpilot's gRPC Locks service.
import type { CoordinatorClient } from '../coordinator/client.js';
import type { LockReply, RebootLock } from './ports.js';

export class GrpcRebootLock implements RebootLock {
  constructor(
    private readonly client: Pick<CoordinatorClient, 'acquire' | 'release'>,
    readonly group: string,
  ) {}

  async acquire(): Promise<LockReply> {
    const reply = await this.client.acquire(this.group);
    return { granted: reply.granted, holders: reply.holders };
  }

  async release(): Promise<void> {
    await this.client.release(this.group);
  }
}
