// The files storage apply owns (the LVM profile, the runtime settings), behind
// a small interface so tests and the VM harness can point it anywhere.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StorageFiles {
  /** undefined when the file does not exist. */
  read(path: string): string | undefined;
  /** Atomic replace (write a temporary file, then rename), creating the directory. */
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
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.hostpilot-tmp`;
    writeFileSync(tmp, content, { mode: 0o644 });
    renameSync(tmp, path);
  }
}
