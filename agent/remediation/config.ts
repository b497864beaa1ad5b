// The "remediation" section of agent.json: what the fleet's remediation may do
// on this node.
//
//   { "remediation": {
//       "units": ["kubelet.service", "containerd.service"],   // optional: else any unit
//       "restartTimeout": "2m" } }                           // optional: how long a restarted unit has to be active again
//
// Validated once, in the config step; every error names the field.
import { formatDuration, parseDuration } from '../../common/duration.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { validateUnitName } from '../../common/unit-names.js';

export interface RemediationConfig {
  /** The units a restart-unit order may name; undefined: any unit. */
  units?: string[];
  restartTimeoutMs: number;
}

export const DEFAULT_RESTART_TIMEOUT_MS = 120_000;
const MAX_RESTART_TIMEOUT_MS = 30 * 60_000;

export function defaultRemediationConfig(): RemediationConfig {
  return { restartTimeoutMs: DEFAULT_RESTART_TIMEOUT_MS };
}

export function parseRemediationConfig(section: unknown, field = 'remediation'): RemediationConfig {
  if (section === undefined) return defaultRemediationConfig();
  if (typeof section !== 'object' || section === null || Array.isArray(section)) throw new InvalidArgumentError(field, 'must be an object');
  const raw = section as Record<string, unknown>;
  for (const k of Object.keys(raw)) {
    if (!['units', 'restartTimeout'].includes(k)) throw new InvalidArgumentError(`${field}.${k}`, 'unknown key (expected units, restartTimeout)');
  }
  const config = defaultRemediationConfig();
  if (raw.units !== undefined) {
    if (!Array.isArray(raw.units)) throw new InvalidArgumentError(`${field}.units`, 'must be a list of unit names');
    config.units = [...new Set(raw.units.map((u: unknown, i) => validateUnitName(u, `${field}.units[${i}]`)))];
  }
  if (raw.restartTimeout !== undefined) {
    if (typeof raw.restartTimeout !== 'string') throw new InvalidArgumentError(`${field}.restartTimeout`, 'must be a duration such as "2m"');
    const ms = parseDuration(raw.restartTimeout, `${field}.restartTimeout`);
    if (ms <= 0 || ms > MAX_RESTART_TIMEOUT_MS) throw new InvalidArgumentError(`${field}.restartTimeout`, `must be more than 0 and at most ${formatDuration(MAX_RESTART_TIMEOUT_MS)}`);
    config.restartTimeoutMs = ms;
  }
  return config;
}
