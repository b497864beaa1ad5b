// The text of the files storage apply owns: the LVM metadata profile holding
// the auto-extend policy, and the runtime's storage settings. Pure.
import type { StorageConfig } from './config.js';

export function profileName(config: StorageConfig): string {
  return `hostpilot-${config.volumeGroup}-${config.thinPool}`;
}

export function profilePath(config: StorageConfig): string {
  return `${config.profileDir}/${profileName(config)}.profile`;
}

export function renderProfile(config: StorageConfig): string {
  return [
    `# Written by hostpilot-agent storage apply: auto-extend policy of ${config.volumeGroup}/${config.thinPool}.`,
    '# dmeventd extends the pool by thin_pool_autoextend_percent when its data or',
    '# metadata usage passes thin_pool_autoextend_threshold. Edits are overwritten.',
    'activation {',
    `\tthin_pool_autoextend_threshold = ${config.autoExtend.threshold}`,
    `\tthin_pool_autoextend_percent = ${config.autoExtend.percent}`,
    '}',
    '',
  ].join('\n');
}

/** The device-mapper name of VG/LV: each '-' doubled, joined by '-'. */
export function dmName(vg: string, lv: string): string {
  return `${vg.replaceAll('-', '--')}-${lv.replaceAll('-', '--')}`;
}

export function renderRuntime(config: StorageConfig): string | undefined {
  const rt = config.runtime;
  if (!rt) return undefined;
  const pool = dmName(config.volumeGroup, config.thinPool);
  if (rt.format === 'docker-storage') {
    const opts = [
      '--storage-driver devicemapper',
      '--storage-opt dm.fs=xfs',
      `--storage-opt dm.thinpooldev=/dev/mapper/${pool}`,
      '--storage-opt dm.use_deferred_removal=true',
      '--storage-opt dm.use_deferred_deletion=true',
      `--storage-opt dm.basesize=${rt.baseImageSize}`,
    ];
    return `# Written by hostpilot-agent storage apply. Edits are overwritten.\nDOCKER_STORAGE_OPTIONS="${opts.join(' ')}"\n`;
  }
  return [
    '# Written by hostpilot-agent storage apply: containerd devmapper snapshotter on',
    `# the thin pool ${config.volumeGroup}/${config.thinPool}. Edits are overwritten.`,
    'version = 2',
    '',
    '[plugins."io.containerd.snapshotter.v1.devmapper"]',
    `  pool_name = "${pool}"`,
    `  root_path = "${rt.rootPath}"`,
    `  base_image_size = "${rt.baseImageSize}"`,
    '  discard_blocks = true',
    '',
  ].join('\n');
}
