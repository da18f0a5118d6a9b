/**
 * The supply-chain steps of every e2e combination (issue 19):
 * - `deny`: cargo-deny, offline, against the RustSec snapshot in
 *   `../shared/advisory-db` (see shared/notes/advisories.md), with a copy of
 *   the generated deny.toml pointed at a git-initialised copy of it. It also
 *   prints what the advisories check reports with the generated ignores
 *   removed, so the log shows what each ignore (with its reason) hides.
 * - `msrv`: the workspace's `rust-version` is at least the `rust_version` of
 *   every package `cargo metadata` resolves, so the MSRV job of the generated
 *   CI can pass.
 *
 * Environment: ADVISORY_DB (default ../shared/advisory-db beside the
 * repository), RUST_PATTERNS_CACHE (where .ci/setup.d/deny.sh installed
 * cargo-deny; default ~/.cache/generator-rust-patterns).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { compareVersions, parseVersion } from '../../lib/cargo-version.js';
import { PACKAGE_ROOT } from '../../lib/paths.js';
import { TOOLS } from '../../lib/versions.js';
import { run } from '../process.js';
import { Skip, type Step, type StepContext } from './member-steps.js';

/** The folder name cargo-deny gives the database of its default URL (https://github.com/rustsec/advisory-db). */
const DEFAULT_DB_FOLDER = 'advisory-db-3157b0e258782691';

const CHECKS = ['advisories', 'bans', 'licenses', 'sources'] as const;

/** The directory holding cargo-deny, installed by .ci/setup.d/deny.sh at the pinned version. */
function cargoDenyBin(): string {
  const cache = process.env['RUST_PATTERNS_CACHE'] ?? join(homedir(), '.cache', 'generator-rust-patterns');
  const bin = join(cache, `cargo-deny-${TOOLS['cargo-deny'].version}`, 'bin');
  if (!existsSync(join(bin, 'cargo-deny'))) {
    throw new Skip(`cargo-deny ${TOOLS['cargo-deny'].version} is not in ${bin}: run bash .ci/setup.d/deny.sh`);
  }
  return bin;
}

let dbPath: string | undefined;

/**
 * A git-initialised copy of the snapshot, once per run: cargo-deny reads the
 * date of HEAD, and ../shared is read-only and not a repository.
 */
function advisoryDbPath(scratch: string): string {
  if (dbPath !== undefined) return dbPath;
  const source = resolve(process.env['ADVISORY_DB'] ?? join(PACKAGE_ROOT, '..', 'shared', 'advisory-db'));
  if (!existsSync(join(source, 'crates'))) {
    throw new Skip(`no RustSec snapshot at ${source} (set ADVISORY_DB to the shared advisory-db)`);
  }
  const dir = join(scratch, '.advisory-db');
  const copy = join(dir, DEFAULT_DB_FOLDER);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(source, copy, { recursive: true });
  for (const args of [
    ['init', '-q'],
    ['add', '-A'],
    ['-c', 'user.name=e2e', '-c', 'user.email=e2e@localhost', 'commit', '-qm', 'snapshot'],
  ]) {
    const git = spawnSync('git', args, { cwd: copy, encoding: 'utf8' });
    if (git.status !== 0) throw new Error(`git ${args.join(' ')} in ${copy}: ${git.stderr}`);
  }
  dbPath = dir;
  return dir;
}

/** deny.toml with `db-path` set under `[advisories]`; with `withoutIgnores`, the ignore list emptied. */
export function offlinePolicy(policy: string, db: string, withoutIgnores = false): string {
  let text = policy.replace(/^\[advisories\]$/m, `[advisories]\ndb-path = ${JSON.stringify(db)}`);
  if (withoutIgnores) text = text.replace(/^ignore = \[[\s\S]*?^\]$/m, 'ignore = []');
  if (text === policy) throw new Error('deny.toml has no [advisories] table');
  return text;
}

