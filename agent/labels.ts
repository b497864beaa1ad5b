// Node labels (pool, rack, zone, ...): a labels file of KEY=VALUE lines, then
// --label flags, later wins.
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../common/errors.js';
import { validateLabels } from '../common/names.js';

export function parseLabelPairs(pairs: string[], field: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(field, `${JSON.stringify(pair)} is not KEY=VALUE`);
    labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return validateLabels(labels, field);
}

/** A missing file is no labels; a broken one is an error naming the line. */
export function readLabelsFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new InvalidArgumentError(path, (err as Error).message);
  }
  const pairs: string[] = [];
  text.split('\n').forEach((line) => {
    const trimmed = line.trim();
    if (trimmed && !trimmed.startsWith('#')) pairs.push(trimmed);
  });
  return parseLabelPairs(pairs, path);
}
