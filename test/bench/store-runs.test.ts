// bench:fleet's store flags and its --compare line (the runs themselves need
// real coordinators and etcd: `npm run bench:fleet -- --compare`).
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../common/cli.js';
import { compareFigures, figuresLine, parseStoreRuns } from '../../bench/sim/store-runs.js';

describe('bench:fleet store flags', () => {
  it('runs one SQLite coordinator by default and three etcd replicas with --store etcd', () => {
    expect(parseStoreRuns({})).toEqual([{ store: 'sqlite', replicas: 1 }]);
    expect(parseStoreRuns({ store: 'sqlite', replicas: '1' })).toEqual([{ store: 'sqlite', replicas: 1 }]);
    expect(parseStoreRuns({ store: 'etcd' })).toEqual([{ store: 'etcd', replicas: 3 }]);
    expect(parseStoreRuns({ store: 'etcd', replicas: '2' })).toEqual([{ store: 'etcd', replicas: 2 }]);
  });

  it('runs SQLite and then etcd with --compare, --replicas applying to etcd', () => {
    expect(parseStoreRuns({ compare: true })).toEqual([
      { store: 'sqlite', replicas: 1 },
      { store: 'etcd', replicas: 3 },
    ]);
    expect(parseStoreRuns({ compare: true, replicas: '2' })[1]).toEqual({ store: 'etcd', replicas: 2 });
  });

  it('refuses bad combinations with a usage error naming the flag', () => {
    const refused = (values: Record<string, unknown>, message: RegExp) => {
      expect(() => parseStoreRuns(values)).toThrow(UsageError);
      expect(() => parseStoreRuns(values)).toThrow(message);
    };
    refused({ store: 'postgres' }, /^--store: "postgres" is not sqlite or etcd$/);
    refused({ replicas: '3' }, /^--replicas 3: more than one coordinator needs --store etcd/);
    refused({ store: 'sqlite', replicas: '2' }, /^--replicas 2: more than one coordinator needs --store etcd/);
    refused({ store: 'etcd', replicas: '0' }, /^--replicas: "0" is not a whole number >= 1$/);
    refused({ compare: true, store: 'etcd' }, /^--compare runs SQLite and then etcd: give no --store with it$/);
  });
});

describe('bench:fleet --compare line', () => {
  const shape = { nodes: 100, racks: 10, pools: 1, strategy: 'by-label:rack', buckets: 10, slots: 2, max_unavailable: '2', budget: 2, concurrency: 2, waves: 50, reboot_ms: 500, settle_ms: 1000, ideal_s: '34.0' };
  const sqlite = { store: 'sqlite', replicas: 1, ...shape, ratio: '1.100', acquire_p99_ms: '44.0', coord_peak_rss_mb: '114', load_avg: '1/1/1', ok: 1 };
  const etcd = { store: 'etcd', replicas: 3, ...shape, ratio: '1.210', acquire_p99_ms: '70.3', coord_peak_rss_mb: '362', etcd_cpu_s: '5.0', load_avg: '2/2/2', ok: 1 };

  it('prints the shape once, each run prefixed with its store, and the ratio of ratios', () => {
    const line = figuresLine(compareFigures(sqlite, etcd));
    expect(line).toBe(
      'nodes=100 racks=10 pools=1 strategy=by-label:rack buckets=10 slots=2 max_unavailable=2 budget=2 concurrency=2 waves=50 reboot_ms=500 settle_ms=1000 ideal_s=34.0 ' +
        'sqlite_replicas=1 sqlite_ratio=1.100 sqlite_acquire_p99_ms=44.0 sqlite_coord_peak_rss_mb=114 ' +
        'etcd_replicas=3 etcd_ratio=1.210 etcd_acquire_p99_ms=70.3 etcd_coord_peak_rss_mb=362 etcd_etcd_cpu_s=5.0 ' +
        'etcd_over_sqlite=1.100 load_avg=2/2/2 ok=1',
    );
  });

  it('is ok only if both runs were, and says NaN for a run without a ratio', () => {
    const failed = compareFigures(sqlite, { store: 'etcd', replicas: 3, ok: 0, load_avg: '3/3/3' });
    expect(failed.ok).toBe(0);
    expect(failed.etcd_over_sqlite).toBe('NaN');
    expect(compareFigures({ ...sqlite, ok: 0 }, etcd).ok).toBe(0);
  });
});
