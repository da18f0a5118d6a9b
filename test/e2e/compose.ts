/**
 * The compose scenarios, Cargo's side: a member (cli, and each other kind) is
 * added to hand-written repositories of every layout (test/fixtures/repos.ts)
 * with the `rust-patterns` bin, then Cargo judges the result: `cargo metadata`
 * lists the new member beside the existing packages, `cargo check -p <member>`
 * passes, and `cargo check --workspace` shows the existing members (and a
 * root package) still build. A second run, and one after a build, must change
 * nothing. A member that would break resolution (a `links` clash) or take a
 * dependency's name is refused with every file left as it was. Prints a table
 * of scenario x step x seconds and a closing `N passed, N failed` line.
 *
 *   npm run test:e2e:compose                    # every scenario
 *   npm run test:e2e:compose -- --only glob     # scenarios whose name contains "glob"
 *
 * Environment: CARGO_TARGET_DIR (default ~/.cache/generator-rust-patterns/target),
 * E2E_DIR (default .e2e/ in the repository; scenarios go to compose-<name>/).
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../../lib/paths.js';
import { CRATES } from '../../lib/versions.js';
import { REPOS, snapshot, writeTree, type RepoName } from '../fixtures/repos.js';
import { run as runCommand } from '../process.js';

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const targetDir = process.env['CARGO_TARGET_DIR'] ?? join(homedir(), '.cache', 'generator-rust-patterns', 'target');
const e2eDir = resolve(process.env['E2E_DIR'] ?? join(PACKAGE_ROOT, '.e2e'));
const bin = join(PACKAGE_ROOT, 'dist', 'bin', 'rust-patterns.js');
const MEMBER = 'tool';

interface Scenario {
  readonly name: string;
  readonly repo: RepoName;
  /** Where the user runs the generator, relative to the repository. */
  readonly from?: string;
  /** The member added: kind and name (default: a cli named tool). */
  readonly kind?: 'cli' | 'service' | 'worker' | 'wasm' | 'pyo3';
  readonly member?: string;
  /** Beyond the checks: the member's own clippy and tests, under the repository's lints. */
  readonly full?: boolean;
  /** Flags beyond `--defaults`. */
  readonly args?: readonly string[];
  /** Prepares the repository before the run (e.g. an older Cargo.lock). */
  readonly setup?: (dir: string) => Promise<unknown>;
  /** The run must be refused with this message, leaving every file as it was. */
  readonly refused?: RegExp;
  /** Checked once the workspace has built with the member. */
  readonly verify?: (dir: string) => Promise<unknown>;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'explicit', repo: 'explicit', from: 'crates/core/src', full: true },
  { name: 'crlf-tabs', repo: 'crlf-tabs' },
  { name: 'glob', repo: 'glob' },
  { name: 'single-package', repo: 'single-package', from: 'src' },
  { name: 'root-package', repo: 'root-package' },
  { name: 'dotted', repo: 'dotted' },
  { name: 'dotted-in-table', repo: 'dotted-in-table' },
  { name: 'inline', repo: 'inline' },
  // Every other member kind, into the repository with the most of the user's own settings.
  { name: 'explicit-service', repo: 'explicit', kind: 'service', member: 'api', full: true },
  { name: 'explicit-worker', repo: 'explicit', kind: 'worker', member: 'batch', full: true },
  { name: 'explicit-wasm', repo: 'explicit', kind: 'wasm', member: 'web', full: true },
  { name: 'explicit-pyo3', repo: 'explicit', kind: 'pyo3', member: 'py', full: true },
  // The classes real repositories showed (issue 13).
  {
    name: 'rusqlite-service',
    repo: 'rusqlite',
    kind: 'service',
    member: 'api',
    refused: /would not resolve with api in it: .*Both link the native library `sqlite3`/s,
  },
  { name: 'rusqlite-cli', repo: 'rusqlite' },
  {
    name: 'older-lock',
    repo: 'tokio-user',
    kind: 'service',
    member: 'api',
    setup: (dir) => run('cargo', ['update', '-p', 'tokio', '--precise', '1.40.0'], dir),
  },
  // Strict inherited lints and a clippy.toml disallowing HashMap: strict-clean members inherit them (the
  // worker counts in a BTreeMap); the service, not strict-clean, takes its own lints when told to.
  { name: 'strict-cli', repo: 'strict', full: true },
  { name: 'strict-worker', repo: 'strict', kind: 'worker', member: 'batch', full: true },
  { name: 'strict-pyo3', repo: 'strict', kind: 'pyo3', member: 'py', full: true },
  { name: 'strict-service', repo: 'strict', kind: 'service', member: 'api', full: true, args: ['--own-lints'] },
  {
    // The workspace patches anyhow with its own copy of an older 1.0: the member must use it, not build a second anyhow.
    name: 'patched',
    repo: 'tokio-user',
    setup: patchAnyhow,
    verify: async (dir) => {
      const metadata = JSON.parse(await run('cargo', ['metadata', '--format-version', '1'], dir)) as {
        packages: { name: string; version: string; source: string | null }[];
      };
      const anyhows = metadata.packages.filter((p) => p.name === 'anyhow');
      assert.deepEqual(
        anyhows.map((p) => [p.version, p.source]),
        [[PATCHED_ANYHOW, null]],
        'one anyhow, the patched one',
      );
    },
  },
  {
    name: 'name-is-dependency',
    repo: 'explicit',
    member: 'clap',
    refused: /depends on the crate clap, so it cannot be named clap/,
  },
];

