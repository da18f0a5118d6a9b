/**
 * A member joining an existing workspace is checked with `cargo metadata` on a
 * staged copy before anything is written (lib/resolve-check.ts). These tests
 * run cargo, which reads crates.io's index (cached after the first run).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { explainResolveFailure } from '../lib/resolve-check.js';
import { CRATES } from '../lib/versions.js';
import { snapshot, type Tree } from './fixtures/repos.js';
import { rustPatterns, tempRepos } from './helpers.js';

const hasCargo = spawnSync('cargo', ['--version']).status === 0;

/** A workspace whose one package depends on `dependency`. */
const workspaceWith = (dependency: string): Tree => ({
  'Cargo.toml': '[workspace]\nresolver = "3"\nmembers = ["crates/app"]\n',
  'crates/app/Cargo.toml': `[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n${dependency}\n`,
  'crates/app/src/main.rs': 'fn main() {}\n',
});

describe('resolving the workspace before writing a member', function () {
  before(function () {
    if (!hasCargo) {
      if (process.env['CI'] === 'true') throw new Error('cargo is needed for these tests under CI');
      console.log('    skipped: cargo is not on PATH');
      this.skip();
    }
  });
  const repo = tempRepos('rp-fixture-');

  it('refuses a service beside rusqlite 0.40 (both link sqlite3), in words, writing nothing', () => {
    const dir = repo(workspaceWith('rusqlite = "0.40"'));
    const before = snapshot(dir);
    const run = rustPatterns(dir, 'service', 'api', '--defaults');
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(
      run.stderr,
      /The workspace would not resolve with api in it: api needs libsqlite3-sys [^()]+ \(through sqlx-sqlite v[\d.]+\), and the workspace's app needs libsqlite3-sys [^()]*0\.38\.\d+ \(through rusqlite v0\.40\.\d+\)\. Both link the native library `sqlite3`/,
    );
    assert.match(run.stderr, /Move app's rusqlite to a version that uses libsqlite3-sys/);
    assert.doesNotMatch(run.stderr, /rust-patterns-resolve-/, 'paths name the workspace, not the staged copy');
    assert.match(run.stderr, /Nothing was written\.$/m);
    // Cargo.lock is not created either: cargo ran on the copy.
    assert.deepEqual(snapshot(dir), before);
  });

  it('refuses a member named like a crate of the resolved graph, which `-p` would make ambiguous', () => {
    const dir = repo(workspaceWith('itoa = "1"'));
    const before = snapshot(dir);
    const run = rustPatterns(dir, 'cli', 'itoa', '--defaults', '--dry-run');
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(
      run.stderr,
      /dependency graph already has a crate named itoa \(1\.[\d.]+\): a member named itoa would make `cargo -p itoa` ambiguous/,
    );
    assert.deepEqual(snapshot(dir), before);
  });

  it('lets a member through when the workspace resolves with it (a dry run shows the plan)', () => {
    const dir = repo(workspaceWith('itoa = "1"'));
    const run = rustPatterns(dir, 'cli', 'tool', '--defaults', '--dry-run');
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stderr, /would update Cargo\.toml/);
  });

  it('follows a [patch] from outside the repository, and checks resolution with it in place', () => {
    const older = CRATES.anyhow.version.replace(/\d+$/, (patch) => String(Number(patch) - 1));
    const outer = repo({
      'ws/Cargo.toml': '[workspace]\nresolver = "3"\nmembers = []\n\n[patch.crates-io]\nanyhow = { path = "../vendor/anyhow" }\n',
      'vendor/anyhow/Cargo.toml': `[package]\nname = "anyhow"\nversion = "${older}"\nedition = "2021"\n\n[features]\nstd = []\n`,
      'vendor/anyhow/src/lib.rs': '',
    });
    const run = rustPatterns(join(outer, 'ws'), 'cli', 'tool', '--defaults', '--dry-run');
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        `anyhow: the workspace's \\[patch\\.crates-io\\] anyhow ${older.replaceAll('.', '\\.')} \\(from \\.\\./vendor/anyhow\\) serves`,
      ),
    );
    // The staged copy sees ../vendor as the workspace does: the check ran and passed.
    assert.doesNotMatch(run.stderr, /Could not check/);
  });

  it('says it did not check with --skip-install, which runs no cargo', () => {
    const dir = repo(workspaceWith('rusqlite = "0.40"'));
    const run = rustPatterns(dir, 'cli', 'tool', '--defaults', '--skip-install');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /Not checked that the workspace resolves with tool \(--skip-install runs no cargo\)/);
  });

  it('a workspace that did not resolve before the member is not blamed on it', () => {
    const dir = repo(workspaceWith('no-such-crate-rust-patterns-test = "1"'));
    const run = rustPatterns(dir, 'cli', 'tool', '--defaults', '--dry-run');
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stderr,
      /Could not check that the workspace resolves with tool: cargo metadata fails without the member too/,
    );
  });
});

describe('explainResolveFailure', () => {
  it('falls back to cargo words for a failure that is not a links clash', () => {
    const text = explainResolveFailure(
      'error: failed to select a version for `foo`.\n    ... required by package `bar v1.0.0`\n',
      'm',
    );
    assert.match(
      text,
      /^The workspace would not resolve with m in it \(no version of foo fits every requirement\)\. Cargo says:\n {4}error:/,
    );
  });
});
