// One OS target vocabulary (common/api/target.ts): `hostpilot-agent os deploy`
// and a rollout accept the same targets and refuse the same malformed ones,
// and one `satisfies` decides whether a deployment runs a target.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageSatisfies, parseImageReference, parseTarget, satisfies, type DeploymentFacts } from '../../common/api/target.js';
import { parseRolloutSpec } from '../../common/api/rollout-spec.js';
import { InvalidArgumentError } from '../../common/errors.js';
import type { CommandResult, CommandRunner, CommandSpec } from '../../common/exec/runner.js';
import { makeOsCommand } from '../../agent/cli/os.js';

// A real `rpm-ostree status --json` capture (test/fixtures/rpm-ostree/SOURCES.md).
const STATUS = readFileSync(join(import.meta.dirname, '../fixtures/rpm-ostree/zincati-rpm-ostree-status.json'), 'utf8');
const SHA = 'ab'.repeat(32);
const DIGEST = `sha256:${'c'.repeat(64)}`;

const ACCEPTED = [
  '43.20251024.3.0',
  'v2',
  '1',
  'version=41.2',
  'version=abcdef12',
  SHA,
  '20240101',
  'revision=abcdef0',
  `checksum=${SHA}`,
  'fedora:fedora/x86_64/coreos/stable',
  'fedora/33/x86_64/silverblue',
  'refspec=testos',
  'refspec=os:testos/next',
  'quay.io/fedora/fedora-coreos:stable',
  `quay.io/fedora/fedora-coreos@${DIGEST}`,
  `quay.io/fedora/fedora-coreos:stable@${DIGEST}`,
  'localhost:5000/os/base:41',
  'ostree-unverified-registry:quay.io/fedora/fedora-coreos:stable',
  'ostree-image-signed:docker://quay.io/fedora/fedora-coreos:stable',
  'ostree-remote-registry:fedora:quay.io/fedora/fedora-coreos:testing',
  'v'.repeat(128),
];

const REFUSED = [
  '',
  '-rf',
  'a b',
  '41.2\n',
  'tab\there',
  'nul\u0000',
  'line\u2028sep',
  'revision=abc',
  'revision=ABCDEF1234',
  `revision=${SHA}0`,
  'version=',
  'version=4 1',
  'version=a:b',
  'branch=x',
  'v1;reboot',
  '../../etc',
  '$(reboot)',
  'v'.repeat(129),
  'a'.repeat(129),
  `refspec=${'r'.repeat(600)}`,
  'quay.io/fedora/fedora-coreos@sha256:abc',
  'quay.io/fedora/fedora-coreos@md5:' + 'a'.repeat(32),
  'ostree-unverified-registry:Quay.io/UPPER/case',
  'docker://',
];

/** Answers `rpm-ostree status --json` from the capture, every other rpm-ostree call with success. */
class FakeRpmOstree implements CommandRunner {
  readonly calls: string[][] = [];
  async run(spec: CommandSpec): Promise<CommandResult> {
    this.calls.push([...spec.argv]);
    const status = spec.argv.join(' ') === 'rpm-ostree status --json';
    return { argv: [...spec.argv], exitCode: 0, stdout: status ? STATUS : '', stderr: '', truncated: false, durationMs: 0 };
  }
}

/** `hostpilot-agent os deploy TARGET`: undefined when accepted, else the one line it printed. */
async function osDeployRefusal(target: string): Promise<string | undefined> {
  const runner = new FakeRpmOstree();
  const err: string[] = [];
  const rc = await makeOsCommand(() => runner).main(['deploy', '--', target], { out: () => {}, err: (s: string) => err.push(s) } as never);
  const refused = rc !== 0 && /^hostpilot-agent os deploy: target: /.test(err.join(''));
  if (refused) {
    expect(runner.calls).toEqual([]); // nothing ran, nothing changed
    return err.join('');
  }
  expect(runner.calls.length).toBeGreaterThan(0);
  return undefined;
}

/** A rollout created with this target: undefined when accepted, else the refusal's message. */
function rolloutRefusal(target: string): string | undefined {
  try {
    expect(parseRolloutSpec({ id: 'r1', target }).target).toBe(target);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).field).toBe('target');
    return (err as Error).message;
  }
}

