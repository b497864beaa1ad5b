// Who may do what. With mTLS, a caller is the identities its client
// certificate names: a node may act (acquire, release, report) only as
// itself, and admin calls need an identity the config names as admin.
// Without TLS there is no identity to check: the coordinator then listens
// only on loopback unless --insecure. FleetLock alone may also admit clients
// without a certificate (--fleetlock-anonymous, for Zincati fleets that have
// none); such a caller is `anonymous` and may never act for an identity that
// authenticates with a certificate (coordinator/locks/lock-service.ts).
import type { PeerCertificate } from 'node:tls';
import { PermissionDeniedError, UnauthenticatedError } from '../../common/errors.js';
import { certificateIdentities } from '../../common/tls.js';

export interface Caller {
  /** undefined: the transport authenticates nobody (no mTLS), or the caller showed no certificate. */
  identities: string[] | undefined;
  /** Certificates are checked on this API but this caller was let in without one. */
  anonymous?: true;
}

/** none: no client certificates (no --tls-ca); required: every call shows one; optional: a call without one is anonymous. */
export type ClientCertMode = 'none' | 'required' | 'optional';

export class Authorizer {
  constructor(
    readonly mode: ClientCertMode,
    private readonly admins: ReadonlySet<string>,
  ) {}

  /** True when client certificates are asked for and checked. */
  get enforce(): boolean {
    return this.mode !== 'none';
  }

  callerFromCertificate(cert: PeerCertificate | undefined | null): Caller {
    if (this.mode === 'none') return { identities: undefined };
    const identities = certificateIdentities(cert);
    if (identities.length > 0) return { identities };
    if (this.mode === 'optional') return { identities: undefined, anonymous: true };
    throw new UnauthenticatedError('a client certificate is required');
  }

  isAdmin(caller: Caller): boolean {
    if (caller.anonymous) return false;
    return caller.identities === undefined || caller.identities.some((id) => this.admins.has(id));
  }

  /** A node acts only as itself; an admin may act for any node. Anonymous callers are checked by the lock service. */
  requireNode(caller: Caller, nodeId: string): void {
    if (caller.identities === undefined || caller.identities.includes(nodeId) || this.isAdmin(caller)) return;
    throw new PermissionDeniedError(`certificate for ${caller.identities.join(', ')} may not act as node ${JSON.stringify(nodeId)}`);
  }

  requireAdmin(caller: Caller): void {
    if (this.isAdmin(caller)) return;
    if (caller.anonymous) throw new PermissionDeniedError('a caller without a client certificate may not make admin calls');
    throw new PermissionDeniedError(`certificate for ${caller.identities!.join(', ')} is not an admin identity`);
  }
}
