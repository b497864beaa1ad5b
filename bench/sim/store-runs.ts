// bench:fleet's store flags (--store, --replicas, --compare) and the one line
// that puts a SQLite run and an etcd run of the same shape side by side.
import { UsageError } from '../../common/cli.js';
import { int } from './args.js';

export type StoreKind = 'sqlite' | 'etcd';

export interface StoreRun {
  store: StoreKind;
  /** Coordinator processes sharing the store (more than one only on etcd). */
  replicas: number;
}

/** Replicas of an etcd run when --replicas is not given: the "3 coordinator replicas". */
export const DEFAULT_ETCD_REPLICAS = 3;

/** The runs one invocation makes: one store, or SQLite then etcd with --compare. Bad combinations are usage errors. */
export function parseStoreRuns(values: Record<string, unknown>): StoreRun[] {
  const store = values.store;
  if (store !== undefined && store !== 'sqlite' && store !== 'etcd') throw new UsageError(`--store: ${JSON.stringify(store)} is not sqlite or etcd`);
  if (values.compare === true) {
    if (store !== undefined) throw new UsageError('--compare runs SQLite and then etcd: give no --store with it');
    return [
      { store: 'sqlite', replicas: 1 },
      { store: 'etcd', replicas: int(values, 'replicas', DEFAULT_ETCD_REPLICAS, 1) },
    ];
  }
  const kind: StoreKind = store ?? 'sqlite';
  const replicas = int(values, 'replicas', kind === 'etcd' ? DEFAULT_ETCD_REPLICAS : 1, 1);
  if (kind === 'sqlite' && replicas > 1) throw new UsageError(`--replicas ${replicas}: more than one coordinator needs --store etcd (a SQLite store belongs to one process)`);
  return [{ store: kind, replicas }];
}

type Figures = Record<string, string | number>;

/** Keys that describe the rollout's shape: the same in both runs, printed once. */
const SHAPE_KEYS = ['nodes', 'racks', 'pools', 'strategy', 'buckets', 'slots', 'max_unavailable', 'budget', 'concurrency', 'waves', 'reboot_ms', 'settle_ms', 'ideal_s'];
/** Printed once or not at all: the prefix names the store; the machine's load and ok are the invocation's. */
const ONCE_KEYS = ['store', 'load_avg', 'ok'];

/**
 * The --compare line: the shape once, every other figure of each run prefixed
 * with its store (`sqlite_ratio`, `etcd_acquire_p99_ms`, `etcd_etcd_cpu_s`, …),
 * etcd_over_sqlite = etcd ratio / SQLite ratio, and ok=1 only if both runs were.
 */
export function compareFigures(sqlite: Figures, etcd: Figures): Figures {
  const out: Figures = {};
  for (const key of SHAPE_KEYS) if (key in sqlite) out[key] = sqlite[key]!;
  for (const [store, figures] of [['sqlite', sqlite], ['etcd', etcd]] as const) {
    for (const [key, value] of Object.entries(figures)) if (!SHAPE_KEYS.includes(key) && !ONCE_KEYS.includes(key)) out[`${store}_${key}`] = value;
  }
  const ratio = Number(etcd.ratio) / Number(sqlite.ratio);
  out.etcd_over_sqlite = Number.isFinite(ratio) ? ratio.toFixed(3) : 'NaN';
  out.load_avg = etcd.load_avg ?? sqlite.load_avg ?? '';
  out.ok = sqlite.ok === 1 && etcd.ok === 1 ? 1 : 0;
  return out;
}

export const figuresLine = (figures: Figures): string => Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ');
