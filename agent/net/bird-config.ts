// Renders bird.conf (BIRD 2) for a routed node. Pure: the same settings give
// the same text, so the agent reloads BIRD only when the text changes.
//
// The pod block is a blackhole in a static protocol: live pods have more
// specific /32s on their veths, so only addresses with no pod are dropped
// here instead of bouncing back to the router. Withdrawing (before a drain)
// is the same config with an export filter that accepts nothing.
import { InvalidArgumentError } from '../../common/errors.js';
import type { RoutedSettings } from './routing-config.js';
import { ipv4FromNumber } from './validate.js';

export interface RenderOptions {
  /** False: export nothing (routes withdrawn). */
  announce: boolean;
  /** Password per peer name, read from the peers' passwordFile. */
  passwords: ReadonlyMap<string, string>;
}

export const STATIC_PROTOCOL = 'hp_pods';
export const KERNEL_PROTOCOL = 'hp_kernel';
export const OSPF_PROTOCOL = 'hp_ospf';

export function peerProtocol(name: string): string {
  return `peer_${name}`;
}

// A password goes between double quotes in the config: keep it printable and unambiguous.
const PASSWORD = /^[\x21\x23-\x5b\x5d-\x7e]{1,80}$/;
export function validatePassword(value: string, field: string): string {
  const trimmed = value.replace(/\r?\n$/, '');
  if (!PASSWORD.test(trimmed)) throw new InvalidArgumentError(field, 'the password must be 1-80 printable characters without spaces, \'"\' or \'\\\'');
  return trimmed;
}

export function renderBirdConfig(s: RoutedSettings, o: RenderOptions): string {
  const block = s.podBlock.text;
  const lines: string[] = [
    '# Rendered by hostpilot-agent (pod network, routed mode); changes are overwritten.',
    `router id ${s.routerId.text};`,
    // One token per timestamp: `show protocols` stays easy to parse.
    'timeformat protocol iso long;',
    '',
    'filter hp_export {',
    ...(o.announce
      ? [`  if net = ${block} then accept;`, ...(s.exportPodRoutes ? [`  if net ~ [ ${block}{32,32} ] then accept;`] : [])]
      : ['  # withdrawn: hostpilot-agent is draining this node']),
    '  reject;',
    '}',
    '',
    'protocol device {',
    '  scan time 10;',
    '}',
    '',
    `protocol static ${STATIC_PROTOCOL} {`,
    '  ipv4;',
    `  route ${block} blackhole;`,
    '}',
    '',
    // Learns the pods' /32s (when announced) and installs what the routers announce.
    `protocol kernel ${KERNEL_PROTOCOL} {`,
    ...(s.exportPodRoutes ? ['  learn;', '  scan time 5;'] : []),
    ...(s.gracefulRestart ? ['  persist;'] : []),
    '  ipv4 {',
    `    import ${s.exportPodRoutes ? `where net ~ [ ${block}{32,32} ]` : 'none'};`,
    '    export where source ~ [ RTS_BGP, RTS_OSPF, RTS_OSPF_IA, RTS_OSPF_EXT1, RTS_OSPF_EXT2 ];',
    '  };',
    '}',
  ];
  for (const peer of s.bgp) {
    const password = o.passwords.get(peer.name);
    lines.push(
      '',
      `protocol bgp ${peerProtocol(peer.name)} {`,
      `  local as ${s.localAsn};`,
      `  neighbor ${peer.address.text} as ${peer.asn};`,
      `  hold time ${peer.holdTimeSeconds};`,
      ...(password !== undefined ? [`  password "${password}";`] : []),
      `  graceful restart ${s.gracefulRestart ? 'on' : 'off'};`,
      '  ipv4 {',
      '    import all;',
      '    export filter hp_export;',
      '    next hop self;',
      '  };',
      '}',
    );
  }
  if (s.ospf) {
    const o2 = s.ospf;
    lines.push(
      '',
      `protocol ospf v2 ${OSPF_PROTOCOL} {`,
      '  ipv4 {',
      '    import all;',
      '    export filter hp_export;',
      '  };',
      `  area ${ipv4FromNumber(o2.area)} {`,
      ...o2.interfaces.flatMap((name) => [`    interface "${name}" {`, `      hello ${o2.helloSeconds};`, `      dead ${o2.deadSeconds};`, `      wait ${Math.max(2, o2.helloSeconds)};`, '    };']),
      '  };',
      '}',
    );
  }
  return lines.join('\n') + '\n';
}
