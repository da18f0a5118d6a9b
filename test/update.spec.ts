/**
 * `rust-patterns update` against a real older version of the generator (a
 * modified copy of this package: test/fixtures/update-scenario.ts) and a
 * workspace its user edited: each outcome byte for byte, the pins, the report
 * and exit codes, `--dry-run`, `--check`, the refusals, re-answering, and a
 * workspace with no baseline. That the merged workspace builds is the e2e
 * layer's (test/e2e/update.ts). Plus the merge rules themselves.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASELINE_FILE, encodeBaseline, readBaseline } from '../lib/baseline.js';
import { PACKAGE_ROOT } from '../lib/paths.js';
import { decide, hasConflictMarkers, mergeLines } from '../lib/three-way.js';
import { CRATES } from '../lib/versions.js';
import { snapshot } from './fixtures/repos.js';
import { OLD, editedOlderWorkspace, git, runBin, takeTheirs } from './fixtures/update-scenario.js';

const BIN = join(PACKAGE_ROOT, 'dist', 'bin', 'rust-patterns.js');
const template = (file: string): string => readFileSync(join(PACKAGE_ROOT, 'templates', file), 'utf8');

describe('update: the merge rules', () => {
  it('each side changed, or not, or absent', () => {
    assert.deepEqual(decide('a\n', 'a\n', 'b\n', true), { outcome: 'updated', text: 'b\n' });
    assert.deepEqual(decide('a\n', 'mine\n', 'a\n', true), { outcome: 'kept', text: 'mine\n' });
    assert.deepEqual(decide('a\n', 'b\n', 'b\n', true), { outcome: 'unchanged', text: 'b\n' });
    assert.deepEqual(decide(undefined, undefined, 'new\n', true), { outcome: 'added', text: 'new\n' });
    assert.deepEqual(decide('a\n', undefined, 'b\n', true), { outcome: 'kept deleted', text: undefined });
    assert.deepEqual(decide('a\n', 'a\n', undefined, true), { outcome: 'removed', text: undefined });
    assert.deepEqual(decide('a\n', 'mine\n', undefined, true), { outcome: 'kept (no longer generated)', text: 'mine\n' });
    assert.deepEqual(decide(undefined, 'mine\n', 'theirs\n', true), { outcome: 'yours', text: 'mine\n' });
    // No baseline at all: only a file identical to the render is safe to adopt.
    assert.deepEqual(decide(undefined, 'x\n', 'x\n', false), { outcome: 'unchanged', text: 'x\n' });
    assert.deepEqual(decide(undefined, 'mine\n', 'x\n', false), { outcome: 'unknown', text: 'mine\n' });
  });

  it('merges changes in different lines, and marks a clash diff3-style, keeping CRLF', () => {
    const base = 'one\ntwo\nthree\nfour\nfive\n';
    assert.deepEqual(mergeLines(base, 'ONE\ntwo\nthree\nfour\nfive\n', 'one\ntwo\nthree\nfour\nFIVE\n'), {
      text: 'ONE\ntwo\nthree\nfour\nFIVE\n',
      conflict: false,
    });
    const clash = mergeLines(base, 'one\nmine\nthree\nfour\nfive\n', 'one\ntheirs\nthree\nfour\nfive\n');
    assert.equal(clash.conflict, true);
    assert.equal(
      clash.text,
      'one\n<<<<<<< yours\nmine\n||||||| generated before\ntwo\n=======\ntheirs\n>>>>>>> generated now\nthree\nfour\nfive\n',
    );
    assert.ok(hasConflictMarkers(clash.text));
    const crlf = (text: string): string => text.replace(/\n/g, '\r\n');
    assert.deepEqual(mergeLines(crlf(base), crlf('ONE\ntwo\nthree\nfour\nfive\n'), crlf('one\ntwo\nthree\nfour\nFIVE\n')), {
      text: crlf('ONE\ntwo\nthree\nfour\nFIVE\n'),
      conflict: false,
    });
    // Markers end their lines as the file does.
    assert.equal(
      mergeLines(crlf('x\n'), crlf('y\n'), crlf('z\n')).text,
      crlf('<<<<<<< yours\ny\n||||||| generated before\nx\n=======\nz\n>>>>>>> generated now\n'),
    );
    // A last line without a newline still gets its markers on lines of their own.
    assert.match(
      mergeLines('x', 'y', 'z').text,
      /^<<<<<<< yours\ny\n\|\|\|\|\|\|\| generated before\nx\n=======\nz\n>>>>>>> generated now\n$/,
    );
  });

  it('the baseline: the same content gives the same bytes', () => {
    const baseline = { generator: '1.0.0', files: { 'b.rs': 'b', 'a.rs': 'a' }, dependencies: { clap: '"4"' } };
    assert.deepEqual(encodeBaseline(baseline), encodeBaseline({ ...baseline, files: { 'a.rs': 'a', 'b.rs': 'b' } }));
  });
});

describe('update: a workspace of an older generator, edited by its user', function () {
  this.timeout(120_000);
  let dir: string;
  let ws: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rust-patterns-update-'));
    ws = editedOlderWorkspace(dir);
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const read = (file: string): string => readFileSync(join(ws, file), 'utf8');
  const cli = (file: string): string => `crates/cli/${file}`;

  it('merges every file as it should, byte for byte, and reports each', () => {
    const userStats = read(cli('src/stats.rs'));
    const run = runBin(BIN, ws, 'update', '--skip-install');
    assert.equal(run.status, 1, `a conflict remains, so exit 1\n${run.stderr}`);
    for (const [outcome, path] of [
      ['pin moved', 'Cargo.toml'],
      ['pin kept (yours)', 'Cargo.toml'],
      ['removed', cli(OLD.oldOnlyFile)],
      ['added', cli(OLD.newOnlyFile)],
      ['updated', cli('src/cli.rs')],
      ['conflict', cli('src/main.rs')],
      ['merged', cli('src/stats.rs')],
      ['kept deleted', cli(OLD.deletedFile)],
    ] as const) {
      assert.match(run.output, new RegExp(`^ {2}${outcome.replace(/[()]/g, '\\$&')} +${path}`, 'm'), `${outcome} ${path}`);
    }
    // Untouched by the user: the current template, byte for byte.
    assert.equal(read(cli('src/cli.rs')), template('cli/src/cli.rs'));
    assert.ok(!existsSync(join(ws, cli(OLD.oldOnlyFile))));
    assert.ok(existsSync(join(ws, cli(OLD.newOnlyFile))));
    assert.ok(!existsSync(join(ws, cli(OLD.deletedFile))), 'a file the user deleted stays deleted');
    // Both changed, different lines: the template's new first line and the user's last line.
    assert.equal(read(cli('src/stats.rs')), `${OLD.addedLine}\n${userStats}`);
    assert.ok(userStats.includes(OLD.nearbyEdit));
    // Both changed the same line: markers with the base section.
    assert.ok(
      read(cli('src/main.rs')).includes(
        `<<<<<<< yours\n${OLD.clashUser}\n||||||| generated before\n${OLD.clashOld}\n=======\n${OLD.clashLine}\n>>>>>>> generated now\n`,
      ),
    );
    assert.match(run.output, /1 file\(s\) have conflicts.*\n {2}crates\/cli\/src\/main\.rs/);
    // The root manifest: the user's pin stays, ours moves, every other byte as it was.
    const manifest = read('Cargo.toml');
    assert.match(manifest, new RegExp(`^clap = "${CRATES.clap.version}"$`, 'm'));
    assert.match(manifest, new RegExp(`^serde = ${OLD.userSerde.replace(/[.=]/g, '\\$&')}$`, 'm'));
    assert.equal(
      manifest,
      git(ws, 'show', 'HEAD:Cargo.toml').replace(`clap = "${OLD.oldClap}"`, `clap = "${CRATES.clap.version}"`),
    );
    // The next baseline is what the generator writes now: the merged file with the template's side of the clash.
    assert.equal(readBaseline(ws)!.files[cli('src/main.rs')], takeTheirs(read(cli('src/main.rs'))));
  });

  it('refuses to run again while conflict markers remain, naming the files', () => {
    runBin(BIN, ws, 'update', '--skip-install');
    git(ws, 'add', '-A');
    git(ws, 'commit', '-qm', 'update with a conflict');
    const before = snapshot(ws, ['.git']);
    const again = runBin(BIN, ws, 'update', '--skip-install');
    assert.equal(again.status, 1);
    assert.match(again.stderr, /Conflict markers from an earlier update remain in crates\/cli\/src\/main\.rs/);
    assert.deepEqual(snapshot(ws, ['.git']), before);
  });

  it('--check: 1 while the generator would change something, 0 after the update, with the user edits still there', () => {
    const before = snapshot(ws, ['.git']);
    const stale = runBin(BIN, ws, 'update', '--check');
    assert.equal(stale.status, 1, stale.output + stale.stderr);
    assert.deepEqual(snapshot(ws, ['.git']), before, '--check writes nothing');
    runBin(BIN, ws, 'update', '--skip-install');
    // The user resolves the clash by taking the template's side.
    writeFileSync(join(ws, cli('src/main.rs')), takeTheirs(read(cli('src/main.rs'))));
    git(ws, 'add', '-A');
    git(ws, 'commit', '-qm', 'update, resolved');
    const fresh = runBin(BIN, ws, 'update', '--check');
    assert.equal(fresh.status, 0, fresh.output + fresh.stderr);
    assert.match(fresh.output, /Up to date with this generator/);
    // The user's edits are still there, and do not count.
    assert.match(read(cli('src/stats.rs')), /A note of the user's, at the end/);
  });

  it('--dry-run prints the plan and writes nothing', () => {
    const before = snapshot(ws, ['.git']);
    const run = runBin(BIN, ws, 'update', '--dry-run');
    assert.match(run.output, /^ {2}conflict +crates\/cli\/src\/main\.rs/m);
    assert.match(run.output, /^ {2}pin moved +Cargo\.toml/m);
    assert.deepEqual(snapshot(ws, ['.git']), before);
  });

  it('refuses a dirty tree unless --force', () => {
    writeFileSync(join(ws, 'scratch.txt'), 'uncommitted\n');
    const before = snapshot(ws, ['.git']);
    const refused = runBin(BIN, ws, 'update', '--skip-install');
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /changes that are not committed \(scratch\.txt\).*or pass --force/);
    assert.deepEqual(snapshot(ws, ['.git']), before);
    const forced = runBin(BIN, ws, 'update', '--skip-install', '--force');
    assert.match(forced.output, /^ {2}updated +crates\/cli\/src\/cli\.rs/m, forced.stderr);
  });

  it('re-answering a stored option regenerates through the same merge and stores it', () => {
    const run = runBin(BIN, ws, 'update', '--errors', 'anyhow', '--skip-install');
    assert.match(
      run.output,
      /^ {2}(updated|merged) +crates\/cli\/src\/lib\.rs|^ {2}(updated|merged) +crates\/cli\/src\/stats\.rs/m,
      run.stderr,
    );
    const rc = JSON.parse(read('.yo-rc.json')) as Record<string, Record<string, unknown>>;
    assert.equal(rc['generator-rust-patterns']?.['errors'], 'anyhow');
    assert.doesNotMatch(read(cli('src/stats.rs')), /thiserror::Error/);
  });

  it('the supply-chain policy flows through update: added where the older generator had none', () => {
    // As a generator from before the policy wrote it: no policy files, on disk or in the baseline.
    const policy = ['deny.toml', '.github/dependabot.yml'];
    const baseline = readBaseline(ws)!;
    const files = Object.fromEntries(Object.entries(baseline.files).filter(([path]) => !policy.includes(path)));
    writeFileSync(join(ws, BASELINE_FILE), encodeBaseline({ ...baseline, files }));
    for (const path of policy) unlinkSync(join(ws, path));
    git(ws, 'add', '-A');
    git(ws, 'commit', '-qm', 'a workspace from before the supply-chain policy');
    const run = runBin(BIN, ws, 'update', '--skip-install');
    for (const path of policy) {
      assert.match(run.output, new RegExp(`^ {2}added +${path.replace(/\./g, '\\.')}$`, 'm'), run.stderr);
      assert.ok(existsSync(join(ws, path)));
      assert.ok(readBaseline(ws)!.files[path] !== undefined, `${path} is in the new baseline`);
    }
  });

  it('update --no-supply-chain removes the policy files it wrote and stores the choice', () => {
    const run = runBin(BIN, ws, 'update', '--no-supply-chain', '--skip-install');
    assert.match(run.output, /^ {2}removed +deny\.toml$/m, run.stderr);
    assert.ok(!existsSync(join(ws, 'deny.toml')) && !existsSync(join(ws, '.github/dependabot.yml')));
    assert.doesNotMatch(read('.github/workflows/ci.yml'), /cargo deny/);
    const rc = JSON.parse(read('.yo-rc.json')) as Record<string, Record<string, unknown>>;
    assert.equal(rc['generator-rust-patterns']?.['supply-chain'], false);
  });

  it('without a baseline: files identical to the templates are adopted, the others listed and left alone', () => {
    unlinkSync(join(ws, BASELINE_FILE));
    git(ws, 'add', '-A');
    git(ws, 'commit', '-qm', 'a workspace from before updates');
    const userMain = read(cli('src/main.rs'));
    const run = runBin(BIN, ws, 'update', '--skip-install');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.output, /No baseline/);
    assert.match(run.output, /^ {2}unknown +crates\/cli\/src\/main\.rs/m);
    assert.equal(read(cli('src/main.rs')), userMain, 'left as it was');
    const baseline = readBaseline(ws)!;
    assert.equal(baseline.files[cli('src/main.rs')], undefined, 'not adopted');
    assert.ok(baseline.files[cli('src/lib.rs')] !== undefined, 'identical files are the new baseline');
  });
});