describe('one target parser for os deploy and rollouts', () => {
  it.each(ACCEPTED.map((t) => [t]))('accepts %j on both paths', async (target) => {
    expect(await osDeployRefusal(target)).toBeUndefined();
    expect(rolloutRefusal(target)).toBeUndefined();
  });

  it.each(REFUSED.map((t) => [t]))('refuses %j on both paths, naming the field', async (target) => {
    const os = await osDeployRefusal(target);
    const rollout = rolloutRefusal(target);
    expect(os).toMatch(/^hostpilot-agent os deploy: target: /);
    expect(rollout).toMatch(/^target: /);
    // The same parser, the same reason (a rollout without a target says it is required).
    if (target !== '') expect(os).toContain(rollout!.replace(/^target: /, ''));
  });

  it('names whitespace and control characters and bounds the length', () => {
    expect(() => parseTarget('41.2 ', 'desired_target')).toThrow(/^desired_target: must not contain whitespace or control characters$/);
    expect(() => parseTarget('x'.repeat(513))).toThrow(/^target: is longer than 512 characters$/);
  });
});

describe('parseTarget forms', () => {
  it.each([
    ['version=41.2', { kind: 'version', version: '41.2' }],
    ['20240101', { kind: 'version-or-checksum', value: '20240101' }],
    ['revision=abcdef0', { kind: 'checksum', checksum: 'abcdef0' }],
    ['fedora:fedora/x86_64/coreos/stable', { kind: 'refspec', refspec: 'fedora:fedora/x86_64/coreos/stable' }],
    ['quay.io/fedora/fedora-coreos:stable', { kind: 'refspec', image: { transport: '', name: 'quay.io/fedora/fedora-coreos', tag: 'stable' } }],
    [`ostree-image-signed:docker://quay.io/fcos@${DIGEST}`, { kind: 'refspec', image: { transport: 'ostree-image-signed:docker://', name: 'quay.io/fcos', digest: DIGEST } }],
  ])('%s', (text, expected) => expect(parseTarget(text)).toMatchObject(expected));

  it('keeps an OSTree remote:ref apart from an image', () => expect(parseTarget('fedora:fedora/x86_64/coreos/stable')).not.toHaveProperty('image'));
});

describe('satisfies', () => {
  const dep: DeploymentFacts = { checksum: 'b'.repeat(64), version: '2', origin: 'os:testos/stable' };
  it.each([
    ['2', true],
    ['version=2', true],
    ['bbbbbbb', true],
    ['revision=bbbbbbb', true],
    ['b'.repeat(64), true],
    ['bbbbbb', false],
    ['os:testos/stable', true],
    ['refspec=os:testos/stable', true],
    ['os:testos/next', false],
    ['3', false],
    ['', false],
    ['not a target', false],
  ])('%j → %s', (target, expected) => expect(satisfies(dep, target)).toBe(expected));

  it('treats 7+ hex digits as a version or a checksum prefix', () => {
    expect(satisfies({ checksum: 'a'.repeat(64), version: '20240101', origin: '' }, '20240101')).toBe(true);
    expect(satisfies({ checksum: '20240101' + 'a'.repeat(56), version: '1', origin: '' }, '20240101')).toBe(true);
  });

  it('judges an image by name and tag, or by digest when the target pins one', () => {
    const image = { checksum: 'a'.repeat(64), version: '43', origin: 'ostree-image-signed:docker://quay.io/fedora/fedora-coreos:stable', imageDigest: DIGEST };
    expect(satisfies(image, 'quay.io/fedora/fedora-coreos:stable')).toBe(true);
    expect(satisfies(image, 'ostree-unverified-registry:quay.io/fedora/fedora-coreos:stable')).toBe(true);
    expect(satisfies(image, 'quay.io/fedora/fedora-coreos:testing')).toBe(false);
    expect(satisfies(image, 'quay.io/fedora/fedora-coreos')).toBe(false);
    expect(satisfies(image, `quay.io/fedora/fedora-coreos@${DIGEST}`)).toBe(true);
    expect(satisfies(image, `quay.io/fedora/fedora-coreos@sha256:${'d'.repeat(64)}`)).toBe(false);
    expect(satisfies({ ...image, imageDigest: '' }, `quay.io/fedora/fedora-coreos@${DIGEST}`)).toBe(false);
    expect(satisfies(image, `quay.io/other/os@${DIGEST}`)).toBe(false);
  });

  it('imageSatisfies: an untagged reference means latest', () => {
    const target = parseImageReference('quay.io/os/base')!;
    expect(imageSatisfies(parseImageReference('quay.io/os/base:latest'), '', target)).toBe(true);
    expect(imageSatisfies(parseImageReference('quay.io/os/base:41'), '', target)).toBe(false);
    expect(imageSatisfies(undefined, DIGEST, target)).toBe(false);
  });
});
