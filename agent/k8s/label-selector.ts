// Kubernetes label selectors in their string form (`app=web,tier!=db,env in (a,b),!legacy`),
// parsed once at startup so a bad `--drain-pod-selector` / `--blocking-pod-selector`
// is refused with the flag's name before any API call. The string itself is what the
// agent sends to the API server (`labelSelector=`); `matches` exists so the same
// grammar can be checked without a server.
import { InvalidArgumentError } from '../../common/errors.js';

export type Requirement =
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] };

const KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms;
}

export function parseLabelSelector(text: string, field: string): Requirement[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const reqs: Requirement[] = [];
  for (const raw of splitTerms(trimmed)) {
    const term = raw.trim();
    const bad = (why: string) => new InvalidArgumentError(field, `${JSON.stringify(term)} ${why}`);
    const key = (k: string) => {
      if (!KEY.test(k)) throw bad(`has an invalid label key ${JSON.stringify(k)}`);
      return k;
    };
    const value = (v: string) => {
      if (!VALUE.test(v)) throw bad(`has an invalid label value ${JSON.stringify(v)}`);
      return v;
    };
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s+\(([^()]*)\)$/.exec(term))) {
      const values = m[3]!.split(',').map((v) => value(v.trim()));
      reqs.push({ op: m[2] as 'in' | 'notin', key: key(m[1]!), values });
    } else if ((m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term))) {
      reqs.push({ op: m[2] === '!=' ? 'notin' : 'in', key: key(m[1]!), values: [value(m[3]!)] });
    } else if ((m = /^!\s*(\S+)$/.exec(term))) {
      reqs.push({ op: 'notexists', key: key(m[1]!) });
    } else if (/^\S+$/.test(term) && !/[=!()]/.test(term)) {
      reqs.push({ op: 'exists', key: key(term) });
    } else {
      throw bad('is not a label selector term (key, !key, key=value, key!=value, key in (a,b), key notin (a,b))');
    }
  }
  return reqs;
}

export function matchesSelector(reqs: readonly Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key]!);
      case 'notin':
        return !has || !r.values.includes(l[r.key]!);
    }
  });
}
