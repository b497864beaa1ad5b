import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import { SqliteStore } from '../../coordinator/store/sqlite.js';
import { storeConformance } from './conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'hostpilot-sqlite-'));
let n = 0;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SqliteStore conformance', () => {
  storeConformance(async () => {
    const path = join(dir, `store-${++n}.db`);
    return { open: async () => new SqliteStore(path) };
  });
});