/** The version the 'patched' scenario's copy of anyhow claims: ours, one patch release older. */
const PATCHED_ANYHOW = CRATES.anyhow.version.replace(/\d+$/, (patch) => String(Number(patch) - 1));

/**
 * Copies crates.io's anyhow (ours, fetched if not cached) beside the
 * repository as an older release, and patches the workspace with it.
 */
async function patchAnyhow(dir: string): Promise<void> {
  const vendor = `${dir}-vendor`;
  rmSync(vendor, { recursive: true, force: true });
  const fetcher = join(vendor, 'fetch');
  writeTree(fetcher, {
    'Cargo.toml': `[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2024"\n\n[dependencies]\nanyhow = "=${CRATES.anyhow.version}"\n`,
    'src/lib.rs': '',
  });
  const metadata = JSON.parse(await run('cargo', ['metadata', '--format-version', '1'], fetcher)) as {
    packages: { name: string; manifest_path: string }[];
  };
  const source = dirname(metadata.packages.find((p) => p.name === 'anyhow')!.manifest_path);
  const copy = join(vendor, 'anyhow');
  cpSync(source, copy, { recursive: true });
  const manifest = join(copy, 'Cargo.toml');
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace(/^version = ".*"$/m, `version = "${PATCHED_ANYHOW}"`));
  const root = join(dir, 'Cargo.toml');
  writeFileSync(root, `${readFileSync(root, 'utf8')}\n[patch.crates-io]\nanyhow = { path = "../${basename(vendor)}/anyhow" }\n`);
}

interface Row {
  readonly scenario: string;
  readonly step: string;
  readonly seconds: number;
  readonly ok: boolean;
}
const rows: Row[] = [];

/** Runs a command in `cwd` with the shared target dir. */
function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  return runCommand(command, args, { cwd, env: { CARGO_TARGET_DIR: targetDir, CARGO_TERM_COLOR: 'never' } }).then(
    (r) => r.stdout,
  );
}

async function step(scenario: string, name: string, action: () => Promise<unknown>): Promise<boolean> {
  const t0 = performance.now();
  let ok = true;
  try {
    await action();
  } catch (error) {
    ok = false;
    console.log(String(error instanceof Error ? error.message : error).replace(/^/gm, '         | '));
  }
  const seconds = (performance.now() - t0) / 1000;
  rows.push({ scenario, step: name, seconds, ok });
  console.log(`  ${scenario.padEnd(18)} ${name.padEnd(18)} ${seconds.toFixed(1).padStart(7)}s  ${ok ? 'ok' : 'FAILED'}`);
  return ok;
}

/** The workspace members Cargo sees, by package name. */
async function members(dir: string): Promise<string[]> {
  const metadata = JSON.parse(await run('cargo', ['metadata', '--format-version', '1', '--no-deps'], dir)) as {
    packages: { id: string; name: string }[];
    workspace_members: string[];
  };
  return metadata.packages
    .filter((p) => metadata.workspace_members.includes(p.id))
    .map((p) => p.name)
    .sort();
}

