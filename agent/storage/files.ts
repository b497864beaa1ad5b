// The files storage apply owns (the LVM profile, the runtime settings), behind
// a small interface so tests and the VM harness can point it anywhere.
import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../../common/fs.js';

export interface StorageFiles {
  /** undefined when the file does not exist. */
  read(path: string): string | undefined;
  /** Atomic, durable replace (common/fs.ts), creating the directory. */
  write(path: string, content: string): void;
}

export class LocalFiles implements StorageFiles {
  read(path: string): string | undefined {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  write(path: string, content: string): void {
    writeFileAtomicSync(path, content, { mode: 0o644 });
  }
}
