// What differs between a node and its rendered config, one item per managed
// thing, for the ConfigDrift condition, the hostpilot_config_drift metric and
// the log.
export const DRIFT_KINDS = ['file', 'unit', 'sysctl'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export interface DriftItem {
  kind: DriftKind;
  /** The path, unit or sysctl key. */
  name: string;
  detail: string;
}

/** Bounded for a condition message (it travels in every report): the first few items, then a count. */
export function describeDrift(items: readonly DriftItem[], max = 5): string {
  const shown = items.slice(0, max).map((d) => `${d.kind} ${d.name}: ${d.detail}`);
  const more = items.length > max ? `; and ${items.length - max} more` : '';
  return (shown.join('; ') + more).slice(0, 1000);
}
