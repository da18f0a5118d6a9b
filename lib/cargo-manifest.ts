/**
 * The one module that edits Cargo.toml.
 *
 * Edits are surgical and insert-only: the manifest is parsed with
 * toml-eslint-parser, which keeps the exact source range of every key and
 * value, and new text is spliced in at those positions. Every byte we do not
 * add stays as the user wrote it: comments, order, indentation, quoting,
 * trailing commas and line endings (LF or CRLF). A table is extended in the
 * form the user wrote it in: a `[table]` header, an inline `{ .. }` table, or
 * dotted keys (`workspace.members = [..]`). New text uses TOML 1.0 syntax only,
 * so every Cargo since workspace inheritance (1.64) reads it.
 */
import { parseTOML, getStaticTOMLValue } from 'toml-eslint-parser';
import type { AST } from 'toml-eslint-parser';
import { isTable, lookup } from './toml-value.js';
import { crateVersion, type CrateName } from './versions.js';
import { memberStatus, normalizeMemberPath } from './workspace-members.js';

export class ManifestError extends Error {
  /** `fix` ends the message: by default, to fix the manifest; a problem that names its own choices passes ''. */
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    problem: string,
    fix = ". Fix the manifest (`cargo metadata` shows Cargo's view) and run again.",
  ) {
    super(`${file}:${line}:${column}: ${problem}${fix}`);
  }
}

export interface ParsedManifest {
  readonly text: string;
  readonly ast: AST.TOMLProgram;
  readonly value: Record<string, unknown>;
  readonly file: string;
}

/** A UTF-8 byte-order mark: TOML parsers refuse it, but a user's file keeps it. */
const BOM = '\uFEFF';

/** Edits the text after a byte-order mark, which stays exactly where the user had it. */
function keepingBom(text: string, edit: (body: string) => string): string {
  return text.startsWith(BOM) ? BOM + edit(text.slice(1)) : edit(text);
}

/** Parses a manifest; `text` of the result is the text after any byte-order mark, which positions refer to. */
export function parseManifest(source: string, file = 'Cargo.toml'): ParsedManifest {
  const text = source.startsWith(BOM) ? source.slice(1) : source;
  let ast: AST.TOMLProgram;
  try {
    ast = parseTOML(text);
  } catch (error) {
    const e = error as { message: string; lineNumber?: number; column?: number };
    throw new ManifestError(file, e.lineNumber ?? 1, (e.column ?? 0) + 1, `invalid TOML: ${e.message}`);
  }
  const manifest = { text, ast, value: getStaticTOMLValue(ast), file };
  checkShape(manifest);
  return manifest;
}

/** The keys we read or extend must have the type Cargo expects; the error points at the value. */
function checkShape(manifest: ParsedManifest): void {
  const expect = (path: readonly string[], type: 'table' | 'array' | 'string'): void => {
    const value = lookup(manifest.value, path);
    if (value === undefined) return;
    const ok = type === 'array' ? Array.isArray(value) : type === 'string' ? typeof value === 'string' : isTable(value);
    if (ok) return;
    const node = findKeyValue(manifest.ast, path);
    const at = node?.value.loc.start ?? { line: 1, column: 0 };
    throw new ManifestError(
      manifest.file,
      at.line,
      at.column + 1,
      `\`${path.join('.')}\` must be ${type === 'array' ? 'an array' : `a ${type}`}`,
    );
  };
  expect(['workspace'], 'table');
  expect(['workspace', 'members'], 'array');
  expect(['workspace', 'exclude'], 'array');
  expect(['workspace', 'dependencies'], 'table');
  expect(['workspace', 'package'], 'table');
  expect(['package'], 'table');
  expect(['package', 'name'], 'string');
}

/** The line ending the file uses (CRLF if any line has one). */
export const eol = (text: string): string => (text.includes('\r\n') ? '\r\n' : '\n');

// --- Locating tables and keys --------------------------------------------------

type KeyValue = AST.TOMLKeyValue;
type Table = AST.TOMLTable;
type Inline = AST.TOMLInlineTable;

const keyPath = (node: { key: AST.TOMLKey }): string[] => node.key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));

const startsWith = (path: readonly string[], prefix: readonly string[]): boolean =>
  prefix.length <= path.length && prefix.every((part, i) => part === path[i]);

const samePath = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && startsWith(a, b);

function topLevel(ast: AST.TOMLProgram): AST.TOMLTopLevelTable {
  return ast.body[0];
}

