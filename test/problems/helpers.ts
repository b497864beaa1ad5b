import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConditionUpdate, MonitorSink } from '../../agent/problems/types.js';

export const NPD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'npd');
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'problems');

export class FakeClock {
  constructor(public t = Date.UTC(2026, 10, 21, 12, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export class RecordingSink implements MonitorSink {
  updates: ConditionUpdate[] = [];
  events: { source: string; reason: string; message: string }[] = [];
  drops: { source: string; count: number; why: string }[] = [];
  update(u: ConditionUpdate): void {
    this.updates.push(u);
  }
  event(source: string, reason: string, message: string): void {
    this.events.push({ source, reason, message });
  }
  dropped(source: string, count: number, why: string): void {
    this.drops.push({ source, count, why });
  }
}

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hp-problems-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Resolves when `cond` holds, polling; the test's own timeout bounds a hang. */
export async function until(cond: () => boolean, stepMs = 20): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, stepMs));
}
