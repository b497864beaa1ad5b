// agent.json's "remediation" section and the order store's file: errors name the field or the file.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadAgentSections } from '../../agent/config-files.js';
import { DEFAULT_RESTART_TIMEOUT_MS, parseRemediationConfig } from '../../agent/remediation/config.js';
import { RemediationStore } from '../../agent/remediation/store.js';
import { makeTempDir } from '../support/tmp.js';

describe('agent.json remediation', () => {
  it('defaults to any unit and a 2 minute restart bound', () => {
    expect(parseRemediationConfig(undefined)).toEqual({ restartTimeoutMs: DEFAULT_RESTART_TIMEOUT_MS });
  });
  it('reads the allowed units and the restart bound', () => {
    expect(parseRemediationConfig({ units: ['kubelet.service', 'kubelet.service', 'containerd.service'], restartTimeout: '30s' })).toEqual({ units: ['kubelet.service', 'containerd.service'], restartTimeoutMs: 30_000 });
  });
  it.each([
    [{ unit: [] }, 'remediation.unit: unknown key (expected units, restartTimeout)'],
    [{ units: 'kubelet.service' }, 'remediation.units: must be a list of unit names'],
    [{ units: ['kubelet'] }, 'remediation.units[0]: "kubelet" is not a unit name (letters, digits, ":-_.\\@", ending in .service/.socket/.target/...)'],
    [{ restartTimeout: '0s' }, 'remediation.restartTimeout: must be more than 0 and at most 30m'],
    [{ restartTimeout: 30 }, 'remediation.restartTimeout: must be a duration such as "2m"'],
  ])('refuses %j naming the field', (section, message) => {
    expect(() => parseRemediationConfig(section)).toThrow(message);
  });
  it('is read with the units from the one agent.json, and a bad one names the file', () => {
    const tmp = makeTempDir();
    try {
      writeFileSync(`${tmp.dir}/agent.json`, JSON.stringify({ units: { watch: ['kubelet.service'] }, remediation: { units: ['kubelet.service'] } }));
      expect(loadAgentSections(`${tmp.dir}/agent.json`, false)).toMatchObject({ units: { watch: ['kubelet.service'] }, remediation: { units: ['kubelet.service'] } });
      writeFileSync(`${tmp.dir}/agent.json`, JSON.stringify({ remediation: { units: [1] } }));
      expect(() => loadAgentSections(`${tmp.dir}/agent.json`, false)).toThrow(`${tmp.dir}/agent.json`);
    } finally {
      tmp.remove();
    }
  });
});

describe('the order store', () => {
  it('refuses a file that is not its own, naming it (the agent must not guess what it did)', () => {
    const tmp = makeTempDir();
    try {
      writeFileSync(`${tmp.dir}/remediation.json`, '{"records": [{"id": 1}]}');
      expect(() => new RemediationStore(`${tmp.dir}/remediation.json`).load()).toThrow(`${tmp.dir}/remediation.json: not a remediation state file`);
    } finally {
      tmp.remove();
    }
  });
  it('keeps the newest orders, a bounded number', () => {
    const tmp = makeTempDir();
    try {
      const store = new RemediationStore(`${tmp.dir}/remediation.json`);
      for (let i = 0; i < 40; i++) store.put({ id: `n/${i}`, action: 'cordon', unit: '', condition: '', state: 'succeeded', message: '', startedUnixMs: i, finishedUnixMs: i });
      const again = new RemediationStore(`${tmp.dir}/remediation.json`);
      expect(again.load().map((r) => r.id)).toEqual(Array.from({ length: 32 }, (_, i) => `n/${i + 8}`));
    } finally {
      tmp.remove();
    }
  });
});
