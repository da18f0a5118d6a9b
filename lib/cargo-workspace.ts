/**
 * The Cargo repository around the current directory, read as Cargo reads it:
 * which manifest is the workspace root, which packages the workspace holds,
 * and where a new member may go. Reading only; cargo-manifest.ts edits.
 */
import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { parseManifest, type ParsedManifest } from './cargo-manifest.js';
import { isTable, lookup } from './toml-value.js';
import { globRegExp, isGlob, memberStatus, normalizeMemberPath } from './workspace-members.js';

/** Reads a file (through mem-fs in generators, so files pending in this run count), or undefined. */
export type ReadFile = (file: string) => string | undefined;

/** A path for messages: relative to the current directory when below it, else absolute. */
export function shownPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel === '' ? '.' : rel.startsWith('..') ? file : rel;
}

/**
 * The workspace root as Cargo finds it from `cwd`: the nearest Cargo.toml at
 * or above `cwd`; if it has no `[workspace]`, the directory its
 * `package.workspace` names, else the nearest manifest above it with a
 * `[workspace]` that does not exclude it, else the package itself (a
 * single-package repository). Undefined when there is no Cargo.toml at or
 * above `cwd`. A malformed manifest on the way is a ManifestError naming it.
 */
export function findWorkspaceRoot(cwd: string, read: ReadFile): string | undefined {
  const parse = (file: string): ParsedManifest | undefined => {
    const text = read(file);
    return text === undefined ? undefined : parseManifest(text, shownPath(cwd, file));
  };
  let current: string | undefined;
  let manifest: ParsedManifest | undefined;
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    manifest = parse(join(dir, 'Cargo.toml'));
    if (manifest) {
      current = dir;
      break;
    }
    if (dirname(dir) === dir) return undefined;
  }
  if (manifest.value['workspace'] !== undefined) return current;
  const pointer = lookup(manifest.value, ['package', 'workspace']);
  if (typeof pointer === 'string') {
    const root = resolve(current, pointer);
    if (parse(join(root, 'Cargo.toml'))?.value['workspace'] === undefined) {
      throw new Error(
        `${shownPath(cwd, join(current, 'Cargo.toml'))}: \`package.workspace\` points to ${shownPath(cwd, root)}, which has no Cargo.toml with a [workspace]; Cargo reports the same. Fix the key and run again.`,
      );
    }
    return root;
  }
  for (let dir = dirname(current); ; dir = dirname(dir)) {
    const ancestor = parse(join(dir, 'Cargo.toml'));
    if (ancestor?.value['workspace'] !== undefined) {
      const path = posix.normalize(relative(dir, current).split('\\').join('/'));
      if (memberStatus(ancestor.value, path) !== 'excluded') return dir;
    }
    if (dirname(dir) === dir) return current;
  }
}

/** A package of the workspace: its name and its directory relative to the root (`.` for the root package). */
export interface WorkspacePackage {
  readonly name: string;
  readonly dir: string;
  /** Its version, `version.workspace = true` read from the root; undefined when it has none. */
  readonly version?: string;
}

/** Directories never searched for members: build output, VCS data, dependencies of other tools. */
const SKIPPED = new Set(['target', '.git', 'node_modules']);

/**
 * The packages the workspace holds: the root package, explicit members, and
 * directories matched by member globs that hold a Cargo.toml and are not excluded.
 */
export function workspacePackages(root: string, manifest: ParsedManifest, read: ReadFile, cwd = root): WorkspacePackage[] {
  const packages: WorkspacePackage[] = [];
  const rootVersion = lookup(manifest.value, ['workspace', 'package', 'version']);
  const add = (dir: string, parsed: ParsedManifest): void => {
    const name = lookup(parsed.value, ['package', 'name']);
    const own = lookup(parsed.value, ['package', 'version']);
    const version = typeof own === 'string' ? own : isTable(own) && own['workspace'] === true ? rootVersion : undefined;
    if (typeof name === 'string') packages.push({ name, dir, ...(typeof version === 'string' ? { version } : {}) });
  };
  add('.', manifest);
  const members = lookup(manifest.value, ['workspace', 'members']);
  const patterns = Array.isArray(members)
    ? members.filter((m): m is string => typeof m === 'string').map(normalizeMemberPath)
    : [];
  const dirs = new Set<string>();
  for (const pattern of patterns) {
    if (!isGlob(pattern)) {
      dirs.add(pattern);
      continue;
    }
    const depth = pattern.includes('**') ? 6 : pattern.split('/').length;
    const regex = globRegExp(pattern);
    for (const dir of subdirectories(root, depth)) {
      if (regex.test(dir) && memberStatus(manifest.value, dir) !== 'excluded') dirs.add(dir);
    }
  }
  for (const dir of [...dirs].sort()) {
    const file = join(root, dir, 'Cargo.toml');
    const text = read(file);
    if (text !== undefined && dir !== '' && dir !== '.') add(dir, parseManifest(text, shownPath(cwd, file)));
  }
  return packages;
}

