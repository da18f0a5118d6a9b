/**
 * Option definitions. Each option is declared once, here for the shared ones
 * and beside its member definition (`generators/<kind>/member.ts`) for a
 * member's own, and everything else derives from that entry: the command-line
 * flag and its help, the interactive question, validation of a flag's value,
 * the `--defaults` answer, storage in `.yo-rc.json`, the TypeScript type of the
 * answer (`AnswersOf`), the template booleans of a choice (`choiceFlags`), and
 * the values the e2e matrix crosses.
 */
import { crateNameError } from './crate-name.js';

export interface Choice<V extends string = string> {
  readonly value: V;
  readonly name: string;
}

interface OptionBase<V> {
  /** Command-line flag without dashes; also the key in `this.options` and `.yo-rc.json`. */
  readonly flag: string;
  readonly description: string;
  readonly alias?: string;
  /** Question asked when the value is neither given, stored, nor defaulted (`--defaults`). */
  readonly prompt?: string;
  /** Stored in `.yo-rc.json` and reused as the answer by later runs. */
  readonly stored?: boolean;
  readonly default: V;
  /** Not listed in `--help`: internal plumbing between generators. */
  readonly hidden?: boolean;
}

export interface ChoiceOption<V extends string = string> extends OptionBase<V> {
  readonly kind: 'choice';
  readonly choices: readonly Choice<V>[];
}

export interface ListOption<V extends string = string> extends OptionBase<readonly V[]> {
  readonly kind: 'list';
  readonly choices: readonly Choice<V>[];
}

export interface TextOption extends OptionBase<string> {
  readonly kind: 'text';
  /** Returns an error message naming the problem and a fix, or undefined. */
  readonly validate?: (value: string) => string | undefined;
  /** The value `--no-<flag>` stands for (e.g. `--no-abi3` = `none`); the e2e matrix crosses it with the default. */
  readonly negated?: string;
}

export interface NumberOption extends OptionBase<number> {
  readonly kind: 'number';
  readonly min: number;
  readonly max: number;
}

export interface BooleanOption extends OptionBase<boolean> {
  readonly kind: 'boolean';
}

export type OptionSpec = ChoiceOption | ListOption | TextOption | NumberOption | BooleanOption;

/** The value type of an answer to an option: a choice's literal values, a list of them, a number, a boolean or a string. */
export type ValueOf<S extends OptionSpec> = S extends { readonly kind: 'choice'; readonly choices: readonly Choice<infer V>[] }
  ? V
  : S extends { readonly kind: 'list'; readonly choices: readonly Choice<infer V>[] }
    ? readonly V[]
    : S extends { readonly kind: 'number' }
      ? number
      : S extends { readonly kind: 'boolean' }
        ? boolean
        : string;

/** The answers to a list of options, keyed by flag: `{ db: 'sqlite' | 'postgres' | 'mysql', port: number, … }`. */
export type AnswersOf<Specs extends readonly OptionSpec[]> = {
  readonly [S in Specs[number] as S['flag']]: ValueOf<S>;
};

/**
 * Parses and validates a raw flag value (a string from the command line, or a
 * value passed by a composing generator). Throws an Error whose message names
 * the flag, the problem and the accepted values.
 */
export function parseOptionValue<S extends OptionSpec>(spec: S, raw: unknown): ValueOf<S>;
export function parseOptionValue(spec: OptionSpec, raw: unknown): unknown {
  const fail = (problem: string): never => {
    throw new Error(`--${spec.flag}: ${problem}`);
  };
  switch (spec.kind) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '') return true;
      if (raw === 'false') return false;
      return fail(`expected true or false, got '${String(raw)}'`);
    case 'number': {
      const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
        fail(`expected a whole number from ${spec.min} to ${spec.max}, got '${String(raw)}'`);
      }
      return value;
    }
    case 'text': {
      const value = raw === false && spec.negated !== undefined ? spec.negated : String(raw).trim();
      const problem = spec.validate?.(value);
      if (problem) fail(problem);
      return value;
    }
    case 'choice': {
      const value = String(raw).trim();
      if (!spec.choices.some((c) => c.value === value)) {
        fail(`'${value}' is not one of ${choiceList(spec.choices)}`);
      }
      return value;
    }
    case 'list': {
      const values = Array.isArray(raw)
        ? raw.map(String)
        : String(raw)
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean);
      const unknown = values.filter((v) => !spec.choices.some((c) => c.value === v));
      if (unknown.length > 0) fail(`'${unknown.join(',')}' not among ${choiceList(spec.choices)}`);
      if (values.length === 0) fail(`choose at least one of ${choiceList(spec.choices)}`);
      return [...new Set(values)];
    }
  }
}

function choiceList(choices: readonly Choice[]): string {
  return choices.map((c) => c.value).join(', ');
}

