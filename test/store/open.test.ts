import { describe, expect, it } from 'vitest';
import { parseStoreSpec } from '../../coordinator/store/open.js';

describe('parseStoreSpec', () => {
  it('parses sqlite and ignores etcd flags for it', () => {
    expect(parseStoreSpec('sqlite:/var/lib/hostpilot/c.db')).toEqual({ kind: 'sqlite', path: '/var/lib/hostpilot/c.db' });
    expect(parseStoreSpec('sqlite:/x.db', { prefix: undefined })).toEqual({ kind: 'sqlite', path: '/x.db' });
  });

  it('parses etcd endpoints with the default prefix', () => {
    expect(parseStoreSpec('etcd:http://127.0.0.1:2379')).toEqual({ kind: 'etcd', endpoints: ['http://127.0.0.1:2379'], prefix: '/hostpilot/' });
    expect(parseStoreSpec('etcd:http://10.0.0.1:2379, http://etcd-1.example:2379/,http://[::1]:2379', { prefix: '/prod/hp/' })).toEqual({
      kind: 'etcd',
      endpoints: ['http://10.0.0.1:2379', 'http://etcd-1.example:2379', 'http://[::1]:2379'],
      prefix: '/prod/hp/',
    });
  });

  it('takes TLS files with https endpoints', () => {
    expect(parseStoreSpec('etcd:https://e1:2379,https://e2:2379', { ca: '/etc/hp/ca.pem', cert: '/etc/hp/c.pem', key: '/etc/hp/c.key' })).toEqual({
      kind: 'etcd',
      endpoints: ['https://e1:2379', 'https://e2:2379'],
      prefix: '/hostpilot/',
      tls: { ca: '/etc/hp/ca.pem', cert: '/etc/hp/c.pem', key: '/etc/hp/c.key' },
    });
    expect(parseStoreSpec('etcd:https://e1:2379', { ca: '/ca.pem' })).toMatchObject({ tls: { ca: '/ca.pem' } });
  });

  it.each([
    ['etcd:', {}, '--store'],
    ['etcd:127.0.0.1:2379', {}, '--store'],
    ['etcd:ftp://h:2379', {}, '--store'],
    ['etcd:http://h', {}, '--store'],
    ['etcd:http://h:2379/v3', {}, '--store'],
    ['etcd:http://u:p@h:2379', {}, '--store'],
    ['etcd:http://h:2379,', {}, '--store'],
    ['etcd:http://h:2379,https://g:2379', {}, '--store'],
    ['etcd:http://h:2379,http://h:2379', {}, '--store'],
    ['etcd:http://h:2379', { prefix: 'hostpilot' }, '--etcd-prefix'],
    ['etcd:http://h:2379', { prefix: '/a b/' }, '--etcd-prefix'],
    ['etcd:http://h:2379', { prefix: '/a//' }, '--etcd-prefix'],
    ['etcd:http://h:2379', { ca: '/ca.pem' }, '--etcd-ca'],
    ['etcd:https://h:2379', { cert: '/c.pem' }, '--etcd-key'],
    ['etcd:https://h:2379', { key: '/c.key' }, '--etcd-cert'],
    ['etcd:https://h:2379', { ca: 'rel/ca.pem' }, '--etcd-ca'],
    ['mysql:x', {}, '--store'],
  ])('refuses %s %j naming %s', (text, flags, field) => {
    expect(() => parseStoreSpec(text, flags)).toThrow(expect.objectContaining({ kind: 'invalid_argument', field }));
  });
});
