// Errors of the OS backends. Each is a HostpilotError with a `kind`, so the
// CLI prints one line and the agent can use the kind as a metric label.
import { FailedPreconditionError, HostpilotError, InvalidArgumentError, NotFoundError } from '../../common/errors.js';

/** `os deploy TARGET` where TARGET matches no version, checksum or refspec. */
export class UnknownTargetError extends NotFoundError {
  constructor(
    readonly target: string,
    where: string,
  ) {
    super(`target ${JSON.stringify(target)} matches no version, checksum or refspec ${where}`);
  }
}

/** A version or checksum prefix that names more than one commit. */
export class AmbiguousTargetError extends InvalidArgumentError {
  constructor(
    readonly target: string,
    readonly checksums: readonly string[],
  ) {
    super('target', `${JSON.stringify(target)} matches ${checksums.length} commits (${checksums.map((c) => c.slice(0, 12)).join(', ')}); give a longer checksum`);
  }
}

/** rpm-ostree is already running a transaction: starting another would fail or race. */
export class TransactionActiveError extends FailedPreconditionError {
  constructor(readonly transaction: readonly string[]) {
    super(`rpm-ostree transaction in progress (${transaction.filter(Boolean).join(', ') || 'unknown'}); refusing to start another, retry when it finishes`);
  }
}

/** A tool's output did not have the shape we rely on. Nothing was changed after it. */
export class OsOutputError extends HostpilotError {
  constructor(
    readonly command: string,
    detail: string,
  ) {
    super('internal', `${command}: unexpected output: ${detail}`);
  }
}

/** bootc cannot manage this host: its deployment has client-side changes (rpm-ostree layering). */
export class IncompatibleHostError extends FailedPreconditionError {
  constructor(detail: string) {
    super(`bootc cannot manage this host: ${detail} (client-side layering); use the rpm-ostree backend (--backend rpm-ostree)`);
  }
}

/** `bootc status` answers but shows no booted image: the host was not deployed by bootc. */
export class NotBootcHostError extends FailedPreconditionError {
  constructor() {
    super('bootc status shows no booted image: this host is not a bootc host; use --backend rpm-ostree or ostree');
  }
}
