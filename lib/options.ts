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
  /** Given as a word, not a flag (the name): its errors do not name a flag. */
  readonly positional?: boolean;
  /** Each value is a costly build of its own: the e2e matrix crosses the error styles with the default value only. */
  readonly errorStylesAtDefaultOnly?: boolean;
}

export interface ChoiceOption<V extends string = string> extends OptionBase<V> {
  readonly kind: 'choice';
  readonly choices: readonly Choice<V>[];
  /** The value `--no-<flag>` stands for (e.g. `--no-abi3` = `none`). */
  readonly negated?: V;
}

export interface ListOption<V extends string = string> extends OptionBase<readonly V[]> {
  readonly kind: 'list';
  readonly choices: readonly Choice<V>[];
}

export interface TextOption extends OptionBase<string> {
  readonly kind: 'text';
  /** Returns an error message naming the problem and a fix, or undefined. */
  readonly validate?: (value: string) => string | undefined;
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
  const result = readValue(spec, raw);
  if ('problem' in result) throw new Error(spec.positional ? result.problem : `--${spec.flag}: ${result.problem}`);
  return result.value;
}

/**
 * Parses an answer stored in `.yo-rc.json` (at `file`): it must already have
 * the type the option stores (a string, number, boolean or list of strings;
 * nothing is reshaped) and a value the option accepts. The error names the
 * file, the key, the bad value and the fix.
 */
export function parseStoredValue<S extends OptionSpec>(spec: S, raw: unknown, file: string): ValueOf<S>;
export function parseStoredValue(spec: OptionSpec, raw: unknown, file: string): unknown {
  const expected: Readonly<Record<OptionSpec['kind'], string>> = {
    choice: 'a string',
    text: 'a string',
    number: 'a whole number',
    boolean: 'true or false',
    list: 'a list of strings',
  };
  const shapeOk =
    spec.kind === 'list'
      ? Array.isArray(raw) && raw.every((v) => typeof v === 'string')
      : typeof raw === (spec.kind === 'choice' || spec.kind === 'text' ? 'string' : spec.kind);
  const result = shapeOk ? readValue(spec, raw) : { problem: `expected ${expected[spec.kind]}` };
  if ('problem' in result) {
    throw new Error(
      `${file}: "${spec.flag}" is ${JSON.stringify(raw)}, which is not valid: ${result.problem}. ` +
        `Fix the value there, or remove the key to answer again (with --${spec.flag} or a prompt).`,
    );
  }
  return result.value;
}

/** The value an option reads from `raw`, or the problem with it. */
function readValue(spec: OptionSpec, raw: unknown): { readonly value: unknown } | { readonly problem: string } {
  switch (spec.kind) {
    case 'boolean':
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === '') return { value: true };
      if (raw === 'false') return { value: false };
      return { problem: `expected true or false, got '${String(raw)}'` };
    case 'number': {
      const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
        return { problem: `expected a whole number from ${spec.min} to ${spec.max}, got '${String(raw)}'` };
      }
      return { value };
    }
    case 'text': {
      const value = String(raw).trim();
      const problem = spec.validate?.(value);
      return problem ? { problem } : { value };
    }
    case 'choice': {
      const value = raw === false && spec.negated !== undefined ? spec.negated : String(raw).trim();
      if (!spec.choices.some((c) => c.value === value))
        return { problem: `'${value}' is not one of ${choiceList(spec.choices)}` };
      return { value };
    }
    case 'list': {
      const values = Array.isArray(raw)
        ? raw.map(String)
        : String(raw)
            .split(',')
            .map((v) => v.trim())
            .filter(Boolean);
      const unknown = values.filter((v) => !spec.choices.some((c) => c.value === v));
      if (unknown.length > 0) return { problem: `'${unknown.join(',')}' not among ${choiceList(spec.choices)}` };
      if (values.length === 0) return { problem: `choose at least one of ${choiceList(spec.choices)}` };
      return { value: [...new Set(values)] };
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
      // `short`: the answer echoed after the question is the value, not its whole description.
      return { ...base, type: 'select', choices: spec.choices.map((c) => ({ ...c, short: c.value })) };
    case 'list':
      return {
        ...base,
        type: 'checkbox',
        choices: spec.choices.map((c) => ({ ...c, short: c.value, checked: (defaultValue as string[]).includes(c.value) })),
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

/**
 * The supply-chain policy of a new workspace: `deny.toml` (cargo-deny),
 * `.github/dependabot.yml`, and the CI jobs that run cargo-deny and build
 * with the declared `rust-version`. Stored, so `rust-patterns update` keeps
 * the choice; `--no-supply-chain` for repositories with a policy of their own.
 */
export const SUPPLY_CHAIN = {
  kind: 'boolean',
  flag: 'supply-chain',
  description:
    'Write the supply-chain policy: deny.toml and a cargo-deny CI job, Dependabot, an MSRV CI job (--no-supply-chain: you have your own)',
  prompt: 'Add the supply-chain policy (cargo-deny, Dependabot, an MSRV CI job)?',
  stored: true,
  default: true,
} as const satisfies BooleanOption;

/** The package name of a member or workspace; the positional argument of every generator. */
export function nameOption(what: string, defaultName: string): TextOption & { readonly flag: 'name' } {
  return {
    kind: 'text',
    flag: 'name',
    positional: true,
    description: `Name of the ${what} (Cargo package rules)`,
    prompt: `Name of the ${what}?`,
    default: defaultName,
    validate: (value) => crateNameError(value, `${what} name`),
  };
}

/** Device names Windows reserves in every directory, with any extension (`con`, `nul.txt`, `COM1.rs`). */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³]|conin\$|conout\$)(\..*)?$/i;

