/**
 * The e2e layer: generates a workspace for every combination of members and
 * options (see matrix.ts), then runs in each `cargo fmt --check`,
 * `cargo clippy --workspace --all-targets -- -D warnings`, the same clippy
 * with the strict lints on the members whose templates are clean under them
 * (`clippy strict`, see STRICT_CLEAN_MEMBERS), `cargo test --workspace` and
 * each member's own steps, sharing one CARGO_TARGET_DIR so
 * dependencies build once. Prints a table of combination x step x seconds.
 *
 *   npm run test:e2e                      # every combination
 *   npm run test:e2e -- --only cli        # combinations whose id contains "cli"
 *   npm run test:e2e -- --list            # list the combinations
 *
 * Environment: CARGO_TARGET_DIR (default ~/.cache/generator-rust-patterns/target),
 * E2E_DIR (default .e2e/ in the repository), CI=true (a missing database is a failure, not a skip),
 * ADVISORY_DB (the RustSec snapshot; default ../shared/advisory-db beside the repository).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MEMBERS } from '../../generators/members.js';
import { PACKAGE_ROOT } from '../../lib/paths.js';
import { STRICT_LINTS, combinations, flagsOf, laterFlagsOf, strictPackageArgs, type Combination } from './matrix.js';
import { run } from '../process.js';
import { Skip, type MemberE2e, type Prepared, type Step, type StepContext } from './member-steps.js';
import { supplyChainSteps } from './supply-chain.js';

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const targetDir = process.env['CARGO_TARGET_DIR'] ?? join(homedir(), '.cache', 'generator-rust-patterns', 'target');
const e2eDir = resolve(process.env['E2E_DIR'] ?? join(PACKAGE_ROOT, '.e2e'));
const underCi = process.env['CI'] === 'true';
const bin = join(PACKAGE_ROOT, 'dist', 'bin', 'rust-patterns.js');
/** Every combination's workspace is named this; packages are `e2e-<kind>`. */
const wsName = 'e2e';

interface Row {
  combination: string;
  step: string;
  seconds: number;
  status: 'ok' | 'FAILED' | 'skipped';
  /** A failed step's message, repeated after the table where a log's tail shows it. */
  message?: string;
}

