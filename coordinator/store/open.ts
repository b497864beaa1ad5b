// `--store sqlite:PATH` (the embedded default) or another implementation.
import { InvalidArgumentError } from '../../common/errors.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

export const DEFAULT_STORE = 'sqlite:/var/lib/hostpilot/coordinator.db';

export type StoreSpec = { kind: 'sqlite'; path: string };

export function parseStoreSpec(text: string): StoreSpec {
  const colon = text.indexOf(':');
  const scheme = colon < 0 ? '' : text.slice(0, colon);
  const rest = text.slice(colon + 1);
  if (scheme === 'sqlite') {
    if (!rest) throw new InvalidArgumentError('--store', 'sqlite: needs a file path, e.g. sqlite:/var/lib/hostpilot/coordinator.db');
    return { kind: 'sqlite', path: rest };
  }
  throw new InvalidArgumentError('--store', `${JSON.stringify(text)}: expected sqlite:PATH`);
}

export async function openStore(spec: StoreSpec): Promise<Store> {
  switch (spec.kind) {
    case 'sqlite':
      return new SqliteStore(spec.path);
  }
}