/** Why a member path is not acceptable as written (its place on disk is checked by `memberPathProblem`). */
function memberPathSyntaxProblem(value: string): string | undefined {
  if (value.startsWith('/') || /^[A-Za-z]:/.test(value) || value.startsWith('\\'))
    return `'${value}' must be relative to the workspace root`;
  const parts = value.split(/[\\/]/).filter((part) => part !== '' && part !== '.');
  if (parts.length === 0) return `'${value}' is the workspace root itself; give the member a directory of its own`;
  if (parts.includes('..')) return `'${value}' must stay inside the workspace (no '..')`;
  if (/[*?[\]{}]/.test(value))
    return `'${value}' has a glob character (* ? [ ] { }), which Cargo would read as a pattern of members`;
  if (parts.some((part) => part.toLowerCase() === '.git')) return `'${value}' is inside .git, git's own data`;
  // So the workspace also checks out on Windows.
  const device = parts.find((part) => WINDOWS_DEVICE.test(part));
  if (device) return `'${device}' is a device name Windows reserves, so the workspace could not be checked out there`;
  const bad = value.split('').find((c) => '<>:"|'.includes(c) || c.charCodeAt(0) < 0x20);
  if (bad !== undefined) return `'${value}' has the character ${JSON.stringify(bad)}, which Windows does not allow in file names`;
  const trailing = parts.find((part) => /[. ]$/.test(part));
  if (trailing) return `'${trailing}' ends with a dot or space, which Windows drops from file names`;
  return undefined;
}

/** Where a member goes, relative to the workspace root. */
export const MEMBER_PATH = {
  kind: 'text',
  flag: 'path',
  description: 'Directory of the new member, relative to the workspace root (default: crates/<name>)',
  default: '',
  validate: (value) => (value === '' ? undefined : memberPathSyntaxProblem(value)),
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

/**
 * Joining a workspace whose lints (`[workspace.lints]`, a clippy.toml) would
 * fail the member's code: the member states its own lints instead. Asked only
 * then (lib/lint-fit.ts); never stored: it is the user's call per member, and
 * a rerun reads it back from the member's Cargo.toml.
 */
export const OWN_LINTS = {
  kind: 'boolean',
  flag: 'own-lints',
  description:
    "Where the workspace's lints or clippy.toml would fail the member's code, give the member its own [lints] and clippy.toml instead of inheriting them",
  prompt:
    "Give the member its own [lints] and clippy.toml instead of the workspace's (which would fail its code, as listed above)?",
  default: false,
} as const satisfies BooleanOption;

/** Options every member generator has, besides the positional name. */
export const MEMBER_SHARED_OPTIONS = [ERRORS, MEMBER_PATH, NEW_WORKSPACE, DEFAULTS, WORKSPACE_ROOT, OWN_LINTS] as const;

/**
 * The worker's job source: `none`, today's batch worker over files or stdin;
 * `postgres`, a durable job queue on PostgreSQL (src/queue.rs) and a
 * `consume` subcommand draining it. Defined here rather than beside the
 * worker's definition because the service reads it too: a workspace with a
 * `postgres` queue worker gives a PostgreSQL service its `/jobs` routes.
 */
export const QUEUE = {
  kind: 'choice',
  flag: 'queue',
  description: 'Job queue of the worker',
  prompt: 'Should the worker also drain a durable job queue?',
  stored: true,
  default: 'none',
  choices: [
    { value: 'none', name: 'none: a batch worker over the files of a directory or the lines of stdin' },
    { value: 'postgres', name: 'postgres: also a durable PostgreSQL job queue (SKIP LOCKED, leases, retries) and `consume`' },
  ],
} as const satisfies ChoiceOption;

export type Queue = ValueOf<typeof QUEUE>;
