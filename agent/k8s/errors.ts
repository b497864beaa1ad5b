import { HostpilotError } from '../../common/errors.js';

/** The optimistic-concurrency failure (HTTP 409): re-read and try again. Kept apart from api.ts so
 *  modules that only need this do not load @kubernetes/client-node. */
export class ConflictError extends HostpilotError {
  constructor(message: string) {
    super('conflict', message);
  }
}
