// The `units` section of the agent's config: the units this node must have.
//
//   { "units": {
//       "root": "/etc/systemd/system",
//       "manage": [
//         { "name": "node-exporter.service",
//           "content": "[Unit]\n...",                 // optional: else the unit file is shipped elsewhere (/usr/lib)
//           "dropIns": { "10-limits.conf": "[Service]\nLimitNOFILE=65536\n" },
//           "enabled": true,                          // optional: else left as it is
//           "running": true }                         // optional: else left as it is
//       ],
//       "watch": ["kubelet.service", "containerd.service"]
//   } }
//
// Validated once, here; every error names the field.
import { isAbsolute, normalize } from 'node:path';
import { InvalidArgumentError } from '../../common/errors.js';
import { validateDropInName, validateUnitName } from '../../common/unit-names.js';

export const DEFAULT_UNIT_ROOT = '/etc/systemd/system';
const MAX_CONTENT_BYTES = 256 * 1024;

export interface ManagedUnit {
  name: string;
  /** Full unit file content, written as `<root>/<name>`; undefined: the file is not ours. */
  content?: string;
  /** Drop-in file name -> content, written as `<root>/<name>.d/<file>`. */
  dropIns: Record<string, string>;
  enabled?: boolean;
  running?: boolean;
}

export interface UnitsConfig {
  root: string;
  manage: ManagedUnit[];
  /** Units whose failure is a problem even though hostpilot does not manage them. */
  watch: string[];
}

export function emptyUnitsConfig(): UnitsConfig {
  return { root: DEFAULT_UNIT_ROOT, manage: [], watch: [] };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validateContent(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new InvalidArgumentError(field, 'must be a string');
  if (Buffer.byteLength(v) > MAX_CONTENT_BYTES) throw new InvalidArgumentError(field, `is over ${MAX_CONTENT_BYTES} bytes`);
  if (v.includes('\0')) throw new InvalidArgumentError(field, 'holds a NUL byte');
  return v.endsWith('\n') || v === '' ? v : v + '\n';
}

function optionalBool(v: unknown, field: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new InvalidArgumentError(field, 'must be true or false');
  return v;
}

/**
 * Parses the section (the value of the config's "units" key). Unknown keys are
 * refused: a typo ("dropins") silently ignored would leave a node unconverged.
 */
export function parseUnitsConfig(section: unknown, field = 'units'): UnitsConfig {
  if (section === undefined) return emptyUnitsConfig();
  if (!isObject(section)) throw new InvalidArgumentError(field, 'must be an object');
  for (const k of Object.keys(section)) {
    if (!['root', 'manage', 'watch'].includes(k)) throw new InvalidArgumentError(`${field}.${k}`, 'unknown key (expected root, manage, watch)');
  }
  let root = DEFAULT_UNIT_ROOT;
  if (section.root !== undefined) {
    if (typeof section.root !== 'string' || !isAbsolute(section.root) || section.root.includes('\0')) {
      throw new InvalidArgumentError(`${field}.root`, 'must be an absolute path');
    }
    root = normalize(section.root).replace(/\/+$/, '') || '/';
  }
  const manage: ManagedUnit[] = [];
  const seen = new Set<string>();
  const rawManage = section.manage ?? [];
  if (!Array.isArray(rawManage)) throw new InvalidArgumentError(`${field}.manage`, 'must be a list');
  rawManage.forEach((raw: unknown, i) => {
    const f = `${field}.manage[${i}]`;
    if (!isObject(raw)) throw new InvalidArgumentError(f, 'must be an object');
    for (const k of Object.keys(raw)) {
      if (!['name', 'content', 'dropIns', 'enabled', 'running'].includes(k)) {
        throw new InvalidArgumentError(`${f}.${k}`, 'unknown key (expected name, content, dropIns, enabled, running)');
      }
    }
    const name = validateUnitName(raw.name, `${f}.name`);
    if (name.endsWith('@.service') || /@\.[a-z]+$/.test(name)) {
      if (raw.running !== undefined || raw.enabled !== undefined) throw new InvalidArgumentError(`${f}.name`, 'a template cannot be enabled or running; name an instance');
    }
    if (seen.has(name)) throw new InvalidArgumentError(`${f}.name`, `${name} is listed twice`);
    seen.add(name);
    const unit: ManagedUnit = { name, dropIns: {} };
    if (raw.content !== undefined) unit.content = validateContent(raw.content, `${f}.content`);
    if (raw.dropIns !== undefined) {
      if (!isObject(raw.dropIns)) throw new InvalidArgumentError(`${f}.dropIns`, 'must be an object of file name -> content');
      for (const [file, text] of Object.entries(raw.dropIns)) {
        validateDropInName(file, `${f}.dropIns.${file}`);
        unit.dropIns[file] = validateContent(text, `${f}.dropIns.${file}`);
      }
    }
    const enabled = optionalBool(raw.enabled, `${f}.enabled`);
    const running = optionalBool(raw.running, `${f}.running`);
    if (enabled !== undefined) unit.enabled = enabled;
    if (running !== undefined) unit.running = running;
    manage.push(unit);
  });
  const rawWatch = section.watch ?? [];
  if (!Array.isArray(rawWatch)) throw new InvalidArgumentError(`${field}.watch`, 'must be a list of unit names');
  const watch = rawWatch.map((w: unknown, i) => validateUnitName(w, `${field}.watch[${i}]`));
  return { root, manage, watch: [...new Set(watch)] };
}