/** The inquirer question for an option. */
export function questionFor(spec: OptionSpec, defaultValue: unknown): Record<string, unknown> {
  const base = { name: spec.flag, message: spec.prompt ?? spec.description, default: defaultValue };
  switch (spec.kind) {
    case 'boolean':
      return { ...base, type: 'confirm' };
    case 'choice':
      return { ...base, type: 'list', choices: spec.choices };
    case 'list':
      return {
        ...base,
        type: 'checkbox',
        choices: spec.choices.map((c) => ({ ...c, checked: (defaultValue as string[]).includes(c.value) })),
        validate: (answer: string[]) => (answer.length > 0 ? true : 'Choose at least one.'),
      };
    case 'number':
      return {
        ...base,
        type: 'input',
        validate: (answer: string) => errorOf(() => parseOptionValue(spec, answer)) ?? true,
        filter: (answer: string) => Number(answer),
      };
    case 'text':
      return {
        ...base,
        type: 'input',
        validate: (answer: string) => errorOf(() => parseOptionValue(spec, answer)) ?? true,
      };
  }
}

function errorOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

// --- Booleans derived from a choice -------------------------------------------

/** `module-name` -> `moduleName`. */
type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;

/** One boolean per value of a choice option: `db` gives `dbSqlite`, `dbPostgres`, `dbMysql`. */
export type ChoiceFlags<S extends ChoiceOption> = {
  readonly [V in S['choices'][number]['value'] as `${Camel<S['flag']>}${Capitalize<Camel<V>>}`]: boolean;
};

const camel = (text: string): string => text.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The template booleans of a choice answer, named after the flag and each
 * value, so templates test `dbPostgres` rather than comparing strings.
 */
export function choiceFlags<S extends ChoiceOption>(spec: S, value: ValueOf<S>): ChoiceFlags<S> {
  return Object.fromEntries(
    spec.choices.map((choice) => [`${camel(spec.flag)}${capitalize(camel(choice.value))}`, choice.value === value]),
  ) as ChoiceFlags<S>;
}

// --- Options shared by every generator -------------------------------------

export const ERRORS = {
  kind: 'choice',
  flag: 'errors',
  description: 'Error-handling style of every member',
  prompt: 'How should the code handle errors?',
  stored: true,
  default: 'split',
  choices: [
    { value: 'split', name: 'split: thiserror in library code, anyhow with Context in binaries' },
    { value: 'thiserror', name: 'thiserror everywhere: typed errors, also in binaries' },
    { value: 'anyhow', name: 'anyhow everywhere: one dynamic error type' },
  ],
} as const satisfies ChoiceOption;

export type ErrorStyle = ValueOf<typeof ERRORS>;

export const DEFAULTS = {
  kind: 'boolean',
  flag: 'defaults',
  description: 'Answer every question not given as a flag with its default (no prompts)',
  default: false,
} as const satisfies BooleanOption;

export const SKIP_GIT = {
  kind: 'boolean',
  flag: 'skip-git',
  description: 'Do not run `git init` in the new workspace',
  default: false,
} as const satisfies BooleanOption;

/** The package name of a member or workspace; the positional argument of every generator. */
export function nameOption(what: string, defaultName: string): TextOption & { readonly flag: 'name' } {
  return {
    kind: 'text',
    flag: 'name',
    description: `Name of the ${what} (Cargo package rules)`,
    prompt: `Name of the ${what}?`,
    default: defaultName,
    validate: (value) => crateNameError(value, `${what} name`),
  };
}

/** Where a member goes, relative to the workspace root. */
export const MEMBER_PATH = {
  kind: 'text',
  flag: 'path',
  description: 'Directory of the new member, relative to the workspace root (default: crates/<name>)',
  default: '',
  validate: (value) => {
    if (value === '') return undefined;
    if (value.startsWith('/') || /^[A-Za-z]:/.test(value)) return `'${value}' must be relative to the workspace root`;
    if (value.split(/[\\/]/).includes('..')) return `'${value}' must stay inside the workspace (no '..')`;
    return undefined;
  },
} as const satisfies TextOption;

/** Outside any Cargo repository: create a workspace in the current directory instead of stopping. */
export const NEW_WORKSPACE = {
  kind: 'boolean',
  flag: 'new-workspace',
  description:
    'Outside any Cargo repository, create a new workspace in the current directory (else the generator asks, or stops under --defaults)',
  default: false,
} as const satisfies BooleanOption;

/** Set by the app generator: the root of the workspace it is writing. */
export const WORKSPACE_ROOT = {
  kind: 'text',
  flag: 'workspace-root',
  description: 'Workspace root written by the app generator',
  default: '',
  hidden: true,
} as const satisfies TextOption;

/** Options every member generator has, besides the positional name. */
export const MEMBER_SHARED_OPTIONS = [ERRORS, MEMBER_PATH, NEW_WORKSPACE, DEFAULTS, WORKSPACE_ROOT] as const;
