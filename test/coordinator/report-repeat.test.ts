// An idle fleet's traffic is heartbeats that repeat the node's last report
// byte for byte; the coordinator takes such a repeat without decoding it
// (fleetService, FleetRegistry.repeatReport). These tests hold the shortcut to
// the full path's meaning: only lastSeen moves, nothing is written, and a
// record changed since the last report (an operator's reset, a new
// registration) is brought back in line by the next report, repeat or not.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostpilotProto } from '../../common/proto.js';
import { reportChange } from '../../coordinator/fleet/registry.js';
import type { NodeRecord } from '../../coordinator/fleet/node-record.js';
import type { Directive__Output } from '../../proto/generated/hostpilot/v1/Directive.js';
import type { NodeReport } from '../../proto/generated/hostpilot/v1/NodeReport.js';
import { withCoordinator } from '../support/coordinator.js';

const REPORT = '/hostpilot.v1.Fleet/Report';

/** A Report stream that sends raw bytes, as an agent's encoder would produce them (or not). */
class RawStream {
  readonly directives: Directive__Output[] = [];
  readonly done: Promise<grpc.StatusObject>;
  private readonly stream: grpc.ClientDuplexStream<Buffer, Directive__Output>;
  constructor(client: grpc.Client) {
    const fleet = hostpilotProto().hostpilot.v1.Fleet.service.Report;
    this.stream = client.makeBidiStreamRequest(REPORT, (b: Buffer) => b, (b: Buffer) => fleet.responseDeserialize(b));
    this.stream.on('data', (d: Directive__Output) => this.directives.push(d));
    this.done = new Promise((resolve) => {
      this.stream.on('status', resolve);
      this.stream.on('error', () => undefined);
    });
  }
  send(bytes: Buffer): void {
    this.stream.write(bytes);
  }
  end(): void {
    this.stream.end();
  }
}

function encode(report: NodeReport): Buffer {
  return hostpilotProto().hostpilot.v1.Fleet.service.Report.requestSerialize(report);
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a report that repeats the last one byte for byte', () => {
  let c: Awaited<ReturnType<typeof withCoordinator>>;
  let client: grpc.Client;
  beforeAll(async () => {
    c = await withCoordinator();
    client = new grpc.Client(`127.0.0.1:${c.grpcPort}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await c?.cleanup();
  });

  const idle: NodeReport = {
    node_id: 'r1',
    hostname: 'r1.example.com',
    labels: { pool: 'workers', rack: 'rack-01' },
    deployments: [{ id: 'd1', osname: 'fedora-coreos', checksum: 'c1', version: '41.1', booted: true }],
    flow_state: 'idle',
    conditions: [{ type: 'KernelDeadlock', status: false, reason: 'KernelHasNoDeadlock', transition_unix_ms: 1_700_000_000_000 }],
  };

  it('moves only lastSeen and writes nothing', async () => {
    const s = new RawStream(client);
    s.send(encode(idle));
    await until('the node is known', () => c.fleet.view('r1')?.connected === true);
    const stored = JSON.stringify(await c.store.get('nodes/r1'));
    for (let i = 0; i < 3; i++) {
      // One at a time, each after the last was applied: none is coalesced with another.
      const seen = c.fleet.view('r1')!.lastSeen;
      await new Promise((r) => setTimeout(r, 5));
      s.send(encode(idle));
      await until('lastSeen moves', () => c.fleet.view('r1')!.lastSeen > seen);
    }
    expect(c.fleet.view('r1')).toMatchObject({ state: 'ready', flowState: 'idle', labels: idle.labels, hostname: 'r1.example.com' });
    expect(JSON.stringify(await c.store.get('nodes/r1'))).toBe(stored);
    const metrics = await (await fetch(`http://127.0.0.1:${c.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^hostpilot_report_repeated_total 3$/m);

    // A changed report after repeats is applied in full.
    s.send(encode({ ...idle, flow_state: 'failed', flow_error: 'health check failed' }));
    await until('the failure is seen', () => c.fleet.view('r1')!.flowState === 'failed');
    expect(c.fleet.view('r1')).toMatchObject({ state: 'degraded', flowError: 'health check failed' });
    expect(await c.store.get('nodes/r1')).toMatchObject({ flowState: 'failed', flowError: 'health check failed' });
    s.end();
    await s.done;
  });

  it('after an operator reset, the next repeat clears the reset as a full report would', async () => {
    const s = new RawStream(client);
    s.send(encode({ ...idle, node_id: 'r2', hostname: 'r2' }));
    await until('the node is known', () => c.fleet.view('r2')?.connected === true);
    await c.fleet.reset('r2');
    await until('the agent is told', () => s.directives.some((d) => d.reset));
    expect(c.fleet.view('r2')!.resetAt).toBeDefined();
    s.send(encode({ ...idle, node_id: 'r2', hostname: 'r2' }));
    await until('the reset is cleared', () => c.fleet.view('r2')!.resetAt === undefined);
    expect((await c.store.get<NodeRecord>('nodes/r2'))?.resetAt).toBeUndefined();
    s.end();
    await s.done;
  });

  it('after a registration changed the labels, the next repeat puts the reported labels back', async () => {
    const s = new RawStream(client);
    const report = { ...idle, node_id: 'r3', hostname: 'r3' };
    s.send(encode(report));
    await until('the node is known', () => c.fleet.view('r3')?.connected === true);
    await c.fleet.register({ node_id: 'r3', hostname: 'r3', labels: { pool: 'infra' }, os: null, agent_version: '' });
    expect(c.fleet.view('r3')!.labels).toEqual({ pool: 'infra' });
    s.send(encode(report));
    await until('the labels are the report\'s', () => c.fleet.view('r3')!.labels.pool === 'workers');
    expect(c.fleet.view('r3')!.labels).toEqual(report.labels);
    s.end();
    await s.done;
  });

  it('refuses bytes that are not a NodeReport with INVALID_ARGUMENT, and keeps nothing', async () => {
    const s = new RawStream(client);
    // Field 15 with wire type 7, which protobuf does not have.
    s.send(Buffer.from([0x7f, 0x00]));
    const status = await s.done;
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(status.details).toMatch(/^report: is not a NodeReport message/);
    expect(c.fleet.list().map((n) => n.nodeId)).toEqual(['r1', 'r2', 'r3']);
  });
});

