// The programs share only common/ and proto/generated/ (docs/architecture.md):
// agent/, coordinator/ and ctl/ never import each other, and common/ imports
// none of them. A new crossing import fails here, naming the file and import.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
const PROGRAMS = ['agent', 'coordinator', 'ctl'];

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** Every relative import of the tree below `top`, as [file, specifier, top folder it lands in]. */
function crossings(root: string): string[] {
  const found: string[] = [];
  for (const top of [...PROGRAMS, 'common']) {
    for (const file of sources(join(root, top))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import|export)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const landsIn = relative(root, normalize(join(dirname(file), m[1]!))).split(sep)[0]!;
        if (landsIn !== top && PROGRAMS.includes(landsIn)) found.push(`${relative(root, file)} imports ${m[1]}`);
      }
    }
  }
  return found;
}

describe('import boundaries', () => {
  it('agent, coordinator and ctl import only common/ and proto/generated/, and common/ imports none of them', () => {
    expect(crossings(ROOT)).toEqual([]);
  });

  it('catches a crossing import and a common/ module importing a program', () => {
    const tree = mkdtempSync(join(tmpdir(), 'hp-imports-'));
    try {
      for (const dir of [...PROGRAMS, 'common']) mkdirSync(join(tree, dir));
      writeFileSync(join(tree, 'ctl', 'a.ts'), "import { x } from '../agent/b.js';\nimport { y } from '../common/c.js';\n");
      writeFileSync(join(tree, 'common', 'c.ts'), "export { z } from '../coordinator/d.js';\n");
      writeFileSync(join(tree, 'agent', 'b.ts'), "import { y } from '../common/c.js';\n");
      expect(crossings(tree).sort()).toEqual(["common/c.ts imports ../coordinator/d.js", "ctl/a.ts imports ../agent/b.js"]);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });
});
