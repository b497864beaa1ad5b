// The OS deployment backends' shared contract: what a deployment is, the
// status view the reboot flow reads, and what a mutating call returns.
// Implementations: bootc.ts (image-mode hosts), rpm-ostree.ts (rpm-ostree
// hosts) and ostree.ts (plain OSTree hosts, and every sandbox sysroot in tests
// and the demo).

export interface Deployment {
  /** `<osname>-<checksum>.<serial>`, as rpm-ostree names deployments. */
  id: string;
  osname: string;
  /** The deployed commit (for a layered rpm-ostree deployment: the layered commit). */
  checksum: string;
  /** The commit's `version` metadata ('' when it has none). */
  version: string;
  /** Refspec (`remote:ref`) or container image reference. '' when unknown. */
  origin: string;
  /** Commit timestamp, unix seconds; 0 if unknown. */
  timestamp: number;
  booted: boolean;
  /** Staged: written but only finalized at shutdown (rpm-ostree / `ostree admin deploy --stage`). */
  staged: boolean;
  pinned: boolean;
  /** Position in boot order: 0 is the default. */
  index: number;
  /**
   * rpm-ostree with layered packages: the base commit the layers sit on (what
   * a remote publishes, and what a checksum target names). Absent otherwise.
   */
  baseChecksum?: string;
  /** bootc only: `checksum` is the image digest; these are the rest of bootc's entry. */
  bootc?: BootcFacts;
}

export interface BootcFacts {
  /** The image reference the deployment follows (`quay.io/…:tag`; non-registry transports prefixed). */
  image: string;
  /** The ostree commit under the image ('' on a composefs-only host). */
  ostreeChecksum: string;
  /** Has changes bootc does not understand (rpm-ostree client-side layering). */
  incompatible: boolean;
  /** Relative to the booted system, a target for a systemd soft reboot (userspace only). */
  softRebootCapable: boolean;
  /** Staged with `--download-only`: not applied by a shutdown, only by `upgrade --from-downloaded`. */
  downloadOnly: boolean;
}

export interface OsStatus {
  /** Boot order, the default first. */
  deployments: Deployment[];
  booted?: Deployment;
  /** The default deployment when it is not the booted one: what the next boot brings. */
  pending?: Deployment;
  /** The deployment a rollback would make the default. */
  rollback?: Deployment;
  /** rpm-ostree: a daemon transaction is running. Always false for plain ostree. */
  transactionActive: boolean;
}

export interface OsChange {
  changed: boolean;
  /** One line for a person: what was done, or why nothing was. */
  message: string;
  before: OsStatus;
  after: OsStatus;
}

export type OsBackendName = 'bootc' | 'rpm-ostree' | 'ostree';
/** What `--backend` takes: a backend, or `auto` (detect it on the host). */
export type OsBackendChoice = OsBackendName | 'auto';

export interface OsBackend {
  readonly name: OsBackendName;
  status(): Promise<OsStatus>;
  /** Fetch and deploy the newest commit of the default deployment's origin. */
  upgrade(): Promise<OsChange>;
  /** Deploy a version, a checksum (or unique prefix) or a refspec as the new default. */
  deploy(target: string): Promise<OsChange>;
  /** Make the previous deployment the default again. */
  rollback(): Promise<OsChange>;
  /** Remove the pending deployment (undo a staged/prepared update that was not booted). */
  cleanup(): Promise<OsChange>;
}

/**
 * Derives the booted / pending / rollback view from a boot-ordered list, with
 * the same rules as libostree's query_deployments_for(): pending is the default
 * when it is not booted; rollback is the first deployment after the booted one,
 * or, when the default is pending, the booted one itself (a rollback then
 * returns to what runs now). With nothing booted (a sysroot that is not the
 * running system and has no sandbox marker) there is no pending, and rollback
 * is the second deployment.
 */
export function deriveStatus(deployments: Deployment[], transactionActive: boolean): OsStatus {
  const booted = deployments.find((d) => d.booted);
  const first = deployments[0];
  const status: OsStatus = { deployments, transactionActive };
  if (booted) status.booted = booted;
  if (booted && first && !first.booted) {
    status.pending = first;
    status.rollback = booted;
  } else if (booted) {
    const after = deployments.find((d) => d.index > booted.index && d.osname === booted.osname);
    if (after) status.rollback = after;
  } else if (deployments[1]) {
    status.rollback = deployments[1];
  }
  return status;
}

/** Same deployments in the same order with the same flags: nothing changed. */
export function sameDeployments(a: OsStatus, b: OsStatus): boolean {
  if (a.deployments.length !== b.deployments.length) return false;
  return a.deployments.every((d, i) => {
    const o = b.deployments[i]!;
    return d.id === o.id && d.booted === o.booted && d.staged === o.staged && d.pinned === o.pinned && d.origin === o.origin;
  });
}

/** `version (abcdef1)` for messages. */
export function describeDeployment(d: Deployment | undefined): string {
  if (!d) return 'none';
  const short = d.checksum.slice(0, 12);
  return d.version ? `${d.version} (${short})` : short;
}
