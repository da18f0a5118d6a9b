/**
 * A strict reading of the command line. Yeoman passes unknown flags through
 * silently (`--member worker` would be ignored and the defaults written), and
 * a word meant as a flag can become a name: every word is checked here against
 * the flags a generator declares, with a suggestion for a near miss.
 */
import leven from 'leven';

export interface KnownFlag {
  readonly name: string;
  readonly alias?: string;
  /** Takes no value (`--force`); others take the next word or `=value`. */
  readonly boolean: boolean;
}

/** Flags of the tools around us that may reach a generator's arguments: yo's own and the environment's. */
export const ENVIRONMENT_FLAGS: readonly KnownFlag[] = [
  { name: 'force', boolean: true },
  { name: 'bail', boolean: true },
  { name: 'dry-run', boolean: true },
  { name: 'whitespace', boolean: true },
  { name: 'skip-yo-resolve', boolean: true },
  { name: 'insight', boolean: true },
  { name: 'color', boolean: true },
];

/** The closest of `candidates` to `word`, if it is close enough to be a typo (or a prefix). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = candidate.startsWith(word) && word.length >= 3 ? 1 : leven(word, candidate);
    if (distance <= Math.max(1, Math.min(2, Math.floor(candidate.length / 3))) && (!best || distance < best.distance)) {
      best = { candidate, distance };
    }
  }
  return best?.candidate;
}

/**
 * The problem with a generator's raw arguments, or undefined: an unknown flag
 * (with the nearest known one), a value given to a flag that takes none, or
 * more positional words than the generator takes.
 */
export function commandLineProblem(
  args: readonly string[],
  flags: readonly KnownFlag[],
  positionals: readonly string[],
  generator: string,
): string | undefined {
  const byName = new Map(flags.flatMap((f) => [[f.name, f] as const, ...(f.alias ? [[f.alias, f] as const] : [])]));
  const names = flags.map((f) => f.name);
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      words.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      words.push(arg);
      continue;
    }
    const [rawName, value] = splitFlag(arg);
    const negated = rawName.startsWith('no-') && !byName.has(rawName) ? rawName.slice(3) : undefined;
    const flag = byName.get(negated ?? rawName);
    if (!flag) {
      const suggestion = closest(negated ?? rawName, names);
      const shown = arg.startsWith('--') ? `--${rawName}` : `-${rawName}`;
      return `Unknown option ${shown} for \`${generator}\`.${suggestion ? ` Did you mean --${negated ? 'no-' : ''}${suggestion}?` : ''} \`rust-patterns ${generator} --help\` lists the options.`;
    }
    if (flag.boolean && value !== undefined && !['true', 'false'].includes(value)) {
      return `--${flag.name} takes no value (got '${value}'). Give it alone, or --no-${flag.name}.`;
    }
    // A flag with a value takes the next word unless written `--flag=value`.
    if (!flag.boolean && value === undefined && negated === undefined) i += 1;
  }
  if (words.length > positionals.length) {
    const extra = words.slice(positionals.length);
    const takes = positionals.length === 0 ? 'takes no arguments' : `takes ${positionals.map((p) => `<${p}>`).join(' ')} only`;
    return `Unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((w) => `'${w}'`).join(' ')}: \`${generator}\` ${takes}. Quote a value that has spaces; flags start with --.`;
  }
  return undefined;
}

/** `--name=value` -> [name, value]; `--name` or `-n` -> [name, undefined]. */
function splitFlag(arg: string): [string, string | undefined] {
  const body = arg.replace(/^--?/, '');
  const eq = body.indexOf('=');
  return eq === -1 ? [body, undefined] : [body.slice(0, eq), body.slice(eq + 1)];
}
