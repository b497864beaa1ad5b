// --store etcd:https://... with --etcd-ca/--etcd-cert/--etcd-key against a
// real etcd that requires client certificates.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UnavailableError } from '../../common/errors.js';
import { openStore, parseStoreSpec } from '../../coordinator/store/open.js';
import type { Store } from '../../coordinator/store/store.js';
import { TestPki, type CertFiles } from '../support/certs.js';
import { describeWith } from '../support/components.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';

describeWith(['etcd', 'openssl'], 'EtcdStore over TLS with client certificates', () => {
  let dir: string;
  let pki: TestPki;
  let client: CertFiles;
  let etcd: EtcdServer | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hostpilot-etcd-tls-'));
    pki = await TestPki.create(dir);
    const server = await pki.issue('server', 'etcd', ['IP:127.0.0.1', 'DNS:localhost']);
    client = await pki.issue('client', 'hostpilot-coordinator');
    etcd = await startEtcd({ tls: { ...server, ca: pki.ca } });
  });
  afterAll(async () => {
    await etcd?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens from the flags and reads and writes', async () => {
    const spec = parseStoreSpec(`etcd:${etcd!.endpoint}`, { prefix: '/tls/', ca: pki.ca, cert: client.cert, key: client.key });
    expect(spec).toMatchObject({ kind: 'etcd', tls: { ca: pki.ca } });
    const store: Store = await openStore(spec);
    try {
      expect(await store.ready()).toBe(true);
      await store.put('nodes/n1', { ok: true });
      expect(await store.update<{ ok: boolean }, boolean>('nodes/n1', (c) => ({ result: c!.ok }))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('is unavailable without a client certificate, and says so', async () => {
    const store = await openStore(parseStoreSpec(`etcd:${etcd!.endpoint}`, { ca: pki.ca }));
    try {
      expect(await store.ready()).toBe(false);
      await expect(store.get('nodes/n1')).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      await store.close();
    }
  });

  it('refuses a missing certificate file naming the flag', async () => {
    await expect(openStore(parseStoreSpec(`etcd:${etcd!.endpoint}`, { ca: join(dir, 'nope.pem') }))).rejects.toMatchObject({ field: '--etcd-ca' });
  });
});
