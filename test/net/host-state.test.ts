import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAddresses, parseLinks, parseRoutes, parseSysctl } from '../../agent/net/host-state.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/net/${name}`, import.meta.url), 'utf8');

describe('host state parsers (captured output)', () => {
  it('reads links with their MAC and up flag', () => {
    expect(parseLinks(fixture('ip-link-show.json'))).toEqual([
      { name: 'lo', mac: '00:00:00:00:00:00', up: false },
      { name: 'hp0123456789a', mac: '22:da:90:9f:70:6d', up: true },
      { name: 'uplink0', mac: '7e:2e:75:e0:f5:e2', up: true },
    ]);
  });

  it('reads routes, giving a bare /32 its prefix', () => {
    expect(parseRoutes(fixture('ip-route-show.json'))).toEqual([
      { dst: '10.10.0.0/22', dev: 'uplink0', scope: 'link' },
      { dst: '10.10.0.10/32', dev: 'hp0123456789a', scope: 'link' },
    ]);
    expect(parseRoutes('[{"dst":"default","gateway":"10.10.0.1","dev":"eth0","flags":["onlink"]}]')).toEqual([{ dst: 'default', gateway: '10.10.0.1', dev: 'eth0' }]);
    expect(parseRoutes('')).toEqual([]);
  });

  it('reads sysctl -e output, absent keys absent', () => {
    const values = parseSysctl(fixture('sysctl-e.txt'));
    expect(values.get('net.ipv4.ip_forward')).toBe('0');
    expect(values.get('net.ipv4.conf.uplink0.proxy_arp')).toBe('0');
    expect(values.has('net.ipv4.conf.hpmissing.proxy_arp')).toBe(false);
  });

  it('reads IPv4 addresses of an interface', () => {
    const text = '[{"ifindex":2,"ifname":"eth0","addr_info":[{"family":"inet","local":"10.10.0.10","prefixlen":22},{"family":"inet6","local":"fe80::1","prefixlen":64}]}]';
    expect(parseAddresses(text)).toEqual([{ ifName: 'eth0', cidrs: ['10.10.0.10/22'] }]);
  });
});