describe('reportChange', () => {
  const base = {
    nodeId: 'n',
    hostname: 'n',
    labels: { pool: 'workers', rack: 'a' },
    os: null,
    deployments: [{ id: 'd', version: '1', booted: true }],
    flowState: 'idle',
    flowTarget: '',
    flowError: '',
    conditions: [],
    lastSeen: 1,
  } as unknown as NodeRecord;

  it('sees no change in lastSeen, in key order, or in a field set to undefined', () => {
    expect(reportChange(base, { ...base, lastSeen: 2 })).toBe('none');
    expect(reportChange(base, { ...base, labels: { rack: 'a', pool: 'workers' } })).toBe('none');
    expect(reportChange(base, { ...base, configHash: undefined })).toBe('none');
    expect(reportChange(base, { ...base, deployments: [{ id: 'd', version: '1', booted: true }] } as unknown as NodeRecord)).toBe('none');
  });

  it('tells a stage change from a change of fields', () => {
    expect(reportChange(base, { ...base, flowState: 'locking' })).toBe('stage');
    expect(reportChange(base, { ...base, flowTarget: '2' })).toBe('stage');
    expect(reportChange(base, { ...base, flowState: 'locking', flowError: 'x' })).toBe('fields');
    expect(reportChange(base, { ...base, labels: { pool: 'workers' } })).toBe('fields');
    expect(reportChange(base, { ...base, labels: { pool: 'workers', rack: 'b' } })).toBe('fields');
    expect(reportChange(base, { ...base, configHash: 'h' })).toBe('fields');
    expect(reportChange(base, { ...base, deployments: [] })).toBe('fields');
    expect(reportChange(base, { ...base, deployments: [{ id: 'd', version: '1', booted: false }] } as unknown as NodeRecord)).toBe('fields');
    expect(reportChange(base, { ...base, os: { kernel: '6.1' } } as unknown as NodeRecord)).toBe('fields');
  });
});
