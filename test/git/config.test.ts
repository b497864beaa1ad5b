// --git-* flags: credentials never in the URL, refs and paths that cannot turn into git options.
import { describe, expect, it } from 'vitest';
import { parseCoordinatorArgs, type CoordinatorConfig } from '../../coordinator/config.js';

const parse = (...args: string[]) => parseCoordinatorArgs(['--store', 'sqlite:/var/lib/hostpilot/c.db', ...args]) as CoordinatorConfig;

describe('git source flags', () => {
  it('defaults: ref main, the whole repository, every minute, the cache next to the SQLite file', () => {
    expect(parse('--git-url', 'https://git.example.com/fleet.git')?.git).toEqual({
      url: 'https://git.example.com/fleet.git',
      ref: 'main',
      path: '',
      intervalMs: 60_000,
      suspend: false,
      cacheDir: '/var/lib/hostpilot/git-cache',
    });
    expect(parse('--git-url', 'git@github.com:acme/fleet.git', '--git-ref', 'v1.2', '--git-path', './fleet/', '--git-interval', '30s', '--git-ssh-key', '/etc/hostpilot/git.key', '--git-suspend')?.git).toMatchObject({
      ref: 'v1.2',
      path: 'fleet',
      intervalMs: 30_000,
      suspend: true,
      sshKeyFile: '/etc/hostpilot/git.key',
    });
    expect(parse()?.git).toBeUndefined();
  });

  it.each([
    [['--git-url', 'https://user:secret@git.example.com/fleet.git'], '--git-url: has credentials in it (they would show in logs and status); use --git-token-file or --git-ssh-key'],
    [['--git-url', 'https://ghp_token@github.com/acme/fleet.git'], '--git-url: has credentials in it'],
    [['--git-url', 'git:secret@github.com:acme/fleet.git'], '--git-url: has a password in it'],
    [['--git-url', 'ftp://x/y'], '--git-url: ftp: is not https'],
    [['--git-url', 'file:///r', '--git-ref', '--upload-pack=evil'], '--git-ref'],
    [['--git-url', 'file:///r', '--git-ref', 'a..b'], '--git-ref: "a..b" is not a branch, tag or SHA'],
    [['--git-url', 'file:///r', '--git-path', '../etc'], '--git-path: "../etc" is not a relative directory'],
    [['--git-url', 'file:///r', '--git-interval', '10ms'], '--git-interval: must be at least 1s'],
    [['--git-ref', 'main'], '--git-ref: needs --git-url'],
  ])('refuses %j', (args, message) => {
    expect(() => parse(...args)).toThrow(message);
  });
});
