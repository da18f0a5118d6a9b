/**
 * The one module that edits Cargo.toml.
 *
 * Edits are surgical: the manifest is parsed with toml-eslint-parser, which
 * keeps the exact source range of every key and value, and new text is spliced
 * in at those positions. Every byte we do not add stays as the user wrote it:
 * comments, order, indentation, trailing commas and line endings (LF or CRLF).
 */
import { parseTOML, getStaticTOMLValue } from 'toml-eslint-parser';
import type { AST } from 'toml-eslint-parser';
import { crateVersion, type CrateName } from './versions.js';

/** A dependency a member needs: the features its code uses and where it is used. */
export interface MemberDependency {
  readonly name: CrateName;
  readonly features?: readonly string[];
  readonly kind?: 'normal' | 'dev' | 'build';
  readonly optional?: boolean;
}

export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    problem: string,
  ) {
    super(`${file}:${line}:${column}: ${problem}. Fix the manifest (\`cargo metadata\` shows Cargo's view) and run again.`);
  }
}

export interface ParsedManifest {
  readonly text: string;
  readonly ast: AST.TOMLProgram;
  readonly value: Record<string, unknown>;
}

export function parseManifest(text: string, file = 'Cargo.toml'): ParsedManifest {
  try {
    const ast = parseTOML(text);
    return { text, ast, value: getStaticTOMLValue(ast) };
  } catch (error) {
    const e = error as { message: string; lineNumber?: number; column?: number };
    throw new ManifestError(file, e.lineNumber ?? 1, (e.column ?? 0) + 1, `invalid TOML: ${e.message}`);
  }
}

const eol = (text: string): string => (text.includes('\r\n') ? '\r\n' : '\n');

/** A TOML value from the static view, addressed by a dotted path. */
export function lookup(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

// --- Locating tables and keys --------------------------------------------------

type KeyValue = AST.TOMLKeyValue;
type Table = AST.TOMLTable;

const keyPath = (node: { key: AST.TOMLKey }): string[] =>
  node.key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));

const samePath = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((part, i) => part === b[i]);

function topLevel(ast: AST.TOMLProgram): AST.TOMLTopLevelTable {
  return ast.body[0];
}

/** The `[path]` table header, if present. */
function findTable(ast: AST.TOMLProgram, path: readonly string[]): Table | undefined {
  return topLevel(ast).body.find((n): n is Table => n.type === 'TOMLTable' && samePath(keyPath(n), path));
}

/**
 * The key-value node that defines `path`, in any form Cargo accepts:
 * `[a] b = ..`, `[a.b]`'s own keys are not covered, `a.b = ..` at top level,
 * or `b = ..` under `[a]`.
 */
function findKeyValue(ast: AST.TOMLProgram, path: readonly string[]): KeyValue | undefined {
  for (const node of topLevel(ast).body) {
    const prefix = node.type === 'TOMLTable' ? keyPath(node) : [];
    const entries = node.type === 'TOMLTable' ? node.body : [node];
    for (const entry of entries) {
      if (samePath([...prefix, ...keyPath(entry)], path)) return entry;
    }
  }
  return undefined;
}

// --- Members -----------------------------------------------------------------

/** Whether a glob pattern of `workspace.members` covers a member path (Cargo uses `glob` semantics). */
export function globCovers(pattern: string, memberPath: string): boolean {
  const regex = pattern
    .split('/')
    .map((segment) =>
      segment
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/\[!/g, '[^'),
    )
    .join('/');
  return new RegExp(`^${regex}$`).test(memberPath);
}

const normalizeMemberPath = (p: string): string => p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');

/** Whether the workspace already lists (or globs) the member path, and does not exclude it. */
export function workspaceHasMember(manifest: ParsedManifest, memberPath: string): boolean {
  const wanted = normalizeMemberPath(memberPath);
  const members = lookup(manifest.value, ['workspace', 'members']);
  const exclude = lookup(manifest.value, ['workspace', 'exclude']);
  const listed = Array.isArray(members) && members.some((m) => globCovers(normalizeMemberPath(String(m)), wanted));
  const excluded = Array.isArray(exclude) && exclude.some((e) => normalizeMemberPath(String(e)) === wanted);
  return listed && !excluded;
}

/**
 * Adds `memberPath` to `workspace.members`, creating the key (and the
 * `[workspace]` table) when missing. Returns the text unchanged when a listed
 * path or glob already covers the member.
 */
export function addWorkspaceMember(text: string, memberPath: string, file = 'Cargo.toml'): string {
  const manifest = parseManifest(text, file);
  if (workspaceHasMember(manifest, memberPath)) return text;
  const wanted = normalizeMemberPath(memberPath);
  const members = findKeyValue(manifest.ast, ['workspace', 'members']);
  if (members) {
    if (members.value.type !== 'TOMLArray') {
      const { line, column } = members.value.loc.start;
      throw new ManifestError(file, line, column + 1, '`workspace.members` is not an array');
    }
    return insertArrayString(text, members.value, wanted);
  }
  const nl = eol(text);
  const workspace = findTable(manifest.ast, ['workspace']);
  if (workspace) {
    return insertKeyValueInTable(text, workspace, `members = [${JSON.stringify(wanted)}]`);
  }
  // No [workspace] table: a single-package manifest becomes the root of a workspace.
  const sep = text.length === 0 || text.endsWith(nl) ? '' : nl;
  return `${text}${sep}${nl}[workspace]${nl}members = [${JSON.stringify(wanted)}]${nl}`;
}

/**
 * Inserts a string into an array, matching its layout: one item per line with
 * the indentation and trailing comma the user has, or inline. Sorted arrays
 * stay sorted; otherwise the item goes last.
 */
