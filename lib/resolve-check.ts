/**
 * Before a member is written into an existing workspace: does the workspace
 * still resolve with it? `cargo metadata` runs on a staged copy of what Cargo
 * reads to resolve (every manifest, the lock, `.cargo/config`, and empty stand-ins
 * for the Rust sources, whose presence alone decides a package's targets), with
 * the run's pending files laid over it, so the user's tree is never touched.
 *
 * Cargo has no resolve-only mode that reads manifests from elsewhere, hence the copy.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { onExit } from 'signal-exit';

/** A file the run would write (undefined contents: deleted). */
export interface PendingWrite {
  readonly path: string;
  readonly contents: Buffer | undefined;
}

export type ResolveOutcome =
  | { readonly status: 'resolves'; readonly packages: readonly ResolvedPackage[] }
  /** The workspace does not resolve with the member, and did without it. */
  | { readonly status: 'breaks'; readonly cargoError: string; readonly stagedRoot: string }
  /** Not known: cargo is missing, or the workspace did not resolve (as staged) before the member either. */
  | { readonly status: 'unknown'; readonly reason: string };

export interface ResolvedPackage {
  readonly name: string;
  readonly version: string;
  /** Where it comes from: undefined for a package of the workspace (a path). */
  readonly source: string | undefined;
}

/** Directories Cargo does not read to resolve: build output, VCS data, other ecosystems' caches. */
const SKIPPED_DIRS = new Set(['.git', '.hg', '.svn', 'target', 'node_modules', '.venv', '__pycache__']);

const isCargoInput = (rel: string): boolean => {
  const name = basename(rel);
  return name === 'Cargo.toml' || name === 'Cargo.lock' || rel.split(sep)[0] === '.cargo' || name.endsWith('.rs');
};

/** Copies what Cargo reads into `to`; a `.rs` file becomes an empty stand-in. */
function stage(root: string, to: string): void {
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable: Cargo would not read it either
    }
    // A directory holding CACHEDIR.TAG is a build directory (a CARGO_TARGET_DIR by another name).
    if (dir !== root && entries.some((e) => e.name === 'CACHEDIR.TAG')) return;
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const rel = relative(root, path);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(path);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && isCargoInput(rel)) {
        const target = join(to, rel);
        mkdirSync(dirname(target), { recursive: true });
        try {
          if (rel.endsWith('.rs') && rel.split(sep)[0] !== '.cargo') writeFileSync(target, '');
          else copyFileSync(path, target);
        } catch {
          // A dangling link or an unreadable file: left out, as Cargo would fail on it anyway.
        }
      }
    }
  };
  walk(root);
}

/**
 * Where the staged copy of `root` goes under `base`: at `root`'s own absolute
 * path, beside links to every other entry of each directory above it, so that
 * a path a manifest gives outside the workspace (a `[patch]` of
 * `../vendor/anyhow`, a sibling repository's crate) and the `.cargo/config.toml`
 * files above it are read as they are for the user. (On Windows, with drive
 * letters, the copy goes to `base` itself.)
 */
function stagedPlace(base: string, root: string): string {
  if (process.platform === 'win32') return base;
  let child = root;
  for (let dir = dirname(root); ; child = dir, dir = dirname(dir)) {
    mkdirSync(join(base, dir), { recursive: true });
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      // An unreadable directory above the workspace: cargo could not read it either.
    }
    for (const name of names) {
      if (name === basename(child)) continue;
      try {
        symlinkSync(join(dir, name), join(base, dir, name));
      } catch {
        // Left out: what cannot be linked is not something cargo resolves against.
      }
    }
    if (dirname(dir) === dir) break;
  }
  return join(base, root);
}

