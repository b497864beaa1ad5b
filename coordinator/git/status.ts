// What the git source reports (hostpilotctl git status), kept in the store at
// git/status so a restart resumes at the last applied revision and any replica
// can answer.

export interface GitSourceStatus {
  url: string;
  ref: string;
  path: string;
  /** REF@sha1:<40 hex> */
  lastAttemptedRevision: string;
  lastAppliedRevision: string;
  ready: boolean;
  message: string;
  suspended: boolean;
  /** When a sync last ended with the fleet as the source declares it (applied now, or already). */
  lastAppliedAt: number;
}

export interface GitSourceApi {
  status(): Promise<GitSourceStatus>;
  /** Fetches and applies now (the leader only). */
  sync(): Promise<GitSourceStatus>;
}

export const GIT_STATUS_KEY = 'git/status';

export function revision(ref: string, sha: string): string {
  return `${ref}@sha1:${sha}`;
}
