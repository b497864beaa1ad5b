import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IpamDelegate, parseIpamResult } from '../../agent/net/ipam.js';
import { RecordedRunner } from '../support/recorded-runner.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/net/${name}`, import.meta.url), 'utf8');

describe('IPAM delegation', () => {
  it('reads the first IPv4 address of a real host-local result', () => {
    const alloc = parseIpamResult(fixture('host-local-add.json'), 'host-local');
    expect(alloc.address.text).toBe('10.10.0.10/22');
    expect(alloc.gateway?.text).toBe('10.10.0.1');
    expect(alloc.dns).toEqual({});
  });

  it('skips IPv6 and refuses results without a usable IPv4 address', () => {
    expect(parseIpamResult('{"ips":[{"address":"fd00::5/64"},{"address":"10.1.0.5/24"}]}', 'x').address.text).toBe('10.1.0.5/24');
    expect(() => parseIpamResult('{"ips":[{"address":"fd00::5/64"}]}', 'x')).toThrow(/no IPv4 address/);
    expect(() => parseIpamResult('{"ips":[{"address":"10.1.0.500/24"}]}', 'x')).toThrow(/bad address/);
    expect(() => parseIpamResult('nope', 'x')).toThrow(/not JSON/);
    expect(() => parseIpamResult('{}', 'x')).toThrow(/no "ips"/);
  });

  it('searches CNI_PATH in order', () => {
    const seen: string[] = [];
    const ipam = new IpamDelegate(new RecordedRunner([]), (p) => {
      seen.push(p);
      return p.startsWith('/b/');
    });
    expect(ipam.findPlugin('host-local', ['/a', '/b', '/c'])).toBe('/b/host-local');
    expect(seen).toEqual(['/a/host-local', '/b/host-local']);
    expect(() => ipam.findPlugin('dhcp', [])).toThrow(/not found in CNI_PATH/);
  });

  it('keeps a well-known code from the plugin and reports a crash without JSON', async () => {
    const req = { pluginType: 'host-local', containerId: 'c', netns: '/n', ifName: 'eth0', args: '', path: ['/p'], config: {} };
    const busy = new IpamDelegate(new RecordedRunner([{ argv: ['/p/host-local'], exitCode: 1, stdout: '{"code":11,"msg":"busy","details":"lock"}' }]), () => true);
    await expect(busy.add(req)).rejects.toMatchObject({ code: 11, msg: 'ipam host-local ADD: busy', details: 'plugin code 11; lock' });
    const crash = new IpamDelegate(new RecordedRunner([{ argv: ['/p/host-local'], exitCode: 2, stderr: 'panic: boom' }]), () => true);
    await expect(crash.add(req)).rejects.toMatchObject({ code: 100, details: 'panic: boom' });
    const hang = new IpamDelegate(new RecordedRunner([{ argv: ['/p/host-local'], failure: 'timeout' }]), () => true);
    await expect(hang.del(req)).rejects.toMatchObject({ code: 100, msg: 'ipam host-local DEL failed: timeout' });
  });
});
