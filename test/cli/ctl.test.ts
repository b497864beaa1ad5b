// hostpilotctl as operators use it (issue 14, point 7), one block per item,
// the built program against an in-process coordinator on loopback.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { nodeReport } from '../support/node-report.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { TestPki, type CertFiles } from '../support/certs.js';
import { describeWith } from '../support/components.js';
import { withCoordinator } from '../support/coordinator.js';
import { ROOT, runProgram } from '../support/programs.js';
import { makeTempDir } from '../support/tmp.js';

type Coordinator = Awaited<ReturnType<typeof withCoordinator>>;

/** Runs hostpilotctl with no HOSTPILOT_* variables and no config file unless given: the developer's own do not leak in. */
function ctl(args: string[], env: Record<string, string> = {}, home = isolated.dir) {
  return runProgram('ctl', args, {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    HOSTPILOT_COORDINATOR: '',
    HOSTPILOT_TLS_CERT: '',
    HOSTPILOT_TLS_KEY: '',
    HOSTPILOT_TLS_CA: '',
    HOSTPILOT_CONTEXT: '',
    ...env,
  });
}

const isolated = makeTempDir('hostpilot-ctl-home-');
let c: Coordinator;
let addr: string;

beforeAll(async () => {
  c = await withCoordinator({ groups: new Map([['default', 1], ['infra', 1]]) });
  addr = `127.0.0.1:${c.grpcPort}`;
  for (const id of ['n1', 'n2']) {
    await c.fleet.report(nodeReport(id, '1', 'idle', '', { deployments: [{ id: '1', osname: 'os', checksum: 'c1', version: '1', origin: 'os:stable', booted: true, staged: false, pinned: false, index: 0, timestamp_unix: 0 }] }));
  }
});
afterAll(async () => {
  await c?.cleanup();
  isolated.remove();
});

function writeConfig(dir: string, text: string, name = 'ctl.yaml'): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('global flags before or after the command', () => {
  it('gives the same answer either way', async () => {
    await c.locks.acquire('n1', 'default', 'grpc');
    const before = await ctl(['-o', 'json', '--coordinator', addr, 'locks', 'list']);
    const after = await ctl(['locks', 'list', '--coordinator', addr, '-o', 'json']);
    const between = await ctl(['--coordinator', addr, 'locks', 'list', '--output=json']);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toEqual(JSON.parse(after.stdout));
    expect(JSON.parse(between.stdout)).toEqual(JSON.parse(after.stdout));
    await c.locks.release('n1', 'default', 'grpc');
  });

  it('refuses a command flag before the command, in one line', async () => {
    const r = await ctl(['--bogus', 'locks', 'list']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--bogus/);
  });
});

