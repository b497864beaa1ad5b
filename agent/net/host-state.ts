// Parsers for what the plumbing reads back: `ip -j link show`, `ip -4 -j route
// show`, `ip -j addr show` and `sysctl -e KEY...`. Only the fields we use.
// Fixtures: test/fixtures/net/.

export interface LinkState {
  name: string;
  mac: string;
  up: boolean;
}

export interface RouteState {
  /** Always with a prefix length: `ip -j` prints a /32 as a bare address. "default" stays "default". */
  dst: string;
  dev?: string;
  gateway?: string;
  scope?: string;
}

export interface AddressState {
  ifName: string;
  /** "10.10.0.5/22" */
  cidrs: string[];
}

function jsonArray(text: string, what: string): unknown[] {
  const trimmed = text.trim();
  // `ip -j` prints nothing at all for an empty list on some versions.
  if (trimmed === '') return [];
  const parsed: unknown = JSON.parse(trimmed);
  if (!Array.isArray(parsed)) throw new Error(`${what}: expected a JSON array`);
  return parsed;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function parseLinks(text: string): LinkState[] {
  return jsonArray(text, 'ip link').flatMap((e) => {
    const o = e as Record<string, unknown>;
    const name = str(o.ifname);
    if (!name) return [];
    const flags = Array.isArray(o.flags) ? (o.flags as unknown[]) : [];
    return [{ name, mac: str(o.address) ?? '', up: flags.includes('UP') }];
  });
}

export function parseRoutes(text: string): RouteState[] {
  return jsonArray(text, 'ip route').flatMap((e) => {
    const o = e as Record<string, unknown>;
    const dst = str(o.dst);
    if (!dst) return [];
    const route: RouteState = { dst: dst === 'default' || dst.includes('/') ? dst : `${dst}/32` };
    const dev = str(o.dev);
    const gateway = str(o.gateway);
    const scope = str(o.scope);
    if (dev) route.dev = dev;
    if (gateway) route.gateway = gateway;
    if (scope) route.scope = scope;
    return [route];
  });
}

export function parseAddresses(text: string): AddressState[] {
  return jsonArray(text, 'ip addr').flatMap((e) => {
    const o = e as Record<string, unknown>;
    const ifName = str(o.ifname);
    if (!ifName) return [];
    const info = Array.isArray(o.addr_info) ? (o.addr_info as Record<string, unknown>[]) : [];
    const cidrs = info.filter((a) => a.family === 'inet' && typeof a.local === 'string' && typeof a.prefixlen === 'number').map((a) => `${String(a.local)}/${Number(a.prefixlen)}`);
    return [{ ifName, cidrs }];
  });
}

/** `sysctl -e k1 k2` prints "key = value" for each key that exists and nothing for the others. */
export function parseSysctl(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf(' = ');
    if (eq <= 0) continue;
    values.set(line.slice(0, eq).trim(), line.slice(eq + 3).trim());
  }
  return values;
}