const standardTables = (ast: AST.TOMLProgram): Table[] =>
  topLevel(ast).body.filter((n): n is Table => n.type === 'TOMLTable' && n.kind === 'standard');

/** The `[path]` table header, if present. */
function findTable(ast: AST.TOMLProgram, path: readonly string[]): Table | undefined {
  return standardTables(ast).find((n) => samePath(keyPath(n), path));
}

/** A key-value, with the full path of its container (table header or inline tables above it). */
interface Entry {
  readonly node: KeyValue;
  readonly container: readonly string[];
  readonly path: readonly string[];
  readonly inline: Inline | undefined;
}

/** Every key-value of the manifest in document order, descending into inline tables. */
function entries(ast: AST.TOMLProgram): Entry[] {
  const result: Entry[] = [];
  const visit = (nodes: readonly KeyValue[], container: readonly string[], inline: Inline | undefined): void => {
    for (const node of nodes) {
      const path = [...container, ...keyPath(node)];
      result.push({ node, container, path, inline });
      if (node.value.type === 'TOMLInlineTable') visit(node.value.body, path, node.value);
    }
  };
  for (const node of topLevel(ast).body) {
    if (node.type === 'TOMLKeyValue') visit([node], [], undefined);
    else if (node.kind === 'standard') visit(node.body, keyPath(node), undefined);
  }
  return result;
}

/** The key-value node that defines `path`, in any form: `[a] b = ..`, `a.b = ..`, `a = { b = .. }`. */
function findKeyValue(ast: AST.TOMLProgram, path: readonly string[]): KeyValue | undefined {
  return entries(ast).find((e) => samePath(e.path, path))?.node;
}

/** How a table is written in the file, which decides how a key is added to it. */
type TableForm =
  | { readonly form: 'header'; readonly table: Table }
  | { readonly form: 'inline'; readonly inline: Inline }
  /** Dotted keys (`workspace.members = ..`) inside a container; `last` is the last of them. */
  | { readonly form: 'dotted'; readonly last: Entry; readonly prefix: string };

function tableForm(manifest: ParsedManifest, path: readonly string[]): TableForm | undefined {
  const table = findTable(manifest.ast, path);
  if (table) return { form: 'header', table };
  const all = entries(manifest.ast);
  const own = all.find((e) => samePath(e.path, path));
  if (own?.node.value.type === 'TOMLInlineTable') return { form: 'inline', inline: own.node.value };
  const dotted = all.filter((e) => e.path.length > path.length && startsWith(e.path, path) && e.container.length < path.length);
  const last = dotted[dotted.length - 1];
  if (!last) return undefined;
  const prefixKeys = last.node.key.keys.slice(0, path.length - last.container.length);
  return { form: 'dotted', last, prefix: prefixKeys.map((k) => manifest.text.slice(k.range[0], k.range[1])).join('.') };
}

// --- Text positions --------------------------------------------------------------

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

const lineStart = (text: string, offset: number): number => text.lastIndexOf('\n', offset - 1) + 1;

/** Offset just past the end of the line holding `offset` (past its `\n`), or the text length. */
function nextLineStart(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}

function lineIndent(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, offset)))![0];
}

/** Whether `offset` is the first non-blank character of its line. */
const firstOnLine = (text: string, offset: number): boolean => /^[ \t]*$/.test(text.slice(lineStart(text, offset), offset));

/**
 * The start of the line holding `offset`, moved up over comment-only lines
 * directly above it (they describe what follows), but not above `floor`.
 */
