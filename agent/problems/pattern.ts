// node-problem-detector's patterns are Go (RE2) regular expressions, matched so
// that they end at the end of the log buffer. Most of RE2's syntax means the
// same in JavaScript; the few constructs that differ are translated, and the
// ones with no JavaScript equivalent are refused (with the field named) rather
// than silently meaning something else.
import { InvalidArgumentError } from '../../common/errors.js';

export interface CompiledPattern {
  source: string;
  /** Anchored at the end of the text, like NPD's `pattern + "\z"`. */
  regex: RegExp;
  /** True when the pattern can match a newline, so it must see the whole buffer, not just the last line. */
  multiline: boolean;
}

const UNSUPPORTED: [RegExp, string][] = [
  [/\\Q/, '\\Q...\\E quoting'],
  [/\[\[:[a-z]+:\]/, 'POSIX classes like [[:alpha:]]'],
  [/\\[pP]\{/, 'Unicode classes \\p{...}'],
  [/\(\?[imsU]*-[imsU]+\)/, 'flag clearing (?-...)'],
  [/\(\?[a-zA-Z]*U/, 'the U (ungreedy) flag'],
  [/\\C/, '\\C'],
];

// Constructs after which a JavaScript regex can match "\n".
const SPANS_LINES = /\\n|\\s|\\W|\\D|\\v|\\x0[aA]|\\u000[aA]|\\cJ|\[\^|\(\?[a-z]*s/;

export function compilePattern(pattern: string, field: string): CompiledPattern {
  if (pattern.length === 0) throw new InvalidArgumentError(field, 'is empty');
  if (pattern.length > 4096) throw new InvalidArgumentError(field, 'is longer than 4096 characters');
  for (const [re, what] of UNSUPPORTED) {
    if (re.test(pattern)) throw new InvalidArgumentError(field, `uses ${what}, which hostpilot does not support`);
  }
  let flags = '';
  let body = pattern;
  if (/^\(\?[is]*m/.test(body)) throw new InvalidArgumentError(field, 'uses the (?m) flag, which hostpilot does not support (patterns already end at the end of the log)');
  const lead = /^\(\?([is]+)\)/.exec(body);
  if (lead) {
    for (const f of new Set(lead[1]!)) flags += f;
    body = body.slice(lead[0].length);
  }
  if (/\(\?[ims]+\)/.test(body)) throw new InvalidArgumentError(field, 'sets flags (?i) other than at the start, which hostpilot does not support');
  body = body.replace(/\(\?P</g, '(?<').replace(/\\z/g, '$').replace(/\\A/g, '^');
  let regex: RegExp;
  try {
    regex = new RegExp(`(?:${body})$`, flags);
  } catch (err) {
    throw new InvalidArgumentError(field, `is not a valid regular expression: ${(err as Error).message}`);
  }
  return { source: pattern, regex, multiline: flags.includes('s') || SPANS_LINES.test(body) };
}