function overlay(root: string, to: string, pending: readonly PendingWrite[]): void {
  for (const file of pending) {
    const rel = relative(root, file.path);
    if (rel.startsWith('..') || !isCargoInput(rel)) continue;
    const target = join(to, rel);
    if (file.contents === undefined) {
      rmSync(target, { force: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, rel.endsWith('.rs') ? '' : file.contents);
  }
}

interface CargoRun {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly missing?: true;
}

function cargoMetadata(dir: string, offline: boolean): Promise<CargoRun> {
  const args = ['metadata', '--format-version', '1', ...(offline ? ['--offline'] : [])];
  return new Promise((resolve) => {
    execFile(
      'cargo',
      args,
      {
        cwd: dir,
        maxBuffer: 256 * 1024 * 1024,
        // The staged tree's own target dir: nothing is built, but cargo may create it.
        env: { ...process.env, CARGO_TARGET_DIR: join(dir, 'target'), CARGO_TERM_COLOR: 'never' },
      },
      (error, stdout, stderr) => {
        const missing = (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
        resolve({ ok: error === null, stdout, stderr, ...(missing ? { missing: true as const } : {}) });
      },
    );
  });
}

/** Offline first (the index Cargo has cached answers most runs in a second); online where that is not enough. */
async function resolveIn(dir: string): Promise<CargoRun> {
  const offline = await cargoMetadata(dir, true);
  if (offline.ok || offline.missing) return offline;
  return cargoMetadata(dir, false);
}

/** Does `root` resolve with `pending` written? Nothing outside a temporary directory is touched. */
export async function checkResolves(root: string, pending: readonly PendingWrite[]): Promise<ResolveOutcome> {
  const scratch = mkdtempSync(join(tmpdir(), 'rust-patterns-resolve-'));
  const removeScratch = (): void => {
    rmSync(scratch, { recursive: true, force: true });
  };
  const stopCleanup = onExit(removeScratch);
  try {
    const withMember = stagedPlace(join(scratch, 'with'), root);
    stage(root, withMember);
    overlay(root, withMember, pending);
    const run = await resolveIn(withMember);
    if (run.missing) return { status: 'unknown', reason: 'cargo is not on PATH' };
    if (run.ok) return { status: 'resolves', packages: packagesOf(run.stdout) };
    const before = stagedPlace(join(scratch, 'before'), root);
    stage(root, before);
    const earlier = await resolveIn(before);
    if (!earlier.ok)
      return { status: 'unknown', reason: `cargo metadata fails without the member too: ${firstError(earlier.stderr)}` };
    return { status: 'breaks', cargoError: run.stderr.trim(), stagedRoot: withMember };
  } finally {
    removeScratch();
    stopCleanup();
  }
}

function packagesOf(metadata: string): ResolvedPackage[] {
  try {
    const parsed = JSON.parse(metadata) as { packages?: { name: string; version: string; source: string | null }[] };
    return (parsed.packages ?? []).map((p) => ({ name: p.name, version: p.version, source: p.source ?? undefined }));
  } catch {
    return [];
  }
}

const firstError = (stderr: string): string =>
  stderr
    .split('\n')
    .find((l) => l.startsWith('error'))
    ?.replace(/^error:\s*/, '')
    .trim() ??
  stderr.trim().split('\n')[0] ??
  'no output';

/** One side of a resolver conflict: the workspace package at the top of the chain, the crate that asks, and what it asks for. */
interface Chain {
  readonly top: string | undefined;
  readonly via: string | undefined;
  readonly wants: string | undefined;
}

const packageName = (spec: string | undefined): string | undefined => spec?.split(' ')[0];

function chainOf(lines: readonly string[]): Chain {
  const ofPackage = lines.map((l) => /of package `([^`]+)`/.exec(l)?.[1]).filter((p): p is string => p !== undefined);
  const requiredBy = lines.map((l) => /required by package `([^`]+)`/.exec(l)?.[1]).find((p) => p !== undefined);
  return {
    top: packageName(ofPackage.at(-1) ?? requiredBy),
    via: (requiredBy ?? ofPackage[0])?.replace(/ \(.*\)$/, ''),
    wants: undefined,
  };
}

/**
 * Cargo's resolver error, told in a sentence first: for a `links` clash, what
 * the member and what the workspace's own package each need, through which
 * crate, and the native library both link; then Cargo's words, with the paths
 * of the staged copy put back to the workspace's own (`stagedRoot` → `root`).
 */
export function explainResolveFailure(cargoError: string, member: string, stagedRoot = '', root = ''): string {
  const text = stagedRoot ? cargoError.split(stagedRoot).join(root) : cargoError;
  const lines = text
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^\s*(Updating|Locking|Adding|Downloading|Downloaded)\b/.test(l));
  const excerpt = lines
    .slice(0, 16)
    .map((l) => `    ${l}`)
    .join('\n');
  const crate = /failed to select a version for `([^`]+)`\./.exec(text)?.[1];
  const links = /links to the native library `([^`]+)`/.exec(text)?.[1];
  const meets = lines.findIndex((l) => l.startsWith('versions that meet the requirements'));
  const previous = lines.findIndex((l) => l.includes('conflicts with a previous package'));
  if (!crate || !links || meets < 0 || previous < 0) {
    return `The workspace would not resolve with ${member} in it${crate ? ` (no version of ${crate} fits every requirement)` : ''}. Cargo says:\n${excerpt}`;
  }
  const selecting: Chain = {
    ...chainOf(lines.slice(0, meets)),
    wants: /requirements `([^`]+)`/.exec(lines[meets]!)?.[1],
  };
  const holding: Chain = {
    ...chainOf(lines.slice(previous + 2)),
    wants: /^package `[^ `]+ v([^`]+)`/.exec(lines[previous + 1] ?? '')?.[1],
  };
  const [ours, theirs] = holding.top === member ? [holding, selecting] : [selecting, holding];
  const needs = (c: Chain): string => `${crate} ${c.wants ?? ''}${c.via ? ` (through ${c.via})` : ''}`;
  const workspacePackage = theirs.top ?? 'another package';
  return (
    `The workspace would not resolve with ${member} in it: ${member} needs ${needs(ours)}, and the workspace's ${workspacePackage} needs ${needs(theirs)}. ` +
    `Both link the native library \`${links}\`, and Cargo allows one package per native library in a workspace. ` +
    `Move ${workspacePackage}${theirs.via ? `'s ${packageName(theirs.via)}` : ''} to a version that uses ${crate} ${ours.wants ?? ''}, or put ${member} in a workspace of its own (\`rust-patterns app <name>\`). Cargo says:\n${excerpt}`
  );
}
