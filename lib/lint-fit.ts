/**
 * Does a workspace's lint configuration fit a member's code? Before a member
 * joins an existing workspace, its rendered sources are held against what the
 * workspace would make them pass: `[workspace.lints]` levels beyond the lints
 * our templates are checked with, `forbid` of a lint our code allows locally,
 * and a `clippy.toml` that disallows a type, method or macro our code uses.
 *
 * The lint table (defaults and groups) is read from the toolchain itself
 * (`clippy-driver -W help`): it is the workspace's clippy that will judge, and
 * clippy's groups change between releases, so no copy of them is kept here.
 */
import { spawnSync } from 'node:child_process';
import { getStaticTOMLValue, parseTOML } from 'toml-eslint-parser';
import { LINTS } from './rust-conventions.js';
import { isTable, lookup } from './toml-value.js';

/** A lint setting of the workspace the member's code would fail. */
export interface LintConflict {
  /** Where the setting is: `Cargo.toml [workspace.lints]` or a clippy.toml path. */
  readonly where: string;
  /** The lint, as the user wrote it: `clippy::pedantic`, `missing_docs`, `disallowed-types: std::collections::HashMap`. */
  readonly lint: string;
  /** Why it fails the member, in words. */
  readonly why: string;
  /** Which of the member's own settings would take it out: its own `[lints]`, or its own clippy.toml. */
  readonly remedy: 'lints' | 'clippy-config';
}

/** The toolchain's lints: default level by name (`clippy::pedantic` style, hyphens), and each group's members. */
export interface LintTable {
  readonly defaults: ReadonlyMap<string, string>;
  readonly groups: ReadonlyMap<string, readonly string[]>;
}

/** Parses `clippy-driver -W help`; undefined where clippy is not installed (the check is then not made). */
export function toolchainLints(cwd: string): LintTable | undefined {
  const run = spawnSync('clippy-driver', ['-W', 'help'], { cwd, encoding: 'utf8', timeout: 30_000 });
  if (run.error || run.status !== 0) return undefined;
  const defaults = new Map<string, string>();
  const groups = new Map<string, readonly string[]>();
  let section: 'lints' | 'groups' | undefined;
  for (const line of run.stdout.split('\n')) {
    if (/^Lint checks/.test(line)) section = 'lints';
    else if (/^Lint groups/.test(line)) section = 'groups';
    const match = /^\s+(\S+)\s+(.*)$/.exec(line);
    if (!section || !match || match[1] === 'name' || match[1] === '----') continue;
    const [, name, rest] = match as unknown as [string, string, string];
    if (section === 'lints') {
      const level = /^(allow|warn|deny|forbid)\b/.exec(rest)?.[1];
      if (level) defaults.set(name, level);
    } else if (name !== 'warnings') {
      groups.set(
        name,
        rest.split(',').map((s) => s.trim()),
      );
    }
  }
  return defaults.size === 0 ? undefined : { defaults, groups };
}

/** `clippy::must_use_candidate` as the help writes it: hyphens. */
const helpName = (tool: string, name: string): string => `${tool === 'clippy' ? 'clippy::' : ''}${name.replaceAll('_', '-')}`;

/** The strict set (STRICT in the e2e) the members marked `strictLints` are checked with, besides the defaults. */
export const STRICT_SET = { groups: ['clippy::pedantic'], lints: ['missing-docs', 'unreachable-pub'] } as const;

/**
 * The lints the member's code is checked with in our tests: every lint on by
 * default (the e2e runs clippy `-D warnings`), our own LINTS, and, for a
 * member whose templates are strict-clean, the strict set.
 */
function checkedLints(table: LintTable, strictClean: boolean): Set<string> {
  const checked = new Set<string>();
  for (const [name, level] of table.defaults) if (level !== 'allow') checked.add(name);
  for (const tool of ['rust', 'clippy'] as const) {
    for (const line of LINTS[tool]) checked.add(helpName(tool, line.split(' ')[0]!));
  }
  if (strictClean) {
    for (const group of STRICT_SET.groups) for (const lint of table.groups.get(group) ?? []) checked.add(lint);
    for (const lint of STRICT_SET.lints) checked.add(lint);
  }
  return checked;
}

