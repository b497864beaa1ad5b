// What the planner sees of the host: LVM's reports, the candidate devices and
// the files it owns. Gathered by observe.ts; plain data so plans are pure.
import type { BlockDevice, Signature } from './devices.js';
import type { LogicalVolume, PhysicalVolume, VolumeGroup } from './lvm-report.js';

export interface ObservedDevice {
  /** As written in the config. */
  configured: string;
  /** undefined: no such block device. */
  block: BlockDevice | undefined;
  signatures: Signature[];
}

export interface ObservedState {
  pvs: PhysicalVolume[];
  /** The configured VG, if it exists. */
  vg: VolumeGroup | undefined;
  /** All LVs of the configured VG (hidden ones too). */
  lvs: LogicalVolume[];
  devices: ObservedDevice[];
  /** Current content of the files apply writes (undefined: absent). */
  files: Record<string, string | undefined>;
}
