/**
 * The compose scenarios, Cargo's side: a member (cli) is added to hand-written
 * repositories of every layout (test/fixtures/repos.ts) with the
 * `rust-patterns` bin, then Cargo judges the result: `cargo metadata` lists
 * the new member beside the existing packages, `cargo check -p <member>`
 * passes, and `cargo check --workspace` shows the existing members (and a
 * root package) still build. A second run must change nothing. Prints a table
 * of scenario x step x seconds and a closing `N passed, N failed` line.
 *
 *   npm run test:e2e:compose                    # every scenario
 *   npm run test:e2e:compose -- --only glob     # scenarios whose name contains "glob"
 *
 * Environment: CARGO_TARGET_DIR (default ~/.cache/generator-rust-patterns/target),
 * E2E_DIR (default .e2e/ in the repository; scenarios go to compose-<name>/).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../../lib/paths.js';
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
  /** Beyond the checks: the member's own clippy and tests, in a repository that has no lints of ours. */
  readonly full?: boolean;
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
];

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
  const from = join(dir, scenario.from ?? '');
  const generate = () => run(process.execPath, [bin, 'cli', MEMBER, '--defaults', '--skip-install'], from);

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
        for (const [file, text] of Object.entries(files)) {
          if (file !== 'Cargo.toml') assert.equal(after.get(file), text, `${file} must stay byte-identical`);
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
        assert.deepEqual(await members(dir), [...packages, MEMBER].sort());
      },
    ],
    ['check member', () => run('cargo', ['check', '-p', MEMBER, '--all-targets'], dir)],
    ['check workspace', () => run('cargo', ['check', '--workspace'], dir)],
    ...(scenario.full
      ? ([
          ['clippy member', () => run('cargo', ['clippy', '-p', MEMBER, '--all-targets', '--', '-D', 'warnings'], dir)],
          ['test member', () => run('cargo', ['test', '-p', MEMBER], dir)],
        ] as [string, () => Promise<unknown>][])
      : []),
  ];
  for (const [name, action] of steps) {
    if (!(await step(s, name, action))) return;
  }
}

async function main(): Promise<void> {
  const chosen = SCENARIOS.filter((s) => only === undefined || s.name.includes(only));
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`);
  console.log(`compose e2e: ${chosen.length} scenarios, member ${MEMBER} (cli); CARGO_TARGET_DIR=${targetDir}`);
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