const rows: Row[] = [];
const started = performance.now();
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(0).padStart(5)}s`;

async function loadMemberE2e(kind: string): Promise<MemberE2e> {
  for (const ext of ['.js', '.ts']) {
    const file = join(PACKAGE_ROOT, 'test', 'e2e', 'members', `${kind}${ext}`);
    if (existsSync(file)) return ((await import(pathToFileURL(file).href)) as { default: MemberE2e }).default;
  }
  return {};
}

/** The cargo steps shared by every combination; `clippy strict` only where a member's templates are clean under it. */
function cargoSteps(combination: Combination): Step[] {
  // `-p` per clean member: in an all-members workspace the others are not checked.
  const strict = strictPackageArgs(combination, wsName);
  return [
    { name: 'fmt', run: (ctx) => ctx.run('cargo', ['fmt', '--all', '--check']).then(() => undefined) },
    {
      name: 'clippy',
      run: (ctx) => ctx.run('cargo', ['clippy', '--workspace', '--all-targets', '--', '-D', 'warnings']).then(() => undefined),
    },
    ...(strict.length === 0
      ? []
      : [
          {
            name: 'clippy strict',
            run: (ctx: StepContext) =>
              ctx
                .run('cargo', ['clippy', ...strict, '--all-targets', '--', '-D', 'warnings', ...STRICT_LINTS])
                .then(() => undefined),
          },
        ]),
    { name: 'test', run: (ctx) => ctx.run('cargo', ['test', '--workspace']).then(() => undefined) },
    // cargo-deny against the RustSec snapshot, and rust-version against every resolved package.
    ...supplyChainSteps,
  ];
}

async function timed(combination: string, step: string, action: () => Promise<unknown>): Promise<boolean> {
  const t0 = performance.now();
  try {
    await action();
    record(combination, step, t0, 'ok');
    return true;
  } catch (error) {
    if (error instanceof Skip && !underCi) {
      record(combination, step, t0, 'skipped');
      console.log(`         skipped: ${error.message}`);
      return false;
    }
    const message = String(error instanceof Error ? error.message : error);
    record(combination, step, t0, 'FAILED', message);
    console.log(message.replace(/^/gm, '         | '));
    return false;
  }
}

function record(combination: string, step: string, t0: number, status: Row['status'], message?: string): void {
  const seconds = (performance.now() - t0) / 1000;
  rows.push({ combination, step, seconds, status, message });
  console.log(`${elapsed()}  ${combination.padEnd(40)} ${step.padEnd(14)} ${seconds.toFixed(1).padStart(7)}s  ${status}`);
}

async function runCombination(combination: Combination): Promise<void> {
  // Each combination in its own directory, holding a workspace named `e2e`.
  const parent = join(e2eDir, combination.id);
  const workspace = join(parent, wsName);
  rmSync(parent, { recursive: true, force: true });
  mkdirSync(parent, { recursive: true });
  const generated = await timed(combination.id, 'generate', async () => {
    await run(process.execPath, [bin, 'app', wsName, ...flagsOf(combination), '--defaults', '--skip-install', '--skip-git'], {
      cwd: parent,
    });
    for (const kind of combination.later ?? []) {
      await run(process.execPath, [bin, ...laterFlagsOf(combination, kind, wsName), '--defaults', '--skip-install'], {
        cwd: workspace,
      });
    }
  });
  if (!generated) return;

  const env: Record<string, string> = { CARGO_TARGET_DIR: targetDir, CARGO_TERM_COLOR: 'never' };
  const cleanups: (() => Promise<void>)[] = [];
  const skipCargoSteps: Record<string, string> = {};
  const contexts: { ctx: StepContext; e2e: MemberE2e }[] = [];
  try {
    for (const member of combination.members) {
      const e2e = await loadMemberE2e(member.kind);
      const memberUnderTest = {
        kind: member.kind,
        name: `${wsName}-${member.kind}`,
        dir: join(workspace, 'crates', member.kind),
        options: member.options,
      };
      const base = {
        combination,
        workspace,
        member: memberUnderTest,
        targetDir,
        run: (command: string, args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}) =>
          run(command, args, { cwd: options.cwd ?? workspace, env: { ...env, ...options.env } }).then((r) => r.stdout),
      };
      let prepared: Prepared = {};
      if (e2e.prepare) {
        const ok = await timed(combination.id, `${member.kind}:prepare`, async () => {
          prepared = await e2e.prepare!(base);
        });
        if (!ok) return;
      }
      Object.assign(env, prepared.env);
      Object.assign(skipCargoSteps, prepared.skipCargoSteps);
      if (prepared.cleanup) cleanups.push(prepared.cleanup);
      contexts.push({ ctx: { ...base, env }, e2e });
    }
    const first = contexts[0]!.ctx;
    for (const step of cargoSteps(combination)) {
      const reason = skipCargoSteps[step.name];
      if (reason !== undefined) {
        record(combination.id, step.name, performance.now(), 'skipped');
        console.log(`         skipped: ${reason}`);
        continue;
      }
      if (!(await timed(combination.id, step.name, () => step.run(first)))) return;
    }
    for (const { ctx, e2e } of contexts) {
      for (const step of e2e.steps?.(ctx) ?? []) {
        if (!(await timed(combination.id, `${ctx.member.kind}:${step.name}`, () => step.run(ctx)))) return;
      }
    }
  } finally {
    for (const cleanup of cleanups) {
      await cleanup().catch((error: unknown) => {
        console.log(`cleanup failed: ${String(error)}`);
      });
    }
  }
}

async function main(): Promise<void> {
  const all = combinations().filter((c) => only === undefined || c.id.includes(only));
  if (argv.includes('--list')) {
    for (const c of all) console.log(`${c.id}  ${flagsOf(c).join(' ')}`);
    return;
  }
  console.log(`e2e: ${all.length} combinations of ${MEMBERS.map((m) => m.kind).join(', ')}; CARGO_TARGET_DIR=${targetDir}`);
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`);
  for (const combination of all) await runCombination(combination);

  console.log('\ncombination                              step            seconds  status');
  for (const row of rows) {
    console.log(`${row.combination.padEnd(40)} ${row.step.padEnd(14)} ${row.seconds.toFixed(1).padStart(7)}  ${row.status}`);
  }
  const failed = rows.filter((r) => r.status === 'FAILED').length;
  for (const row of rows.filter((r) => r.message !== undefined)) {
    // The last lines hold the assertion; the whole message is above, in the step's place.
    const tail = row.message!.split('\n').slice(-40).join('\n');
    console.log(`\nFAILED ${row.combination} ${row.step}:\n${tail.replace(/^/gm, '  | ')}`);
  }
  const skipped = rows.filter((r) => r.status === 'skipped').length;
  const passedCombos = all.filter((c) => rows.filter((r) => r.combination === c.id).every((r) => r.status === 'ok')).length;
  const failedCombos =
    all.length - passedCombos - new Set(rows.filter((r) => r.status === 'skipped').map((r) => r.combination)).size;
  console.log(`\nTotal ${((performance.now() - started) / 1000).toFixed(0)} s; ${failed} failed steps, ${skipped} skipped.`);
  console.log(
    `e2e: ${passedCombos} passed, ${failedCombos} failed${skipped > 0 ? `, ${all.length - passedCombos - failedCombos} skipped` : ''}`,
  );
  if (failedCombos > 0) process.exitCode = 1;
}

await main();