async function runScenario(scenario: Scenario): Promise<void> {
  const { files, packages } = REPOS[scenario.repo];
  const dir = join(e2eDir, `compose-${scenario.name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeTree(dir, files);
  const s = scenario.name;
  const member = scenario.member ?? MEMBER;
  const from = join(dir, scenario.from ?? '');
  // The install phase runs too (cargo fmt and check of the member), and the check that the workspace resolves first.
  const generate = () =>
    run(process.execPath, [bin, scenario.kind ?? 'cli', member, '--defaults', ...(scenario.args ?? [])], from);
  if (scenario.setup && !(await step(s, 'setup', () => scenario.setup!(dir)))) return;
  const original = snapshot(dir);

  if (scenario.refused) {
    const refused = scenario.refused;
    await step(s, 'refused', async () => {
      const error = await generate().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof Error, 'the run must fail');
      assert.match(error.message, refused);
      assert.match(error.message, /Nothing was written\./);
      assert.deepEqual(snapshot(dir), original, 'every file stays as it was');
      await run('cargo', ['metadata', '--format-version', '1'], dir);
    });
    return;
  }

  const steps: [string, () => Promise<unknown>][] = [
    [
      'metadata before',
      async () => {
        assert.deepEqual(await members(dir), [...packages].sort());
      },
    ],
    [
      'generate',
      async () => {
        await generate();
        const after = snapshot(dir);
        for (const [file, text] of original) {
          if (file !== 'Cargo.toml' && file !== 'Cargo.lock')
            assert.equal(after.get(file), text, `${file} must stay byte-identical`);
        }
      },
    ],
    [
      'generate again',
      async () => {
        const first = snapshot(dir);
        await generate();
        assert.deepEqual(snapshot(dir), first, 'a second run changes nothing');
      },
    ],
    [
      'metadata after',
      async () => {
        assert.deepEqual(await members(dir), [...packages, member].sort());
      },
    ],
    ['check member', () => run('cargo', ['check', '-p', member, '--all-targets'], dir)],
    ['check workspace', () => run('cargo', ['check', '--workspace'], dir)],
    ...(scenario.verify ? ([['verify', () => scenario.verify!(dir)]] as [string, () => Promise<unknown>][]) : []),
    ...(scenario.full
      ? ([
          ['clippy member', () => run('cargo', ['clippy', '-p', member, '--all-targets', '--', '-D', 'warnings'], dir)],
          ...(scenario.kind === 'pyo3' || scenario.kind === 'wasm'
            ? [] // their tests need an interpreter or a wasm runtime: test/e2e/run.ts runs them
            : [['test member', () => run('cargo', ['test', '-p', member], dir)]]),
        ] as [string, () => Promise<unknown>][])
      : []),
    [
      'generate after build',
      async () => {
        // cargo has moved Cargo.lock by now: still nothing to change, no question.
        const built = snapshot(dir);
        await generate();
        assert.deepEqual(snapshot(dir), built, 'a run after a build changes nothing');
      },
    ],
  ];
  for (const [name, action] of steps) {
    if (!(await step(s, name, action))) return;
  }
}

async function main(): Promise<void> {
  const chosen = SCENARIOS.filter((s) => only === undefined || s.name.includes(only));
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`);
  console.log(`compose e2e: ${chosen.length} scenarios; CARGO_TARGET_DIR=${targetDir}`);
  const started = performance.now();
  for (const scenario of chosen) await runScenario(scenario);
  console.log('\nscenario           step                seconds  status');
  for (const r of rows)
    console.log(`${r.scenario.padEnd(18)} ${r.step.padEnd(18)} ${r.seconds.toFixed(1).padStart(8)}  ${r.ok ? 'ok' : 'FAILED'}`);
  const failed = chosen.filter((s) => {
    const own = rows.filter((r) => r.scenario === s.name);
    return own.length === 0 || own.some((r) => !r.ok);
  }).length;
  console.log(`\nTotal ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  console.log(`compose: ${chosen.length - failed} passed, ${failed} failed`);
  if (failed > 0) process.exitCode = 1;
}

await main();