/** Relative paths of the directories below `root`, down to `depth` levels. */
function subdirectories(root: string, depth: number): string[] {
  const found: string[] = [];
  const walk = (rel: string, level: number): void => {
    if (level > depth) return;
    let names: string[];
    try {
      names = readdirSync(join(root, rel), { withFileTypes: true })
        .filter((e) => e.isDirectory() && !SKIPPED.has(e.name))
        .map((e) => e.name);
    } catch {
      return;
    }
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      found.push(path);
      walk(path, level + 1);
    }
  };
  walk('', 1);
  return found;
}

/**
 * Why a new member cannot go to `memberPath` (relative to the root), or
 * undefined: never inside Cargo's `target/` build directory, nor inside the
 * `src/` of a package (the root package or one above the path), nor anywhere a
 * symbolic link on the way leads out of the workspace, nor below a file.
 */
export function memberPathProblem(root: string, memberPath: string, read: ReadFile): string | undefined {
  const segments = normalizeMemberPath(memberPath).split('/');
  if (segments.length === 0 || segments[0] === '' || segments[0] === '.') {
    return `'${memberPath}' is the workspace root itself; give the member a directory of its own`;
  }
  if (segments[0] === 'target')
    return `'${memberPath}' is inside target/, Cargo's build directory, which \`cargo clean\` deletes`;
  const onDisk = placeProblem(root, segments);
  if (onDisk) return `'${memberPath}': ${onDisk}`;
  for (let i = 0; i < segments.length; i++) {
    if (segments[i] !== 'src') continue;
    const dir = segments.slice(0, i).join('/');
    const text = read(join(root, dir, 'Cargo.toml'));
    if (text === undefined) continue;
    const name = lookup(parseManifest(text, join(dir, 'Cargo.toml')).value, ['package', 'name']);
    if (typeof name === 'string') {
      return `'${memberPath}' is inside the sources of the package ${name} (${dir === '' ? '' : `${dir}/`}src/)`;
    }
  }
  return undefined;
}

/**
 * The path's components on disk: each existing one must be a directory (a
 * link to one is followed) that stays inside the workspace, and the member's
 * own directory must not exist in any form, not even as a dangling link.
 */
function placeProblem(root: string, segments: readonly string[]): string | undefined {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return undefined;
  }
  let dir = root;
  for (const [index, segment] of segments.entries()) {
    dir = join(dir, segment);
    let entry: Stats;
    try {
      entry = lstatSync(dir);
    } catch {
      return undefined; // From here down nothing exists: the member creates it.
    }
    const shownDir = segments.slice(0, index + 1).join('/');
    if (entry.isSymbolicLink()) {
      let target: string;
      try {
        target = realpathSync(dir);
      } catch {
        return `${shownDir} is a symbolic link to ${readlinkSync(dir)}, which does not exist; remove the link or choose another --path`;
      }
      const rel = relative(realRoot, target);
      if (rel.startsWith('..') || isAbsolute(rel)) {
        return `${shownDir} is a symbolic link to ${target}, outside the workspace; a member must live inside it (choose another --path)`;
      }
      if (index === segments.length - 1) return `${shownDir} already exists (a symbolic link to ${target})`;
      if (!statSync(target).isDirectory()) return `${shownDir} is a link to a file, not a directory`;
      continue;
    }
    if (!entry.isDirectory()) return `${shownDir} is a file, not a directory`;
  }
  return undefined;
}

/** A `[patch.crates-io]` entry of the root: the crate cargo takes from elsewhere for every dependent. */
export interface PatchedCrate {
  /** Where the patch points: a directory relative to the root, or the git URL. */
  readonly source: string;
  /** The patched package's version, read from its manifest; undefined for a git patch (not read offline). */
  readonly version?: string;
}

/** The root's `[patch.crates-io]` entry for `name` (not a renamed `package = …` one), or undefined. */
export function patchedCrate(root: string, manifest: ParsedManifest, name: string, read: ReadFile): PatchedCrate | undefined {
  const entry = lookup(manifest.value, ['patch', 'crates-io', name]);
  if (!isTable(entry) || (typeof entry['package'] === 'string' && entry['package'] !== name)) return undefined;
  if (typeof entry['git'] === 'string') return { source: entry['git'] };
  if (typeof entry['path'] !== 'string') return undefined;
  const dir = posix.normalize(entry['path'].split('\\').join('/'));
  const text = read(join(root, dir, 'Cargo.toml'));
  const version =
    text === undefined ? undefined : lookup(parseManifest(text, join(dir, 'Cargo.toml')).value, ['package', 'version']);
  return { source: dir, ...(typeof version === 'string' ? { version } : {}) };
}
