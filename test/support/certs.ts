// A throw-away CA and certificates made with the real openssl, for mTLS tests.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessRunner } from '../../common/exec/runner.js';

const runner = new ProcessRunner();

export interface CertFiles {
  cert: string;
  key: string;
}

export class TestPki {
  readonly ca: string;
  private readonly caKey: string;
  private serial = 1;

  private constructor(private readonly dir: string) {
    this.ca = join(dir, 'ca.pem');
    this.caKey = join(dir, 'ca.key');
  }

  static async create(dir: string): Promise<TestPki> {
    const pki = new TestPki(dir);
    await runner.run({
      argv: ['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', pki.caKey, '-out', pki.ca, '-days', '2', '-subj', '/CN=hostpilot-test-ca'],
    });
    return pki;
  }

  /** A certificate with CN=`cn` and the given DNS/IP SANs, signed by the CA. */
  async issue(name: string, cn: string, sans: string[] = []): Promise<CertFiles> {
    const key = join(this.dir, `${name}.key`);
    const csr = join(this.dir, `${name}.csr`);
    const cert = join(this.dir, `${name}.pem`);
    const ext = join(this.dir, `${name}.ext`);
    writeFileSync(ext, sans.length ? `subjectAltName=${sans.join(',')}\n` : 'basicConstraints=CA:FALSE\n');
    await runner.run({ argv: ['openssl', 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`] });
    await runner.run({
      argv: ['openssl', 'x509', '-req', '-in', csr, '-CA', this.ca, '-CAkey', this.caKey, '-set_serial', String(this.serial++), '-days', '2', '-out', cert, '-extfile', ext],
    });
    return { cert, key };
  }
}
