import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcSysctl, sysctlPath } from '../../agent/net/sysctl.js';

let root: string | undefined;
afterEach(() => root && rmSync(root, { recursive: true, force: true }));

describe('ProcSysctl', () => {
  it('maps keys to /proc/sys paths as sysctl does, dotted interface names included', () => {
    expect(sysctlPath('/proc/sys', 'net.ipv4.ip_forward')).toBe('/proc/sys/net/ipv4/ip_forward');
    expect(sysctlPath('/proc/sys', 'net.ipv4.conf.bond0/100.proxy_arp')).toBe('/proc/sys/net/ipv4/conf/bond0.100/proxy_arp');
  });

  it('reads and writes files under its root; a missing interface is absent on read and an error on write', async () => {
    root = mkdtempSync(join(tmpdir(), 'hostpilot-sysctl-'));
    mkdirSync(join(root, 'net/ipv4/conf/uplink0'), { recursive: true });
    writeFileSync(join(root, 'net/ipv4/conf/uplink0/proxy_arp'), '0\n');
    const s = new ProcSysctl(root);
    expect(await s.read(['net.ipv4.conf.uplink0.proxy_arp', 'net.ipv4.conf.gone0.proxy_arp'])).toEqual(new Map([['net.ipv4.conf.uplink0.proxy_arp', '0']]));
    await s.write(new Map([['net.ipv4.conf.uplink0.proxy_arp', '1']]));
    expect(readFileSync(join(root, 'net/ipv4/conf/uplink0/proxy_arp'), 'utf8')).toBe('1');
    await expect(s.write(new Map([['net.ipv4.conf.gone0.proxy_arp', '1']]))).rejects.toThrow(/^sysctl net.ipv4.conf.gone0.proxy_arp=1: ENOENT/);
  });
});
