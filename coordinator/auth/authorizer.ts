// Who may do what. With mTLS, a caller is the identities its client
// certificate names: a node may act (acquire, release, report) only as
// itself, and admin calls need an identity the config names as admin.
// Without TLS there is no identity to check: the coordinator then listens
// only on loopback unless --insecure.
import type { PeerCertificate } from 'node:tls';
import { PermissionDeniedError, UnauthenticatedError } from '../../common/errors.js';
import { certificateIdentities } from '../../common/tls.js';

export interface Caller {
  /** undefined: the transport authenticates nobody (no mTLS). */
  identities: string[] | undefined;
}

export class Authorizer {
  constructor(
    /** True when client certificates are required and checked. */
    readonly enforce: boolean,
    private readonly admins: ReadonlySet<string>,
  ) {}

  callerFromCertificate(cert: PeerCertificate | undefined | null): Caller {
    if (!this.enforce) return { identities: undefined };
    const identities = certificateIdentities(cert);
    if (identities.length === 0) throw new UnauthenticatedError('a client certificate is required');
    return { identities };
  }

  isAdmin(caller: Caller): boolean {
    return caller.identities === undefined || caller.identities.some((id) => this.admins.has(id));
  }

  /** A node acts only as itself; an admin may act for any node. */
  requireNode(caller: Caller, nodeId: string): void {
    if (caller.identities === undefined || caller.identities.includes(nodeId) || this.isAdmin(caller)) return;
    throw new PermissionDeniedError(`certificate for ${caller.identities.join(', ')} may not act as node ${JSON.stringify(nodeId)}`);
  }

  requireAdmin(caller: Caller): void {
    if (this.isAdmin(caller)) return;
    throw new PermissionDeniedError(`certificate for ${caller.identities!.join(', ')} is not an admin identity`);
  }
}
