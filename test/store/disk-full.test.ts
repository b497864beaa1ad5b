// A SQLite store on a full filesystem (issue 15: FleetLock answered 500
// internal_error and /readyz stayed 200). A real tiny tmpfs is filled up:
// lock calls are refused as unavailable (503 store_unavailable, gRPC
// UNAVAILABLE), /readyz says not ready, and once space returns the
// coordinator is ready again by itself with nothing acknowledged lost.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { startCoordinator, type RunningCoordinator } from '../../coordinator/app.js';
import { CtlClient } from '../../ctl/client.js';
import type { LockReply__Output } from '../../proto/generated/hostpilot/v1/LockReply.js';
import { describeWith } from '../support/components.js';
import { coordinatorConfig } from '../support/coordinator.js';
import { makeTempDir, waitFor } from '../support/tmp.js';
import { httpRequest as http } from '../support/http.js';


const preReboot = (port: number, id: string) => http(port, 'POST', '/v1/pre-reboot', JSON.stringify({ client_params: { id, group: 'default' } }));

/** Writes until the filesystem refuses: ENOSPC. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  try {
    for (const size of [1 << 16, 1 << 12, 1 << 9, 1]) {
      const chunk = Buffer.alloc(size, 1);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

describeWith(['root', 'mount', 'umount'], 'SQLite store on a full disk', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let mnt: string;
  let mounted = false;
  let c: RunningCoordinator | undefined;
  let client: CtlClient | undefined;
  const config = () => coordinatorConfig(mnt, { groups: new Map([['default', 1000]]), logLevel: 'error' });

  beforeAll(async () => {
    tmp = makeTempDir('hostpilot-diskfull-');
    mnt = join(tmp.dir, 'mnt');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', mnt]);
    mounted = true;
    c = await startCoordinator(config(), { log: silentLogger });
    client = new CtlClient(`127.0.0.1:${c.grpcPort}`, undefined, 10_000);
  });
  afterAll(async () => {
    client?.close();
    await c?.close();
    if (mounted) execFileSync('umount', [mnt]);
    tmp?.remove();
  });

  const granted: string[] = [];

  it('grants locks while there is room', async () => {
    for (let i = 0; i < 5; i++) {
      expect(await preReboot(c!.httpPort, `before-${i}`)).toMatchObject({ status: 200 });
      granted.push(`before-${i}`);
    }
    expect(await http(c!.httpPort, 'GET', '/readyz')).toMatchObject({ status: 200 });
  });

  it('once the disk is full: 503 store_unavailable, gRPC UNAVAILABLE, /readyz not ready', async () => {
    fill(join(mnt, 'filler'));
    for (let i = 0; i < 20; i++) {
      const r = await preReboot(c!.httpPort, `during-${i}`);
      expect(r.status, r.text).toBe(503);
      expect(JSON.parse(r.text)).toMatchObject({ kind: 'store_unavailable', value: expect.stringContaining('disk full') });
    }
    await expect(client!.call<LockReply__Output>((o, cb) => client!.locks.Acquire({ node_id: 'grpc-during', group: 'default' }, o, cb))).rejects.toMatchObject({
      kind: 'unavailable',
    });
    expect(await http(c!.httpPort, 'GET', '/readyz')).toMatchObject({ status: 503 });
    // Still alive: /healthz answers (a full disk is no reason to restart).
    expect(await http(c!.httpPort, 'GET', '/healthz')).toMatchObject({ status: 200 });
    expect(await c!.store.answers()).toBe(true);
  });

  it('is ready again by itself once space returns, and lost nothing it acknowledged', async () => {
    rmSync(join(mnt, 'filler'));
    await waitFor(async () => (await http(c!.httpPort, 'GET', '/readyz')).status === 200, '/readyz ready again');
    expect(await preReboot(c!.httpPort, 'after-0')).toMatchObject({ status: 200 });
    granted.push('after-0');
    // A restart reads back exactly what was acknowledged: nothing lost, nothing refused got in.
    client!.close();
    client = undefined;
    await c!.close();
    c = await startCoordinator(config(), { log: silentLogger });
    const holders = (await c.locks.list('default'))[0]!.holders.map((h) => h.nodeId);
    expect(holders.sort()).toEqual([...granted].sort());
  });
});
