// Finds the command words in hostpilotctl's argv wherever the global flags
// are: `hostpilotctl -o json nodes list` and `hostpilotctl nodes list -o json`
// are the same call. Command words are the first one or two words that are
// not flags or a global flag's value; everything else goes to the parser in
// its order.

export interface GlobalOption {
  type: 'string' | 'boolean';
  short?: string;
}

export interface Located {
  /** The command words: [] (none), [noun] or [noun, verb]. */
  words: string[];
  /** Flags and positionals, in order. */
  rest: string[];
}

export function locateCommand(argv: string[], globals: Record<string, GlobalOption>, takesVerb: (noun: string) => boolean): Located {
  const takesValue = (token: string): boolean => {
    if (token.startsWith('--')) return !token.includes('=') && globals[token.slice(2)]?.type === 'string';
    return Object.values(globals).some((o) => o.type === 'string' && o.short !== undefined && token === `-${o.short}`);
  };
  const words: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (token.startsWith('-') && token !== '-') {
      rest.push(token);
      if (takesValue(token) && i + 1 < argv.length) rest.push(argv[++i]!);
      continue;
    }
    if (words.length === 0 || (words.length === 1 && takesVerb(words[0]!))) words.push(token);
    else rest.push(token);
  }
  return { words, rest };
}
