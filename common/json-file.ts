// A configuration file's JSON, parsed and validated in one step so every
// error names the file first: the agent's agent.json, storage.json and
// monitor files all read this way.
import { HostpilotError, InvalidArgumentError, errorMessage } from './errors.js';

/**
 * Parses a config file's JSON text and validates it; every error names the
 * file first, then the key: "/etc/hostpilot/agent.json: units.watch[0]: ...".
 */
export function parseJsonFile<T>(path: string, text: string, validate: (json: unknown) => T): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(path, `not valid JSON: ${errorMessage(err)}`);
  }
  try {
    return validate(json);
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new InvalidArgumentError(`${path}: ${err.field}`, err.message.slice(err.field.length + 2));
    if (err instanceof HostpilotError) throw new InvalidArgumentError(path, err.message);
    throw err;
  }
}
