/**
 * Cargo's rules for package names, as `cargo new` enforces them, so a name we
 * accept is one Cargo accepts too.
 */

/** Rust keywords (strict and reserved, edition 2024). A crate named after one cannot be used from code. */
const KEYWORDS = new Set([
  'abstract',
  'as',
  'async',
  'await',
  'become',
  'box',
  'break',
  'const',
  'continue',
  'crate',
  'do',
  'dyn',
  'else',
  'enum',
  'extern',
  'false',
  'final',
  'fn',
  'for',
  'gen',
  'if',
  'impl',
  'in',
  'let',
  'loop',
  'macro',
  'match',
  'mod',
  'move',
  'mut',
  'override',
  'priv',
  'pub',
  'ref',
  'return',
  'self',
  'Self',
  'static',
  'struct',
  'super',
  'trait',
  'true',
  'try',
  'type',
  'typeof',
  'unsafe',
  'unsized',
  'use',
  'virtual',
  'where',
  'while',
  'yield',
]);

/** Names Cargo refuses because they shadow the standard library, the test harness or build artifacts. */
const RESERVED = new Set([
  'alloc',
  'core',
  'proc_macro',
  'proc-macro',
  'std',
  'test',
  'build',
  'deps',
  'examples',
  'incremental',
  'con',
  'prn',
  'aux',
  'nul',
  'com1',
  'com2',
  'com3',
  'com4',
  'com5',
  'com6',
  'com7',
  'com8',
  'com9',
  'lpt1',
  'lpt2',
  'lpt3',
  'lpt4',
  'lpt5',
  'lpt6',
  'lpt7',
  'lpt8',
  'lpt9',
]);

/** crates.io's limit on the length of a package name. */
export const MAX_NAME_LENGTH = 64;

/** A name that passes `crateNameError`, derived from any input, at most `maxLength` characters. */
export function suggestCrateName(input: string, maxLength = MAX_NAME_LENGTH): string {
  const trim = (name: string): string => name.slice(0, maxLength).replace(/[-_]+$/, '');
  let name = trim(
    input
      .trim()
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^[-_]+|[-_]+$/g, '')
      .toLowerCase(),
  );
  if (name === '') name = 'my-crate';
  if (/^[0-9]/.test(name)) name = trim(`x${name}`);
  if (KEYWORDS.has(name) || RESERVED.has(name)) name = `my-${name}`;
  return name;
}

/** Cargo and crates.io treat `-` and `_` alike: `my-tool` and `my_tool` are one package name. */
export const sameCrateName = (a: string, b: string): boolean => snakeCase(a.toLowerCase()) === snakeCase(b.toLowerCase());

/**
 * Checks a package name against Cargo's rules. Returns an error message that
 * names the problem and suggests a valid name, or undefined when it is valid.
 */
export function crateNameError(name: string, what = 'crate name'): string | undefined {
  const problem = crateNameProblem(name);
  if (!problem) return undefined;
  const suggestion = suggestCrateName(name);
  return `Invalid ${what} '${name}': ${problem}. Try '${suggestion}'.`;
}

function crateNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  const bad = /[^A-Za-z0-9_-]/u.exec(name)?.[0];
  if (bad !== undefined) {
    return `'${bad === ' ' ? 'space' : bad}' is not allowed (only ASCII letters, digits, '-' and '_')`;
  }
  if (/^[0-9]/.test(name)) return 'it starts with a digit';
  // As Cargo: the first character must be able to start a Rust identifier.
  if (!/^[A-Za-z_]/.test(name)) return `it starts with '${name[0]!}' (the first character must be a letter or '_')`;
  if (/^_+$/.test(name)) return `'${name}' is only underscores, which no Rust code can name`;
  if (name.length > MAX_NAME_LENGTH)
    return `it is ${name.length} characters long, over the crates.io limit of ${MAX_NAME_LENGTH}`;
  if (KEYWORDS.has(name)) return `'${name}' is a Rust keyword`;
  if (RESERVED.has(name.toLowerCase())) return `'${name}' is reserved by Cargo or the standard library`;
  return undefined;
}

/** The name of the Rust library or module for a package name: `my-tool` -> `my_tool`. */
export function snakeCase(name: string): string {
  return name.replace(/-/g, '_');
}

/** `my-tool` -> `MyTool`, for type names. */
export function pascalCase(name: string): string {
  return name
    .split(/[-_]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