describe('the environment', () => {
  it('takes the coordinator from HOSTPILOT_COORDINATOR, and a flag over it', async () => {
    expect((await ctl(['locks', 'list'], { HOSTPILOT_COORDINATOR: addr })).code).toBe(0);
    const overridden = await ctl(['locks', 'list', '--coordinator', addr], { HOSTPILOT_COORDINATOR: '127.0.0.1:1' });
    expect(overridden.code).toBe(0);
    const bad = await ctl(['locks', 'list'], { HOSTPILOT_COORDINATOR: 'no-port' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/HOSTPILOT_COORDINATOR/);
  });

  it('names the variable a bad TLS file came from', async () => {
    const r = await ctl(['locks', 'list', '--coordinator', addr], { HOSTPILOT_TLS_CERT: '/nonexistent/admin.crt', HOSTPILOT_TLS_KEY: '/nonexistent/admin.key' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/HOSTPILOT_TLS_CERT.*\/nonexistent\/admin\.crt/);
  });
});

describeWith(['openssl'], 'mTLS settings from the environment and the config file', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let pki: TestPki;
  let admin: CertFiles;
  let secure: Coordinator;
  beforeAll(async () => {
    tmp = makeTempDir();
    pki = await TestPki.create(tmp.dir);
    const server = await pki.issue('server', 'coordinator', ['DNS:localhost', 'IP:127.0.0.1']);
    admin = await pki.issue('admin', 'ops-admin');
    secure = await withCoordinator({ tls: { cert: server.cert, key: server.key, ca: pki.ca }, adminIdentities: ['ops-admin'] });
  });
  afterAll(async () => {
    await secure?.cleanup();
    tmp?.remove();
  });

  it('uses HOSTPILOT_TLS_CERT/KEY/CA', async () => {
    const env = { HOSTPILOT_COORDINATOR: `localhost:${secure.grpcPort}`, HOSTPILOT_TLS_CERT: admin.cert, HOSTPILOT_TLS_KEY: admin.key, HOSTPILOT_TLS_CA: pki.ca };
    const r = await ctl(['locks', 'list', '-o', 'json'], env);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).groups[0].name).toBe('default');
    // Without the certificate the coordinator refuses.
    expect((await ctl(['locks', 'list', '--timeout', '3s'], { HOSTPILOT_COORDINATOR: `localhost:${secure.grpcPort}` })).code).not.toBe(0);
  });

  it('uses a context with certificate paths relative to the config file', async () => {
    const home = join(tmp.dir, 'home');
    const dir = join(home, '.config', 'hostpilot');
    mkdirSync(dir, { recursive: true });
    for (const [from, to] of [[admin.cert, 'admin.crt'], [admin.key, 'admin.key'], [pki.ca, 'ca.crt']] as const) writeFileSync(join(dir, to), readFileSync(from));
    writeConfig(dir, `currentContext: prod\ncontexts:\n  prod:\n    coordinator: localhost:${secure.grpcPort}\n    tlsCert: admin.crt\n    tlsKey: admin.key\n    tlsCa: ca.crt\n`);
    const r = await ctl(['locks', 'list', '-o', 'json'], {}, home);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('the config file and contexts', () => {
  const home = join(isolated.dir, 'cfg-home');
  const xdg = join(isolated.dir, 'xdg');
  beforeAll(() => {
    writeConfig(join(home, '.config', 'hostpilot'), `currentContext: lab\ncontexts:\n  lab:\n    coordinator: ${'127.0.0.1:1'}\n    timeout: 2s\n  prod:\n    coordinator: ADDR\n    output: json\n`.replace('ADDR', addr));
  });

  it('uses the current context, and --context picks another', async () => {
    const lab = await ctl(['locks', 'list'], {}, home);
    expect(lab.code).toBe(1);
    expect(lab.stderr).toMatch(/127\.0\.0\.1:1 unreachable/);
    const prod = await ctl(['locks', 'list', '--context', 'prod'], {}, home);
    expect(prod.code).toBe(0);
    // The context's output format applies.
    expect(JSON.parse(prod.stdout).groups.length).toBeGreaterThan(0);
    expect((await ctl(['locks', 'list'], { HOSTPILOT_CONTEXT: 'prod' }, home)).code).toBe(0);
  });

  it('ranks flags over the environment over the file over defaults', async () => {
    // file (lab: unreachable) < env (good)
    expect((await ctl(['locks', 'list'], { HOSTPILOT_COORDINATOR: addr }, home)).code).toBe(0);
    // env (unreachable) < flag (good)
    expect((await ctl(['locks', 'list', '--coordinator', addr], { HOSTPILOT_COORDINATOR: '127.0.0.1:1' }, home)).code).toBe(0);
    // -o over the context's output
    const table = await ctl(['locks', 'list', '--context', 'prod', '-o', 'table'], {}, home);
    expect(table.stdout).toMatch(/^GROUP\s+HELD/);
    // no file, no env, no flag: the default address (nothing listens on 127.0.0.1:7070 in tests, or something does: either way it is the one named)
    const dflt = await ctl(['locks', 'list', '--timeout', '1s']);
    if (dflt.code !== 0) expect(dflt.stderr).toMatch(/127\.0\.0\.1:7070/);
  });

  it('honours XDG_CONFIG_HOME and --config FILE', async () => {
    writeConfig(join(xdg, 'hostpilot'), `currentContext: only\ncontexts:\n  only:\n    coordinator: ${addr}\n`);
    expect((await ctl(['locks', 'list'], { XDG_CONFIG_HOME: xdg }, home)).code).toBe(0);
    const file = writeConfig(join(isolated.dir, 'elsewhere'), `contexts:\n  x:\n    coordinator: ${addr}\n`, 'fleet.yaml');
    expect((await ctl(['locks', 'list', '--config', file, '--context', 'x'])).code).toBe(0);
    const missing = await ctl(['locks', 'list', '--config', join(isolated.dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml.*ENOENT/);
  });

  it('refuses a bad file or context in one line naming it', async () => {
    const bad = writeConfig(join(isolated.dir, 'bad'), `contexts:\n  x:\n    coordinater: ${addr}\n`);
    for (const [args, message] of [
      [['--config', bad], /contexts\.x\.coordinater: unknown key/],
      [['--context', 'nope'], /--context: "nope" is not a context/],
    ] as const) {
      const r = await ctl(['locks', 'list', ...args], {}, home);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('help', () => {
  it.each(['rollout', 'locks', 'nodes'])('hostpilotctl %s --help lists its commands', async (group) => {
    const r = await ctl([group, '--help']);
    expect(r.code).toBe(0);
    const listed = [...r.stdout.matchAll(new RegExp(`^  ${group} (\\w+)`, 'gm'))].map((m) => m[1]);
    expect(listed.length).toBeGreaterThan(0);
    if (group === 'rollout') expect(listed).toEqual(expect.arrayContaining(['create', 'status', 'list', 'pause', 'resume', 'abort']));
    // Without a command the group's list goes out too, as a usage error.
    expect((await ctl([group])).code).toBe(2);
  });

  it('shows a default on every option line of every command', { timeout: 180_000 }, async () => {
    const top = await ctl(['--help']);
    const commands = [...top.stdout.matchAll(/^  ([a-z]+ [a-z]+)/gm)].map((m) => m[1]!.split(' '));
    expect(commands.length).toBeGreaterThanOrEqual(9);
    // All at once: each is a process start, and the checks do not depend on each other.
    const helps = await Promise.all([[], ...commands].map(async (words) => ({ words, r: await ctl([...words, '--help']) })));
    for (const { words, r } of helps) {
      expect(r.code).toBe(0);
      const optionLines = r.stdout.split('\n').filter((l) => /^  -/.test(l) && !/--help|--version/.test(l));
      expect(optionLines.length).toBeGreaterThan(0);
      for (const line of optionLines) expect(line, `hostpilotctl ${words.join(' ')} --help`).toMatch(/\[[^\]]+\]$/);
    }
  });
});

describe('--version on every program', () => {
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
  it.each([
    ['ctl', ['--version'], 'hostpilotctl'],
    ['ctl', ['locks', 'list', '--version'], 'hostpilotctl'],
    ['coordinator', ['--version'], 'hostpilot-coordinator'],
    ['agent', ['--version'], 'hostpilot-agent'],
  ] as const)('%s %j', async (program, args, name) => {
    const r = await runProgram(program, [...args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${name} ${version}\n`);
  });

  it('hostpilot-cni --version', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist/agent/net/cni-main.js'), '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`hostpilot-cni ${version}\n`);
  });
});

describe('-o json|yaml|wide', () => {
  it('prints the same document as JSON and YAML, and more columns wide', async () => {
    await c.locks.acquire('n2', 'infra', 'grpc');
    const json = await ctl(['nodes', 'list', '-o', 'json', '--coordinator', addr]);
    const yaml = await ctl(['nodes', 'list', '-o', 'yaml', '--coordinator', addr]);
    expect(yaml.code).toBe(0);
    expect(parseYaml(yaml.stdout)).toEqual(JSON.parse(json.stdout));
    const locksYaml = await ctl(['locks', 'list', '-o', 'yaml', '--coordinator', addr]);
    expect(parseYaml(locksYaml.stdout).groups.find((g: { name: string }) => g.name === 'infra').holders[0].node_id).toBe('n2');
    const table = await ctl(['nodes', 'list', '--coordinator', addr]);
    const wide = await ctl(['nodes', 'list', '-o', 'wide', '--coordinator', addr]);
    expect(table.stdout.split('\n')[0]).not.toMatch(/ERROR/);
    expect(wide.stdout.split('\n')[0]).toMatch(/FLOW TARGET\s+ERROR$/);
    await c.locks.release('n2', 'infra', 'grpc');
  });
});

describe('locks release', () => {
  it('without --group frees every slot the node holds', async () => {
    await c.locks.acquire('n1', 'default', 'fleetlock');
    await c.locks.acquire('n1', 'infra', 'grpc');
    const r = await ctl(['locks', 'release', 'n1', '--coordinator', addr]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/released: n1 in default/);
    expect(r.stdout).toMatch(/released: n1 in infra/);
    expect((await c.locks.list()).filter((g) => g.holders.some((h) => h.nodeId === 'n1'))).toEqual([]);
  });

  it('says so and exits non-zero when it released nothing', async () => {
    const none = await ctl(['locks', 'release', 'n1', '--coordinator', addr]);
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/nothing released: n1 holds no reboot-lock slot/);
    const notInGroup = await ctl(['locks', 'release', 'n1', '--group', 'default', '--coordinator', addr, '-o', 'json']);
    expect(notInGroup.code).toBe(1);
    expect(JSON.parse(notInGroup.stdout)).toMatchObject({ group: 'default', reason: expect.not.stringMatching(/^released$/) });
  });
});

describe('one JSON key style', () => {
  it('ctl prints gRPC replies with their proto field names, as the .proto files spell them', async () => {
    const proto = readFileSync(join(ROOT, 'proto/hostpilot/v1/fleet.proto'), 'utf8');
    const fields = new Set([...proto.matchAll(/^\s*(?:repeated\s+|optional\s+)?(?:map<[^>]+>|[\w.]+)\s+(\w+)\s*=\s*\d+/gm)].map((m) => m[1]));
    const r = await ctl(['nodes', 'list', '-o', 'json', '--coordinator', addr]);
    const keys = new Set<string>();
    const walk = (v: unknown, skip = false): void => {
      if (Array.isArray(v)) v.forEach((x) => walk(x));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) {
        if (!skip) keys.add(k);
        walk(x, k === 'labels');
      }
    };
    walk(JSON.parse(r.stdout));
    expect(keys.has('node_id')).toBe(true);
    expect(keys.has('flow_error')).toBe(true);
    for (const k of keys) expect(fields.has(k), `key ${k} is a field of fleet.proto`).toBe(true);
  });
});

describe('errors that say what to do', () => {
  it('names the HTTP port when pointed at it, and where gRPC is', async () => {
    const r = await ctl(['nodes', 'list', '--coordinator', `127.0.0.1:${c.httpPort}`, '--timeout', '3s']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`this looks like the HTTP port; gRPC listens on 127.0.0.1:${c.grpcPort}`);
  });
});