function startWithComments(text: string, offset: number, floor: number): number {
  let start = lineStart(text, offset);
  while (start > floor) {
    const above = lineStart(text, start - 1);
    if (above < floor || !/^[ \t]*#/.test(text.slice(above, start))) break;
    start = above;
  }
  return start;
}

/** A TOML string in the quoting style of `like` (literal `'..'` when it uses those and can). */
function quoteLike(value: string, like: AST.TOMLContentNode | undefined): string {
  const literal = like?.type === 'TOMLValue' && like.kind === 'string' && like.style === 'literal' && !like.multiline;
  return literal && !/['\r\n]/.test(value) ? `'${value}'` : JSON.stringify(value);
}

const isSorted = (values: readonly string[]): boolean => values.every((v, i) => i === 0 || values[i - 1]! <= v);

/** Adds a block of lines at the end of the text, after a blank line, ending with a newline. */
function appendBlock(text: string, block: string): string {
  const nl = eol(text);
  if (text.trim() === '') return `${block}${nl}`;
  const ended = text.endsWith('\n') ? text : `${text}${nl}`;
  const blank = /\n[ \t]*\r?\n$/.test(ended) ? '' : nl;
  return `${ended}${blank}${block}${nl}`;
}

// --- Adding a key to a table, in the table's own form ---------------------------

/**
 * Adds `key = value` to the table at `path`, written the way the file writes
 * that table. Returns the new text. `sorted`: keep a sorted `[table]` sorted.
 */
function addKey(manifest: ParsedManifest, path: readonly string[], key: string, value: string, sorted = false): string {
  const { text } = manifest;
  const nl = eol(text);
  const form = tableForm(manifest, path);
  if (form?.form === 'header') return insertInTable(text, form.table, `${key} = ${value}`, sorted ? key : undefined);
  if (form?.form === 'inline') return insertInInline(text, form.inline, `${key} = ${value}`);
  if (form?.form === 'dotted') {
    const line = `${form.prefix}.${key} = ${value}`;
    const { last } = form;
    if (last.inline) return splice(text, last.node.range[1], last.node.range[1], `, ${line}`);
    const at = nextLineStart(text, last.node.range[1]);
    const sep = at === text.length && !text.endsWith('\n') ? nl : '';
    return splice(text, at, at, `${sep}${lineIndent(text, last.node.range[0])}${line}${nl}`);
  }
  // Not written yet: in the parent's form when the parent is inline or dotted, else a new `[path]` table.
  const parentPath = path.slice(0, -1);
  const name = path[path.length - 1]!;
  const parent = parentPath.length > 0 ? tableForm(manifest, parentPath) : undefined;
  if (parent?.form === 'inline') return insertInInline(text, parent.inline, `${name} = { ${key} = ${value} }`);
  if (parent?.form === 'dotted') return addKey(manifest, parentPath, `${name}.${key}`, value);
  return insertTableBlock(text, manifest.ast, path, `[${path.join('.')}]${nl}${key} = ${value}`);
}

/** Adds a line to a `[table]`: before the first greater key when the table is sorted, else after its last key. */
function insertInTable(text: string, table: Table, line: string, sortKey?: string): string {
  const nl = eol(text);
  const body = table.body;
  const headerEnd = table.key.range[1];
  if (sortKey !== undefined && body.length > 0) {
    const names = body.map((e) => keyPath(e).join('.'));
    const before = isSorted(names) ? body[names.findIndex((n) => n > sortKey)] : undefined;
    if (before && firstOnLine(text, before.range[0])) {
      const at = startWithComments(text, before.range[0], nextLineStart(text, headerEnd));
      return splice(text, at, at, `${lineIndent(text, before.range[0])}${line}${nl}`);
    }
  }
  const last = body[body.length - 1];
  const anchorEnd = last ? last.range[1] : headerEnd;
  const indent = last ? lineIndent(text, last.range[0]) : '';
  const at = nextLineStart(text, anchorEnd);
  const sep = at === text.length && !text.endsWith('\n') ? nl : '';
  return splice(text, at, at, `${sep}${indent}${line}${nl}`);
}

/** Adds `key = value` as the last entry of an inline table. */
function insertInInline(text: string, inline: Inline, entry: string): string {
  const last = inline.body[inline.body.length - 1];
  if (last) return splice(text, last.range[1], last.range[1], `, ${entry}`);
  const [start, end] = inline.range;
  return splice(text, start, end, `{ ${entry} }`);
}

/**
 * Adds a new `[path]` table block where Cargo users keep it: above the tables
 * below it (`[workspace]` above `[workspace.package]`), else after the parent
 * table and its `package` table (`[workspace.dependencies]` after
 * `[workspace.package]`), else at the end of the file.
 */
function insertTableBlock(text: string, ast: AST.TOMLProgram, path: readonly string[], block: string): string {
  const nl = eol(text);
  const tables = topLevel(ast).body.filter((n): n is Table => n.type === 'TOMLTable');
  const child = tables.find((t) => startsWith(keyPath(t), path));
  if (child) {
    const at = startWithComments(text, child.range[0], 0);
    return splice(text, at, at, `${block}${nl}${nl}`);
  }
  const parent = path.slice(0, -1);
  const anchors = tables.filter(
    (t) => parent.length > 0 && (samePath(keyPath(t), parent) || samePath(keyPath(t), [...parent, 'package'])),
  );
  const after = anchors[anchors.length - 1];
  const next = after ? tables[tables.indexOf(after) + 1] : undefined;
  if (after && next) {
    const at = startWithComments(text, next.range[0], after.range[1]);
    return splice(text, at, at, `${block}${nl}${nl}`);
  }
  return appendBlock(text, block);
}

// --- Members -----------------------------------------------------------------

/**
 * Adds `memberPath` to `workspace.members`, creating the key (and the
 * `[workspace]` table) when missing. Returns the text unchanged when a listed
 * path or glob already covers the member. A path in `exclude` is an error:
 * the user keeps it out of the workspace on purpose.
 */
export function addWorkspaceMember(source: string, memberPath: string, file = 'Cargo.toml'): string {
  return keepingBom(source, (text) => addMember(text, memberPath, file));
}

function addMember(text: string, memberPath: string, file: string): string {
  const manifest = parseManifest(text, file);
  const wanted = normalizeMemberPath(memberPath);
  const status = memberStatus(manifest.value, wanted);
  if (status === 'listed' || status === 'glob') return text;
  if (status === 'excluded') {
    const node = findKeyValue(manifest.ast, ['workspace', 'exclude'])!;
    const { line, column } = node.loc.start;
    throw new ManifestError(
      file,
      line,
      column + 1,
      `\`workspace.exclude\` keeps ${wanted} out of the workspace: choose another --path, or remove it from \`exclude\`.`,
      '',
    );
  }
  const members = findKeyValue(manifest.ast, ['workspace', 'members']);
  if (members?.value.type === 'TOMLArray') return insertArrayString(text, members.value, wanted);
  return addKey(manifest, ['workspace'], 'members', `[${JSON.stringify(wanted)}]`);
}

/**
 * Inserts a string into an array, matching its layout: one item per line with
 * the indentation, quoting and trailing comma the user has, or inline. A
 * sorted array stays sorted (as `cargo new` does); otherwise the item goes last.
 */
function insertArrayString(text: string, array: AST.TOMLArray, item: string): string {
  const nl = eol(text);
  const elements = array.elements;
  const quoted = quoteLike(item, elements[0]);
  const values = elements.map((e) => (e.type === 'TOMLValue' ? String(e.value) : ''));
  const [arrayStart, arrayEnd] = array.range;
  const close = arrayEnd - 1;
  const multiline = text.slice(arrayStart, arrayEnd).includes('\n');

  if (elements.length === 0) {
    if (!multiline) return splice(text, arrayStart + 1, close, quoted);
    // `[` and `]` on their own lines: the item goes on a line of its own above `]`,
    // indented like a comment inside the array if there is one.
    const at = lineStart(text, close);
    const inner = text.slice(nextLineStart(text, arrayStart), at);
    const commented = /^([ \t]*)#/m.exec(inner);
    const indent = commented ? commented[1]! : `${lineIndent(text, close)}${indentUnit(text)}`;
    if (!firstOnLine(text, close)) return splice(text, close, close, `${nl}${indent}${quoted},${nl}`);
    return splice(text, at, at, `${indent}${quoted},${nl}`);
  }

  const index = isSorted(values) ? values.findIndex((v) => v > item) : -1;
  if (index !== -1) {
    const before = elements[index]!;
    if (multiline && firstOnLine(text, before.range[0])) {
      const at = startWithComments(text, before.range[0], nextLineStart(text, arrayStart));
      return splice(text, at, at, `${lineIndent(text, before.range[0])}${quoted},${nl}`);
    }
    return splice(text, before.range[0], before.range[0], `${quoted}, `);
  }

  const last = elements[elements.length - 1]!;
  const rest = text.slice(last.range[1], close);
  const comma = /^[ \t]*,/.exec(rest);
  if (!multiline) {
    return comma
      ? splice(text, last.range[1] + comma[0].length, last.range[1] + comma[0].length, ` ${quoted},`)
      : splice(text, last.range[1], last.range[1], `, ${quoted}`);
  }
  const indent = lineIndent(text, last.range[0]);
  if (!rest.includes('\n')) {
    // `]` on the last item's line: continue on a new line before it.
    return comma
      ? splice(text, last.range[1] + comma[0].length, last.range[1] + comma[0].length, `${nl}${indent}${quoted},`)
      : splice(text, last.range[1], last.range[1], `,${nl}${indent}${quoted}`);
  }
  // On a new line below the last item's line (keeping any comment there), with a
  // trailing comma only if the user writes them.
  const at = nextLineStart(text, last.range[1]);
  const withNewItem = splice(text, at, at, `${indent}${quoted}${comma ? ',' : ''}${nl}`);
  return comma ? withNewItem : splice(withNewItem, last.range[1], last.range[1], ',');
}

/** The file's indentation step: a tab if lines are indented with tabs, else four spaces. */
const indentUnit = (text: string): string => (/^\t/m.test(text) && !/^ {2}/m.test(text) ? '\t' : '    ');

// --- Dependencies ---------------------------------------------------------------

/** The `[workspace.dependencies]` value for a crate from the version table. */
function workspaceDependencyValue(name: CrateName): string {
  const { version, defaultFeatures } = crateVersion(name);
  return defaultFeatures === false ? `{ version = "${version}", default-features = false }` : `"${version}"`;
}

/** The `[workspace.dependencies]` entry text for a crate from the version table. */
export function workspaceDependencyEntry(name: CrateName): string {
  return `${name} = ${workspaceDependencyValue(name)}`;
}

/**
 * The `[workspace.dependencies]` entries written as `name = value` (in any
 * table form), each as the exact TOML text of its value: what the baseline
 * records, and what an update compares to see whether the user changed one.
 */
export function workspaceDependencyTexts(source: string, file = 'Cargo.toml'): Record<string, string> {
  const manifest = parseManifest(source, file);
  const texts: Record<string, string> = {};
  for (const entry of entries(manifest.ast)) {
    if (entry.path.length === 3 && startsWith(entry.path, ['workspace', 'dependencies'])) {
      texts[entry.path[2]!] = manifest.text.slice(entry.node.value.range[0], entry.node.value.range[1]);
    }
  }
  return texts;
}

/** The version table's value for a crate, as the text `[workspace.dependencies]` holds for it. */
export const workspaceDependencyText = (name: CrateName): string => workspaceDependencyValue(name);

/**
 * Replaces the value of `[workspace.dependencies] name` with `value` (TOML
 * text), leaving every other byte, its key and any comment on the line as they are.
 */
export function replaceWorkspaceDependency(source: string, name: string, value: string, file = 'Cargo.toml'): string {
  return keepingBom(source, (text) => {
    const manifest = parseManifest(text, file);
    const entry = entries(manifest.ast).find((e) => samePath(e.path, ['workspace', 'dependencies', name]));
    if (!entry) throw new Error(`internal: ${file} has no \`${name} = ..\` in [workspace.dependencies]`);
    return splice(text, entry.node.value.range[0], entry.node.value.range[1], value);
  });
}

/**
 * Adds the crates that are missing from `[workspace.dependencies]`, in the
 * form the file writes that table in. Entries the user already has are never
 * touched, whatever version or features they name.
 */
export function addWorkspaceDependencies(source: string, names: readonly CrateName[], file = 'Cargo.toml'): string {
  return keepingBom(source, (text) => {
    for (const name of [...new Set(names)].sort()) {
      const manifest = parseManifest(text, file);
      if (lookup(manifest.value, ['workspace', 'dependencies', name]) !== undefined) continue;
      text = addKey(manifest, ['workspace', 'dependencies'], name, workspaceDependencyValue(name), true);
    }
    return text;
  });
}
// --- Profiles ---------------------------------------------------------------------

/** A named Cargo profile a member needs, e.g. `wasm-release` for size-tuned WebAssembly. */
export interface CargoProfile {
  readonly name: string;
  /** Comment lines (without `# `) written above the table. */
  readonly comment?: readonly string[];
  /** Keys and their TOML values, e.g. `['opt-level', '"z"']`. */
  readonly settings: readonly (readonly [string, string])[];
}

/**
 * Adds `[profile.<name>]` when the manifest has no such profile. Cargo reads
 * profiles only from the workspace root, so a member that needs its own adds
 * it there. A profile of that name the user already has, in any form, is
 * theirs and stays as it is.
 */
export function addProfile(source: string, profile: CargoProfile, file = 'Cargo.toml'): string {
  return keepingBom(source, (text) => addProfileText(text, profile, file));
}

function addProfileText(text: string, profile: CargoProfile, file: string): string {
  const manifest = parseManifest(text, file);
  if (lookup(manifest.value, ['profile', profile.name]) !== undefined) return text;
  // An inline `profile = { .. }` cannot take a new table header: extend it in its own form.
  if (tableForm(manifest, ['profile'])?.form === 'inline') {
    for (const [key, value] of profile.settings) text = addKey(parseManifest(text, file), ['profile', profile.name], key, value);
    return text;
  }
  const nl = eol(text);
  const lines = [...(profile.comment ?? []).map((line) => `# ${line}`), `[profile.${profile.name}]`];
  return appendBlock(text, [...lines, ...profile.settings.map(([key, value]) => `${key} = ${value}`)].join(nl));
}
