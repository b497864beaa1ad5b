// `-f FILE|DIR|-` into resource files: a directory is read recursively (its
// .yaml/.yml/.json files in name order), `-` is standard input.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isResourceFile, type SourceFile } from '../common/api/documents.js';
import { InvalidArgumentError } from '../common/errors.js';

export function readSourceFiles(paths: readonly string[], stdin: () => string): SourceFile[] {
  if (paths.length === 0) throw new InvalidArgumentError('-f', 'give at least one FILE, DIR or - (standard input)');
  const out: SourceFile[] = [];
  for (const path of paths) {
    if (path === '-') {
      out.push({ name: '<stdin>', text: stdin() });
      continue;
    }
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (err) {
      throw new InvalidArgumentError('-f', `${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
    }
    if (!isDir) {
      out.push({ name: path, text: readFileSync(path, 'utf8') });
      continue;
    }
    const files = (readdirSync(path, { recursive: true, withFileTypes: false }) as string[]).filter(isResourceFile).sort();
    for (const rel of files) {
      const full = join(path, rel);
      if (statSync(full).isFile()) out.push({ name: full, text: readFileSync(full, 'utf8') });
    }
  }
  return out;
}

export function readStdin(): string {
  return readFileSync(0, 'utf8');
}
