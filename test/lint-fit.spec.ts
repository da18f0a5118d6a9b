/**
 * A member joining a workspace whose lints or clippy.toml would fail its code
 * (lib/lint-fit.ts): the conflicts found from the toolchain's lint table, the
 * HashMap variant a clippy.toml calls for, and `--own-lints`. The e2e compose
 * scenario 'strict-lints' runs clippy on the result.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { disallowedConflicts, toolchainLints, workspaceLintConflicts } from '../lib/lint-fit.js';
import { PACKAGE_ROOT } from '../lib/paths.js';
import { snapshot, type Tree } from './fixtures/repos.js';
import { rustPatterns, tempRepos } from './helpers.js';

const table = toolchainLints(PACKAGE_ROOT);

describe('lint fit: the workspace lints a member is checked against', function () {
  before(function () {
    if (!table) {
      if (process.env['CI'] === 'true') throw new Error('clippy is needed for these tests under CI');
      console.log('    skipped: clippy-driver is not on PATH');
      this.skip();
    }
  });
  const lints = (tables: Record<string, Record<string, unknown>>) => ({ workspace: { lints: tables } });
  const none = new Map<string, string>();

  it('reads the toolchain: defaults and groups', () => {
    assert.equal(table!.defaults.get('clippy::must-use-candidate'), 'allow');
    assert.equal(table!.defaults.get('unused-variables'), 'warn');
    assert.ok(table!.groups.get('clippy::pedantic')?.includes('clippy::must-use-candidate'));
  });

  it('the strict set fits a strict-clean member, not the others', () => {
    const strict = lints({
      clippy: { pedantic: { level: 'warn', priority: -1 } },
      rust: { missing_docs: 'warn', unreachable_pub: 'deny' },
    });
    assert.deepEqual(workspaceLintConflicts(strict, table!, true, none), []);
    const conflicts = workspaceLintConflicts(strict, table!, false, none);
    assert.deepEqual(
      conflicts.map((c) => c.lint),
      ['clippy::pedantic = "warn"', 'missing_docs = "warn"', 'unreachable_pub = "deny"'],
    );
    assert.match(conflicts[0]!.why, /not checked with clippy::\S+, clippy::\S+, clippy::\S+, and \d+ more of that group/);
  });

  it('defaults, our own lints and allow levels fit every member; other groups do not', () => {
    const ours = lints({
      clippy: { all: 'deny', unwrap_used: 'warn', nursery: 'allow' },
      rust: { nonstandard_style: 'deny', unsafe_code: 'deny', missing_debug_implementations: 'warn' },
    });
    assert.deepEqual(workspaceLintConflicts(ours, table!, false, none), []);
    const more = workspaceLintConflicts(lints({ clippy: { nursery: 'warn', print_stdout: 'deny' } }), table!, true, none);
    assert.deepEqual(
      more.map((c) => c.lint),
      ['clippy::nursery = "warn"', 'clippy::print_stdout = "deny"'],
    );
  });

  it('a forbid of a lint the code allows locally is a conflict', () => {
    const forbid = lints({ rust: { unsafe_code: 'forbid' } });
    const sources = new Map([['crates/py/src/lib.rs', '#![allow(unsafe_code)]\n']]);
    assert.deepEqual(workspaceLintConflicts(forbid, table!, true, none), []);
    const [conflict] = workspaceLintConflicts(forbid, table!, true, sources);
    assert.match(conflict?.why ?? '', /crates\/py\/src\/lib\.rs allows it/);
  });
});

describe("lint fit: a clippy.toml's disallowed paths", () => {
  const sources = new Map([
    ['a/src/stats.rs', 'use std::collections::HashMap;\nlet n = a.min(b);\n'],
    ['a/src/main.rs', 'fn main() { println!("x"); }\n'],
  ]);
  it('finds the types, methods and macros the code uses, and only those', () => {
    const config = [
      'disallowed-types = ["std::collections::HashMap", { path = "std::sync::Mutex", reason = "parking_lot" }]',
      'disallowed-methods = [{ path = "core::cmp::Ord::min" }, "std::env::var"]',
      'disallowed-macros = ["std::println"]',
    ].join('\n');
    assert.deepEqual(
      disallowedConflicts(config, 'clippy.toml', sources).map((c) => [c.lint, c.why]),
      [
        ['disallowed-types: std::collections::HashMap', 'a/src/stats.rs uses HashMap'],
        ['disallowed-methods: core::cmp::Ord::min', 'a/src/stats.rs uses min'],
        ['disallowed-macros: std::println', 'a/src/main.rs uses println'],
      ],
    );
    assert.deepEqual(disallowedConflicts('not = [toml', 'clippy.toml', sources), []);
  });
});

describe('lint fit: composing a member into such a workspace', function () {
  before(function () {
    if (!table) this.skip();
  });
  const repo = tempRepos('rp-lints-');
  const compose = (cwd: string, ...args: string[]) => rustPatterns(cwd, ...args, '--skip-install');
  const strictWorkspace: Tree = {
    'Cargo.toml':
      '[workspace]\nresolver = "3"\nmembers = []\n\n[workspace.lints.clippy]\npedantic = { level = "warn", priority = -1 }\nnursery = "warn"\n',
    'clippy.toml': 'disallowed-types = ["std::collections::HashMap"]\n',
  };

  it("takes the BTreeMap variant where clippy.toml disallows std's HashMap, and says so", () => {
    const dir = repo({
      'Cargo.toml': '[workspace]\nresolver = "3"\nmembers = []\n',
      'clippy.toml': strictWorkspace['clippy.toml']!,
    });
    const run = compose(dir, 'worker', 'batch', '--defaults');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /clippy\.toml disallows std's HashMap, so crates\/batch uses BTreeMap where it counts\./);
    const stats = readFileSync(join(dir, 'crates/batch/src/stats.rs'), 'utf8');
    assert.match(stats, /use std::collections::BTreeMap;/);
    assert.doesNotMatch(stats, /HashMap/);
  });

  it('under --defaults: lists what would fail, where, and inherits the lints', () => {
    const dir = repo(strictWorkspace);
    const run = compose(dir, 'service', 'api', '--defaults');
    assert.equal(run.status, 0, run.stderr);
    // The service is clean under pedantic (the strict set); nursery is beyond it.
    assert.doesNotMatch(run.stderr, /`clippy::pedantic = "warn"` would fail/);
    assert.match(
      run.stderr,
      /Cargo\.toml \[workspace\.lints\]: `clippy::nursery = "warn"` would fail crates\/api: the member's code is not checked with/,
    );
    assert.match(
      run.stderr,
      /crates\/api inherits them: `cargo clippy -p api -- -D warnings` will report what is listed above\. Run again with --own-lints/,
    );
    assert.match(readFileSync(join(dir, 'crates/api/Cargo.toml'), 'utf8'), /\[lints\]\nworkspace = true/);
  });

  it('with --own-lints: its own [lints] and clippy.toml; a rerun keeps them and asks nothing', () => {
    const dir = repo(strictWorkspace);
    const run = compose(dir, 'service', 'api', '--defaults', '--own-lints');
    assert.equal(run.status, 0, run.stderr);
    const manifest = readFileSync(join(dir, 'crates/api/Cargo.toml'), 'utf8');
    assert.match(manifest, /\[lints\.rust\]/);
    assert.doesNotMatch(manifest, /workspace = true\n*$/);
    assert.match(readFileSync(join(dir, 'crates/api/clippy.toml'), 'utf8'), /allow-unwrap-in-tests = true/);
    const after = snapshot(dir);
    // No --defaults and no TTY: any question would fail the run.
    const rerun = compose(dir, 'service', 'api');
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.deepEqual(snapshot(dir), after, 'a rerun changes nothing');
  });

  it('without a terminal or an answer, the question names the flag', () => {
    const dir = repo(strictWorkspace);
    const before = snapshot(dir);
    const run = compose(dir, 'service', 'api', '--db', 'sqlite', '--queries', 'runtime', '--port', '3000', '--errors', 'split');
    assert.equal(run.status, 1);
    assert.match(run.stderr, /Pass --own-lints/);
    assert.deepEqual(snapshot(dir), before);
  });
});
