// The reboot lock over FleetLock HTTP (for a coordinator-less fleet or an
// airlock server): POST /v1/pre-reboot and /v1/steady-state.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { InvalidArgumentError, UnavailableError } from '../../common/errors.js';
import type { TlsMaterial } from '../../common/tls.js';
import type { LockReply, RebootLock } from './ports.js';

export class FleetLockRebootLock implements RebootLock {
  private readonly base: URL;

  constructor(
    url: string,
    private readonly nodeId: string,
    private readonly group: string,
    private readonly tls?: TlsMaterial,
    private readonly timeoutMs = 15_000,
  ) {
    try {
      this.base = new URL(url);
    } catch {
      throw new InvalidArgumentError('--fleetlock-url', `${JSON.stringify(url)} is not a URL`);
    }
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new InvalidArgumentError('--fleetlock-url', 'must be http:// or https://');
  }

  async acquire(): Promise<LockReply> {
    const { status, body } = await this.post('v1/pre-reboot');
    if (status === 200) return { granted: true, holders: Array.isArray(body.holders) ? (body.holders as string[]) : [this.nodeId] };
    if (body.kind === 'failed_lock_semaphore_full' || status === 409) {
      const holders = typeof body.value === 'string' ? body.value.replace(/^.*held by:\s*/, '').split(/,\s*/).filter(Boolean) : [];
      return { granted: false, holders };
    }
    throw new UnavailableError(`FleetLock pre-reboot: ${status} ${String(body.kind ?? '')}: ${String(body.value ?? '')}`);
  }

  async release(): Promise<void> {
    const { status, body } = await this.post('v1/steady-state');
    if (status !== 200) throw new UnavailableError(`FleetLock steady-state: ${status} ${String(body.kind ?? '')}: ${String(body.value ?? '')}`);
  }

  private post(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const url = new URL(path, this.base.href.endsWith('/') ? this.base : new URL(this.base.href + '/'));
    const payload = JSON.stringify({ client_params: { id: this.nodeId, group: this.group } });
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          timeout: this.timeoutMs,
          headers: { 'fleet-lock-protocol': 'true', 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
          ...(this.tls ? { cert: this.tls.cert, key: this.tls.key, ...(this.tls.ca ? { ca: this.tls.ca } : {}) } : {}),
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            let body: Record<string, unknown> = {};
            try {
              body = JSON.parse(text) as Record<string, unknown>;
            } catch {
              // A non-JSON answer (a proxy's error page): the status code speaks.
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err) => reject(new UnavailableError(`FleetLock ${url.href}: ${err.message}`)));
      req.end(payload);
    });
  }
}
