// One coordinator on SQLite: it is the leader as soon as it campaigns.
import { LeaderState, type LeaderElection, type LeaderListener } from './election.js';

export class SingleLeader implements LeaderElection {
  private readonly state = new LeaderState();

  constructor(readonly id: string) {}

  get isLeader(): boolean {
    return this.state.isLeader;
  }

  async campaign(): Promise<void> {
    this.state.set(true);
  }

  onChange(listener: LeaderListener): () => void {
    return this.state.subscribe(listener);
  }

  async leader(): Promise<string | undefined> {
    return this.state.isLeader ? this.id : undefined;
  }

  async resign(): Promise<void> {
    this.state.set(false);
  }

  async close(): Promise<void> {
    await this.resign();
  }
}

SingleLeader satisfies new (id: string) => LeaderElection;
