// FleetLock conformance (zincati's docs/development/fleetlock/protocol.md) against a real coordinator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEETLOCK_KINDS } from '../../coordinator/http/fleetlock.js';
import { withCoordinator } from '../support/coordinator.js';

type Coordinator = Awaited<ReturnType<typeof withCoordinator>>;

describe('FleetLock HTTP', () => {
  let c: Coordinator;
  let base: string;
  beforeAll(async () => {
    c = await withCoordinator({ groups: new Map([['default', 2], ['workers', 1]]) });
    base = `http://127.0.0.1:${c.httpPort}`;
  });
  afterAll(() => c.cleanup());

  const post = (path: string, body: unknown, headers: Record<string, string> = { 'fleet-lock-protocol': 'true' }) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const params = (id: string, group = 'default') => ({ client_params: { id, group } });
  const holders = async (group = 'default') => (await c.locks.list(group))[0]!.holders.map((h) => h.nodeId);

  it('pre-reboot takes a slot, re-entrantly; steady-state releases, idempotently', async () => {
    expect((await post('/v1/pre-reboot', params('z1'))).status).toBe(200);
    expect((await post('/v1/pre-reboot', params('z1'))).status).toBe(200);
    expect(await holders()).toEqual(['z1']);
    expect((await post('/v1/steady-state', params('z1'))).status).toBe(200);
    expect((await post('/v1/steady-state', params('z1'))).status).toBe(200);
    expect(await holders()).toEqual([]);
  });

  it('a full semaphore is a non-200 with a bounded kind naming the holders', async () => {
    expect((await post('/v1/pre-reboot', params('a', 'workers'))).status).toBe(200);
    const res = await post('/v1/pre-reboot', params('b', 'workers'));
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ kind: 'failed_lock_semaphore_full', value: expect.stringContaining('a') });
    await post('/v1/steady-state', params('a', 'workers'));
  });

  const bad: Array<[string, () => Promise<Response>, number, string]> = [
    ['no protocol header', () => post('/v1/pre-reboot', params('x'), {}), 400, 'missing_protocol_header'],
    ['protocol header not "true"', () => post('/v1/pre-reboot', params('x'), { 'fleet-lock-protocol': 'yes' }), 400, 'missing_protocol_header'],
    ['malformed JSON', () => post('/v1/pre-reboot', '{"client_params":'), 400, 'malformed_request'],
    ['JSON that is not an object', () => post('/v1/pre-reboot', '[1,2]'), 400, 'malformed_request'],
    ['no client_params', () => post('/v1/pre-reboot', { id: 'x' }), 400, 'malformed_request'],
    ['empty id', () => post('/v1/pre-reboot', params('')), 400, 'invalid_client_identity'],
    ['id with a slash', () => post('/v1/pre-reboot', params('a/b')), 400, 'invalid_client_identity'],
    ['numeric id', () => post('/v1/pre-reboot', { client_params: { id: 7, group: 'default' } }), 400, 'invalid_client_identity'],
    ['group with a space', () => post('/v1/pre-reboot', params('x', 'bad group')), 400, 'invalid_client_identity'],
    ['group with underscore', () => post('/v1/pre-reboot', params('x', 'bad_group')), 400, 'invalid_client_identity'],
    ['missing group', () => post('/v1/pre-reboot', { client_params: { id: 'x' } }), 400, 'invalid_client_identity'],
    ['unknown group', () => post('/v1/pre-reboot', params('x', 'nope')), 404, 'unknown_group'],
    ['unknown group on release', () => post('/v1/steady-state', params('x', 'nope')), 404, 'unknown_group'],
    ['body over 64 KiB', () => post('/v1/pre-reboot', JSON.stringify({ ...params('x'), pad: 'p'.repeat(70_000) })), 413, 'request_too_large'],
    ['GET on a FleetLock endpoint', () => fetch(base + '/v1/pre-reboot'), 405, 'method_not_allowed'],
    ['unknown path', () => post('/v1/reboot-now', params('x')), 404, 'not_found'],
  ];

  it.each(bad)('%s: %i %s, and nothing changes', async (_name, send, status, kind) => {
    const before = JSON.stringify(await c.locks.list());
    const res = await send();
    expect(res.status).toBe(status);
    const body = (await res.json()) as { kind: string; value: string };
    expect(body.kind).toBe(kind);
    expect(FLEETLOCK_KINDS).toContain(body.kind);
    expect(body.value.length).toBeGreaterThan(0);
    expect(JSON.stringify(await c.locks.list())).toBe(before);
  });

  it('never answers bad input with a 5xx', async () => {
    const garbage = ['', 'null', '"str"', '{"client_params":null}', '{"client_params":{"id":{},"group":[]}}', '\u0000\u0001', '{"client_params":{"id":"x","group":"default"}'];
    for (const body of garbage) expect((await post('/v1/pre-reboot', body)).status).toBeLessThan(500);
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    expect((await fetch(base + '/healthz')).status).toBe(200);
    expect((await fetch(base + '/readyz')).status).toBe(200);
    const metrics = await (await fetch(base + '/metrics')).text();
    expect(metrics).toMatch(/hostpilot_lock_requests_total\{api="fleetlock",op="acquire",result="granted"\} [1-9]/);
    expect(metrics).toMatch(/hostpilot_lock_slots\{group="default"\} 2/);
  });
});
