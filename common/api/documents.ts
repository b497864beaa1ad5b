// Resource files (YAML, JSON is YAML too; several documents per file with
// `---`) into validated resources, all or nothing: hostpilotctl apply and the
// coordinator's git source read them the same way.
import { parseAllDocuments } from 'yaml';
import { InvalidArgumentError } from '../errors.js';
import { checkUnique, describeDocument, validateDocument, type Resource } from './resources.js';

export interface SourceFile {
  /** How errors name the file (a path relative to what the operator gave, or to the repository). */
  name: string;
  text: string;
}

export interface LocatedResource {
  resource: Resource;
  /** `fleet/rollouts.yaml: document 2 (Rollout "workers-41")` */
  where: string;
}

/** Every document of one file, parsed but not validated. Empty documents (a trailing `---`) are skipped. */
export function parseYamlDocuments(file: SourceFile): Array<{ raw: unknown; where: string }> {
  const out: Array<{ raw: unknown; where: string }> = [];
  let index = 0;
  for (const doc of parseAllDocuments(file.text)) {
    index++;
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      throw new InvalidArgumentError(`${file.name}: document ${index}`, `not valid YAML${line ? ` at line ${line}` : ''}: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
    }
    const raw: unknown = doc.toJS({ maxAliasCount: 100 });
    if (raw === null || raw === undefined) continue;
    out.push({ raw, where: describeDocument(file.name, index, raw) });
  }
  return out;
}

/** Validates every document of every file; the first error stops it (nothing is applied then). */
export function readResources(files: readonly SourceFile[]): LocatedResource[] {
  const out: LocatedResource[] = [];
  for (const file of files) for (const { raw, where } of parseYamlDocuments(file)) out.push({ resource: validateDocument(raw, where), where });
  checkUnique(
    out.map((r) => r.resource),
    out.map((r) => r.where),
  );
  return out;
}

/** Files a directory walk should read. */
export function isResourceFile(name: string): boolean {
  return /\.(ya?ml|json)$/i.test(name);
}
