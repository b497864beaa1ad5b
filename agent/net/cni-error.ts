// CNI errors as the spec defines them (SPEC.md "Error": `code`, `msg`,
// `details`). Codes 1-99 are the spec's well-known ones; 100+ are ours.

export const CniCode = {
  incompatibleVersion: 1,
  unsupportedField: 2,
  unknownContainer: 3,
  invalidEnvironment: 4,
  ioFailure: 5,
  decodeFailure: 6,
  invalidConfig: 7,
  tryAgainLater: 11,
  /** The IPAM plugin failed without a well-known code of its own, or returned nothing usable. */
  ipamFailed: 100,
  /** An `ip`/`sysctl` command on the host or in the pod failed. */
  plumbingFailed: 101,
  /** CHECK: the pod's network is not what ADD set up. */
  checkFailed: 102,
} as const;

export class CniError extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly details = '',
    options?: { cause?: unknown },
  ) {
    super(msg, options);
    this.name = 'CniError';
  }

  toJSON(cniVersion: string): { cniVersion: string; code: number; msg: string; details?: string } {
    return { cniVersion, code: this.code, msg: this.msg, ...(this.details ? { details: this.details } : {}) };
  }
}
