import { describe, expect, it } from 'vitest';
import { validateAbsolutePath, hostVethName, inSubnet, ipv4ConfKey, isHostVethName, parseIpv4, parseIpv4Cidr, validateContainerId, validateIfName, validateVethPrefix } from '../../agent/net/validate.js';

describe('net validation', () => {
  it.each(['10.10.0.1', '0.0.0.0', '255.255.255.255'])('accepts IPv4 %s', (ip) => {
    expect(parseIpv4(ip, 'gateway').text).toBe(ip);
  });

  it.each([
    ['10.10.0.256', /not an IPv4/],
    ['10.10.0', /not an IPv4/],
    ['10.010.0.1', /leading zero/],
    ['10.10.0.1/22', /not an IPv4/],
    [' 10.10.0.1', /not an IPv4/],
    ['', /must be an IPv4/],
  ])('refuses IPv4 %j naming the field', (ip, msg) => {
    expect(() => parseIpv4(ip, 'gateway')).toThrow(/^gateway: /);
    expect(() => parseIpv4(ip, 'gateway')).toThrow(msg);
  });

  it('parses CIDRs and tests membership', () => {
    const net = parseIpv4Cidr('10.10.0.0/22', 'subnet');
    expect(net.prefix).toBe(22);
    expect(inSubnet(parseIpv4('10.10.3.255', 'a'), net)).toBe(true);
    expect(inSubnet(parseIpv4('10.10.4.0', 'a'), net)).toBe(false);
    expect(() => parseIpv4Cidr('10.10.0.0/33', 'subnet')).toThrow(/subnet: .*prefix length must be 0-32/);
    expect(() => parseIpv4Cidr('10.10.0.0', 'subnet')).toThrow(/no prefix length/);
  });

  it.each(['eth0', 'uplink0', 'bond0.100', 'a', 'x'.repeat(15)])('accepts interface name %j', (name) => {
    expect(validateIfName(name, 'uplink')).toBe(name);
  });

  it.each(['', 'x'.repeat(16), 'eth 0', 'eth0/1', 'eth0:1', '.', '..', 'eth0;reboot', '-batch\n'])('refuses interface name %j', (name) => {
    expect(() => validateIfName(name, 'uplink')).toThrow(/^uplink: /);
  });

  it('veth prefixes are short lower-case names', () => {
    expect(validateVethPrefix('hp', 'hostVethPrefix')).toBe('hp');
    expect(() => validateVethPrefix('hostp', 'hostVethPrefix')).toThrow(/longer than 4/);
    expect(() => validateVethPrefix('HP', 'hostVethPrefix')).toThrow(/lower-case/);
    expect(() => validateVethPrefix('1h', 'hostVethPrefix')).toThrow(/starting with a letter/);
  });

  it('host veth names are 15 characters, stable, distinct per pod and interface, and recognisable', () => {
    const a = hostVethName('hp', 'abc', 'eth0');
    expect(a).toMatch(/^hp[0-9a-f]{13}$/);
    expect(hostVethName('hp', 'abc', 'eth0')).toBe(a);
    expect(hostVethName('hp', 'abc', 'eth1')).not.toBe(a);
    expect(hostVethName('hp', 'abd', 'eth0')).not.toBe(a);
    expect(hostVethName('cali', 'abc', 'eth0')).toHaveLength(15);
    expect(isHostVethName(a, 'hp')).toBe(true);
    expect(isHostVethName('hp0123', 'hp')).toBe(false);
    expect(isHostVethName('hp0123456789abz', 'hp')).toBe(false);
    expect(isHostVethName(a, 'hq')).toBe(false);
  });

  it('container ids follow the CNI grammar', () => {
    expect(validateContainerId('a1_b.c-d', 'CNI_CONTAINERID')).toBe('a1_b.c-d');
    for (const bad of ['', '-a', 'a/b', 'a@b', 'a b']) expect(() => validateContainerId(bad, 'CNI_CONTAINERID')).toThrow(/^CNI_CONTAINERID: /);
  });

  it('paths are absolute, plain and without ".."', () => {
    expect(validateAbsolutePath('/var/run/netns/cni-1a2b', 'CNI_NETNS')).toBe('/var/run/netns/cni-1a2b');
    expect(validateAbsolutePath('/proc/4242/ns/net', 'CNI_NETNS')).toBe('/proc/4242/ns/net');
    for (const bad of ['relative', '/var/run/netns/a b', '/x\nlink del uplink0', '/var/../etc', "/a'b", '']) {
      expect(() => validateAbsolutePath(bad, 'CNI_NETNS')).toThrow(/^CNI_NETNS: /);
    }
  });

  it('sysctl keys of dotted interface names use a slash', () => {
    expect(ipv4ConfKey('bond0.100', 'proxy_arp')).toBe('net.ipv4.conf.bond0/100.proxy_arp');
  });
});