/** The level a `[workspace.lints]` entry sets: `"warn"` or `{ level = "warn", priority = -1 }`. */
const levelOf = (entry: unknown): string | undefined =>
  typeof entry === 'string' ? entry : isTable(entry) && typeof entry['level'] === 'string' ? entry['level'] : undefined;

/**
 * The `[workspace.lints]` settings the member's code is not known to pass:
 * a lint (or a group with a lint) raised to warn, deny or forbid that our
 * tests do not check the member with, and a `forbid` of a lint the rendered
 * code allows locally (`#[allow(unsafe_code)]` under `unsafe_code = "forbid"`).
 */
export function workspaceLintConflicts(
  rootValue: unknown,
  table: LintTable,
  strictClean: boolean,
  sources: ReadonlyMap<string, string>,
): LintConflict[] {
  const lints = lookup(rootValue, ['workspace', 'lints']);
  if (!isTable(lints)) return [];
  const checked = checkedLints(table, strictClean);
  const conflicts: LintConflict[] = [];
  const where = 'Cargo.toml [workspace.lints]';
  for (const [tool, entries] of Object.entries(lints)) {
    if ((tool !== 'rust' && tool !== 'clippy') || !isTable(entries)) continue;
    for (const [name, entry] of Object.entries(entries)) {
      const level = levelOf(entry);
      if (level === undefined || level === 'allow') continue;
      const lint = helpName(tool, name);
      const members = table.groups.get(lint) ?? (table.defaults.has(lint) ? [lint] : []);
      const unchecked = members.filter((m) => !checked.has(m));
      const shown = `${tool === 'clippy' ? 'clippy::' : ''}${name} = "${level}"`;
      if (unchecked.length > 0) {
        const sample = unchecked.slice(0, 3).join(', ') + (unchecked.length > 3 ? `, and ${unchecked.length - 3} more` : '');
        conflicts.push({
          where,
          lint: shown,
          why:
            members.length > 1
              ? `the member's code is not checked with ${sample} of that group`
              : "the member's code is not checked with it",
          remedy: 'lints',
        });
      } else if (level === 'forbid') {
        const allowing = [...sources].find(([, text]) =>
          members.some((m) => new RegExp(`#!?\\[(allow|expect)\\([^\\]]*\\b${m.replaceAll('-', '_')}\\b`).test(text)),
        );
        if (allowing) {
          conflicts.push({ where, lint: shown, why: `${allowing[0]} allows it where a macro needs that`, remedy: 'lints' });
        }
      }
    }
  }
  return conflicts;
}

/** The paths a clippy.toml lists under `key` (`"a::B"` or `{ path = "a::B", reason = … }`). */
export function disallowedPaths(clippyToml: string, key: `disallowed-${'types' | 'methods' | 'macros'}`): string[] {
  let config: unknown;
  try {
    config = getStaticTOMLValue(parseTOML(clippyToml));
  } catch {
    return []; // clippy reports a broken clippy.toml itself, for every crate alike
  }
  const entries = lookup(config, [key]);
  return (Array.isArray(entries) ? entries : [])
    .map((entry) => (typeof entry === 'string' ? entry : isTable(entry) ? entry['path'] : undefined))
    .filter((path): path is string => typeof path === 'string');
}

/**
 * The `disallowed-types`, `disallowed-methods` and `disallowed-macros` of a
 * clippy.toml that the rendered sources use, found by the path's last segment
 * as a word in the code (`HashMap`, `.min(`, `println!`): a textual check, as
 * the sources are not compiled here; a false alarm costs one question.
 */
export function disallowedConflicts(clippyToml: string, where: string, sources: ReadonlyMap<string, string>): LintConflict[] {
  const conflicts: LintConflict[] = [];
  for (const key of ['disallowed-types', 'disallowed-methods', 'disallowed-macros'] as const) {
    for (const path of disallowedPaths(clippyToml, key)) {
      const last = path.split('::').at(-1);
      if (!last || !/^\w+$/.test(last)) continue;
      const use =
        key === 'disallowed-types'
          ? new RegExp(`\\b${last}\\b`)
          : key === 'disallowed-macros'
            ? new RegExp(`\\b${last}!`)
            : new RegExp(`(\\.|::)${last}\\(`);
      const file = [...sources].find(([, text]) => use.test(text))?.[0];
      if (file) conflicts.push({ where, lint: `${key}: ${path}`, why: `${file} uses ${last}`, remedy: 'clippy-config' });
    }
  }
  return conflicts;
}