function insertArrayString(text: string, array: AST.TOMLArray, item: string): string {
  const nl = eol(text);
  const quoted = JSON.stringify(item);
  const elements = array.elements;
  const values = elements.map((e) => (e.type === 'TOMLValue' ? String(e.value) : ''));
  const sorted = values.every((v, i) => i === 0 || values[i - 1]! <= v);
  const [arrayStart, arrayEnd] = array.range;
  const inner = text.slice(arrayStart + 1, arrayEnd - 1);
  const multiline = inner.includes('\n');

  if (elements.length === 0) {
    if (!multiline) return splice(text, arrayStart + 1, arrayEnd - 1, quoted);
    // `[` and `]` on their own lines: the item goes on a line of its own above `]`.
    const closingLineStart = text.lastIndexOf('\n', arrayEnd - 2) + 1;
    const closingIndent = lineIndent(text, arrayEnd - 1);
    return splice(text, closingLineStart, closingLineStart, `${closingIndent}    ${quoted},${nl}`);
  }

  const index = sorted ? values.findIndex((v) => v > item) : -1;
  if (multiline) {
    const anchor = index === -1 ? elements[elements.length - 1]! : elements[index]!;
    const indent = lineIndent(text, anchor.range[0]);
    if (index !== -1) {
      // Before an existing item: a new line with the same indentation.
      const lineStart = text.lastIndexOf('\n', anchor.range[0] - 1) + 1;
      return splice(text, lineStart, lineStart, `${indent}${quoted},${nl}`);
    }
    // After the last item: keep (or add) its comma, then our line with a trailing comma
    // only if the user writes trailing commas.
    // After the last item: on a new line below its line (keeping any comment there),
    // with a trailing comma only if the user writes them.
    const trailingComma = /^\s*,/.test(text.slice(anchor.range[1], arrayEnd - 1));
    if (!trailingComma) text = splice(text, anchor.range[1], anchor.range[1], ',');
    const lineBreak = text.indexOf('\n', anchor.range[1]);
    return splice(text, lineBreak + 1, lineBreak + 1, `${indent}${quoted}${trailingComma ? ',' : ''}${nl}`);
  }
  if (index !== -1) {
    const at = elements[index]!.range[0];
    return splice(text, at, at, `${quoted}, `);
  }
  const last = elements[elements.length - 1]!;
  return splice(text, last.range[1], last.range[1], `, ${quoted}`);
}

function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** Appends `line` after the last key-value of a table (before trailing comments and blank lines). */
function insertKeyValueInTable(text: string, table: Table, line: string, sortKey?: string): string {
  const nl = eol(text);
  const entries = table.body;
  if (sortKey !== undefined && entries.length > 0) {
    const names = entries.map((e) => keyPath(e).join('.'));
    const sorted = names.every((n, i) => i === 0 || names[i - 1]! <= n);
    const before = sorted ? entries.find((e) => keyPath(e).join('.') > sortKey) : undefined;
    if (before) {
      const lineStart = text.lastIndexOf('\n', before.range[0] - 1) + 1;
      return splice(text, lineStart, lineStart, `${lineIndent(text, before.range[0])}${line}${nl}`);
    }
  }
  const anchorEnd = entries.length > 0 ? entries[entries.length - 1]!.range[1] : headerEnd(text, table);
  const lineEnd = text.indexOf('\n', anchorEnd);
  if (lineEnd === -1) return `${text}${nl}${line}${nl}`;
  return splice(text, lineEnd + 1, lineEnd + 1, `${line}${nl}`);
}

/** End offset of a `[table]` header line's bracket. */
function headerEnd(text: string, table: Table): number {
  return text.indexOf(']', table.key.range[1]) + 1;
}

// --- Dependencies ---------------------------------------------------------------

/** The `[workspace.dependencies]` entry text for a crate from the version table. */
export function workspaceDependencyEntry(name: CrateName): string {
  const { version, defaultFeatures } = crateVersion(name);
  return defaultFeatures === false
    ? `${name} = { version = "${version}", default-features = false }`
    : `${name} = "${version}"`;
}

/**
 * Adds the crates that are missing from `[workspace.dependencies]`. Entries the
 * user already has are never touched, whatever version or features they name.
 */
export function addWorkspaceDependencies(text: string, names: readonly CrateName[], file = 'Cargo.toml'): string {
  const nl = eol(text);
  for (const name of [...new Set(names)].sort()) {
    const manifest = parseManifest(text, file);
    if (lookup(manifest.value, ['workspace', 'dependencies', name]) !== undefined) continue;
    const table = findTable(manifest.ast, ['workspace', 'dependencies']);
    if (table) {
      text = insertKeyValueInTable(text, table, workspaceDependencyEntry(name), name);
    } else {
      const sep = text.endsWith(nl) ? '' : nl;
      text = `${text}${sep}${nl}[workspace.dependencies]${nl}${workspaceDependencyEntry(name)}${nl}`;
    }
  }
  return text;
}

/**
 * The member's own dependency line: it inherits from the workspace and names
 * the features its code uses.
 */
export function memberDependencyEntry(dep: MemberDependency): string {
  const extras: string[] = [];
  if (dep.features && dep.features.length > 0) {
    extras.push(`features = [${dep.features.map((f) => JSON.stringify(f)).join(', ')}]`);
  }
  if (dep.optional) extras.push('optional = true');
  return extras.length === 0 ? `${dep.name}.workspace = true` : `${dep.name} = { workspace = true, ${extras.join(', ')} }`;
}
