// What applying a rendered config takes on a node that has applied another,
// computed from what changed (as the machine-config-operator's reboot-less
// updates decide): files and sysctls take nothing, a changed unit or drop-in
// of a unit that may be running takes a restart, kernel arguments take a
// reboot, and so does any change once the config says `reboot: always`.
import { canonicalJson } from '../../common/api/fields.js';
import type { Disruption, ManagedUnit, RenderedConfig } from '../../common/api/node-config.js';

const EMPTY: RenderedConfig = { sources: [], files: [], units: [], sysctls: {}, kernelArguments: { append: [], delete: [] }, reboot: 'auto', driftPolicy: 'report' };

/** What a node takes to go from `from` (undefined: nothing applied) to `to` (undefined: nothing managed). */
export function disruptionOf(from: RenderedConfig | undefined, to: RenderedConfig | undefined): Disruption {
  const a = from ?? EMPTY;
  const b = to ?? EMPTY;
  const same = (x: unknown, y: unknown) => canonicalJson(x) === canonicalJson(y);
  // What the agent acts on; `sources` names the configs and changes nothing on a node.
  const { sources: _a, ...restA } = a;
  const { sources: _b, ...restB } = b;
  if (same(restA, restB)) return 'none';
  // Kernel arguments take effect at boot; `never` leaves them for the next boot the node takes anyway.
  if (!same(a.kernelArguments, b.kernelArguments) && b.reboot !== 'never') return 'reboot';
  if (b.reboot === 'always') return 'reboot';
  return unitsRestart(a.units, b.units) ? 'restart-units' : 'none';
}

/** A unit whose definition or state changed, unless it is declared stopped (nothing runs to restart). */
function unitsRestart(from: readonly ManagedUnit[], to: readonly ManagedUnit[]): boolean {
  const before = new Map(from.map((u) => [u.name, canonicalJson(u)]));
  return to.some((u) => before.get(u.name) !== canonicalJson(u) && u.active !== false);
}