/** The advisory ids in cargo-deny's JSON diagnostics (one JSON object a line). */
export function advisoryIds(jsonLines: string): string[] {
  const ids = new Set<string>();
  for (const line of jsonLines.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { fields?: { advisory?: { id?: string } } };
    const id = entry.fields?.advisory?.id;
    if (id !== undefined) ids.add(id);
  }
  return [...ids].sort();
}

async function deny(ctx: StepContext): Promise<void> {
  const bin = cargoDenyBin();
  const db = advisoryDbPath(resolve(ctx.workspace, '..', '..'));
  const policy = readFileSync(join(ctx.workspace, 'deny.toml'), 'utf8');
  const config = join(ctx.workspace, '..', 'deny.offline.toml');
  const bare = join(ctx.workspace, '..', 'deny.no-ignores.toml');
  writeFileSync(config, offlinePolicy(policy, db));
  writeFileSync(bare, offlinePolicy(policy, db, true));
  const env = { ...ctx.env, PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}` };
  const options = { cwd: ctx.workspace, env };
  // Every crate of every target on disk first: cargo-deny --offline reads them, and cargo downloads nothing then.
  await run('cargo', ['fetch'], options);
  // What the advisories check reports with no ignore at all: warnings only, to count them.
  const before = await run(
    'cargo',
    [
      'deny',
      '--offline',
      '--format',
      'json',
      '--config',
      bare,
      'check',
      '--warn',
      'vulnerability',
      '--warn',
      'unmaintained',
      '--warn',
      'unsound',
      '--warn',
      'yanked',
      'advisories',
    ],
    options,
  );
  const reported = advisoryIds(before.stderr);
  const ignored = (/^ignore = \[([\s\S]*?)^\]$/m.exec(policy)?.[1] ?? '').match(/RUSTSEC-\d{4}-\d{4}/g) ?? [];
  console.log(
    `         advisories without ignores: ${reported.length}${reported.length > 0 ? ` (${reported.join(', ')})` : ''}; ignored with a reason: ${ignored.length}${ignored.length > 0 ? ` (${[...new Set(ignored)].join(', ')})` : ''}`,
  );
  await run('cargo', ['deny', '--offline', '--config', config, 'check', ...CHECKS], options);
}

interface Metadata {
  readonly packages: readonly { readonly name: string; readonly version: string; readonly rust_version: string | null }[];
}

/** Packages whose `rust_version` is above the workspace's, as `name@version (rust_version)`. */
export function aboveMsrv(metadata: Metadata, rustVersion: string): string[] {
  const msrv = parseVersion(rustVersion);
  if (!msrv) throw new Error(`unreadable rust-version '${rustVersion}'`);
  return metadata.packages
    .filter((p) => {
      const theirs = p.rust_version === null ? undefined : parseVersion(p.rust_version);
      return theirs !== undefined && compareVersions(theirs, msrv) > 0;
    })
    .map((p) => `${p.name}@${p.version} (${p.rust_version!})`);
}

async function msrv(ctx: StepContext): Promise<void> {
  const manifest = readFileSync(join(ctx.workspace, 'Cargo.toml'), 'utf8');
  const rustVersion = /^rust-version = "([^"]+)"$/m.exec(manifest)?.[1];
  if (rustVersion === undefined) throw new Error('the root Cargo.toml declares no rust-version');
  const metadata = JSON.parse(await ctx.run('cargo', ['metadata', '--format-version', '1', '--locked'])) as Metadata;
  const above = aboveMsrv(metadata, rustVersion);
  if (above.length > 0) {
    throw new Error(`rust-version = "${rustVersion}", but these resolved packages need a newer Rust:\n  ${above.join('\n  ')}`);
  }
  console.log(`         rust-version ${rustVersion} covers all ${metadata.packages.length} resolved packages`);
}

export const supplyChainSteps: readonly Step[] = [
  { name: 'deny', run: deny },
  { name: 'msrv', run: msrv },
];
