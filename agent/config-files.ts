// The agent's configuration files (agent.json, storage.json), read and
// validated in the config step: `run` and the subcommands that read them
// load them here and nowhere else. Every error names the file, then the key.
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, errorMessage } from '../common/errors.js';
import { parseJsonFile } from '../common/json-file.js';
import { defaultRemediationConfig, parseRemediationConfig, type RemediationConfig } from './remediation/config.js';
import { parseStorageConfigText, type StorageConfig } from './storage/config.js';
import { emptyUnitsConfig, parseUnitsConfig, type UnitsConfig } from './systemd/units-config.js';

/** The top-level keys of agent.json; anything else is a typo that would be silently ignored. */
const AGENT_KEYS = ['units', 'podNetwork', 'remediation'] as const;

/** The sections of agent.json read in the config step. */
export interface AgentFile {
  units: UnitsConfig;
  remediation: RemediationConfig;
}

/** undefined when the file is absent and `optional`; an error naming the file otherwise. */
function readText(path: string, optional: boolean): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (optional && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InvalidArgumentError(path, `cannot read: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
  }
}

/** agent.json: the units this node declares and watches. An absent optional file declares none. ("podNetwork" is read by agent/net/routing-config.ts.) */
export function loadAgentFile(path: string, optional: boolean): UnitsConfig {
  return loadAgentSections(path, optional).units;
}

/** agent.json's units and remediation sections; an absent optional file: defaults. */
export function loadAgentSections(path: string, optional: boolean): AgentFile {
  const text = readText(path, optional);
  if (text === undefined) return { units: emptyUnitsConfig(), remediation: defaultRemediationConfig() };
  return parseJsonFile(path, text, (json) => {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InvalidArgumentError('config', 'must be a JSON object');
    for (const key of Object.keys(json)) {
      if (!(AGENT_KEYS as readonly string[]).includes(key)) throw new InvalidArgumentError(key, `unknown key (known: ${AGENT_KEYS.join(', ')})`);
    }
    const sections = json as Record<string, unknown>;
    return { units: parseUnitsConfig(sections.units, 'units'), remediation: parseRemediationConfig(sections.remediation, 'remediation') };
  });
}

/** storage.json: the thin pool. undefined when the file is absent and `optional`. */
export function loadStorageFile(path: string, optional: boolean): StorageConfig | undefined {
  const text = readText(path, optional);
  return text === undefined ? undefined : parseStorageConfigText(text, path);
}
