/**
 * A member composed into existing Cargo repositories of every layout (the cli
 * member stands for all: they share MemberGenerator). Each test asserts the
 * exact root Cargo.toml: the original bytes with only our insertions. Each
 * failure leaves every file byte-identical. Cargo's own view of the results
 * (metadata, check) is the e2e layer's: test/e2e/compose.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTOML } from 'toml-eslint-parser';
import helpers from 'yeoman-test';
import { workspaceDependencyEntry } from '../lib/cargo-manifest.js';
import { generatorPath } from '../lib/paths.js';
import type { PatternsGenerator } from '../lib/patterns-generator.js';
import { RUST_VERSION, lintTables } from '../lib/rust-conventions.js';
import { CRATES, type CrateName } from '../lib/versions.js';
import { REPOS, crlf, snapshot, withInsertions, writeTree, type RepoName, type Tree } from './fixtures/repos.js';
import { QUIET, rustPatterns } from './helpers.js';

/** The crates the cli member needs under the default error style, in order. */
const CLI_CRATES: readonly CrateName[] = [
  'anyhow',
  'assert_cmd',
  'clap',
  'clap_complete',
  'predicates',
  'serde',
  'serde_json',
  'tempfile',
  'thiserror',
  'tracing',
  'tracing-subscriber',
];
const entries = (names: readonly CrateName[], prefix = ''): string =>
  names.map((n) => `${prefix}${workspaceDependencyEntry(n)}\n`).join('');
const except = (...names: CrateName[]): CrateName[] => CLI_CRATES.filter((n) => !names.includes(n));

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function repo(files: Tree): string {
  const dir = mkdtempSync(join(tmpdir(), 'rust-patterns-compose-'));
  dirs.push(dir);
  writeTree(dir, files);
  return dir;
}

/** Runs `rust-patterns:cli` in `dir` (or a directory below it), as a user would from there. */
function cli(
  dir: string,
  args: readonly string[] = ['tool'],
  options: Record<string, unknown> = {},
  environment: Record<string, unknown> = {},
) {
  return (
    helpers
      .run<PatternsGenerator>(generatorPath('cli'), { namespace: 'rust-patterns:cli', tmpdir: false }, environment)
      // Deprecated, but the one way to run inside an existing tree (and from a directory below its root) without cleaning it.
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      .cd(dir)
      .withArguments([...args])
      .withOptions({ ...QUIET, ...options })
  );
}

const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');

/** Composes into a copy of a fixture repo; returns its directory. */
async function compose(name: RepoName, args?: readonly string[], options?: Record<string, unknown>): Promise<string> {
  const dir = repo(REPOS[name].files);
  await cli(dir, args, options);
  return dir;
}

/** A failing run: it rejects with `message` and leaves every file as it was. */
async function fails(dir: string, message: RegExp, run = () => cli(dir)): Promise<void> {
  const before = snapshot(dir);
  await assert.rejects(run(), message);
  assert.deepEqual(snapshot(dir), before, 'no file may change');
}

const before = (name: RepoName): string => REPOS[name].files['Cargo.toml'];

describe('composing a member into an existing repository', () => {
  describe('the root Cargo.toml, byte for byte', () => {
    it('an explicit sorted list with comments: sorted in, missing crates appended, user entries untouched', async () => {
      const dir = await compose('explicit');
      assert.equal(
        read(dir, 'Cargo.toml'),
        withInsertions(
          before('explicit'),
          ['    "crates/core", # shared types\n', '    "crates/tool",\n'],
          ['thiserror = "1"\n', entries(except('serde', 'clap', 'thiserror'))],
        ),
      );
    });

    it('CRLF, tabs, no trailing comma: the same line endings, indentation and comma style', async () => {
      const dir = await compose('crlf-tabs');
      const text = read(dir, 'Cargo.toml');
      assert.equal(
        text,
        withInsertions(
          before('crlf-tabs'),
          ['\t"crates/alpha"', ','],
          ['\t"crates/alpha"\r\n', '\t"crates/tool"\r\n'],
          ['anyhow = "1"\r\n', crlf(entries(['assert_cmd', 'clap', 'clap_complete', 'predicates']))],
          ['serde = "1"\r\n', crlf(entries(['serde_json', 'tempfile', 'thiserror', 'tracing', 'tracing-subscriber']))],
        ),
      );
      assert.doesNotMatch(text, /[^\r]\n/);
    });

    it('a glob that covers the path, every crate declared: no edit at all', async () => {
      const dir = await compose('glob');
      assert.equal(read(dir, 'Cargo.toml'), before('glob'));
    });

    it('a single package: gains a [workspace] and stays the root package', async () => {
      const dir = await compose('single-package');
      assert.equal(
        read(dir, 'Cargo.toml'),
        `${before('single-package')}\n[workspace]\nmembers = ["crates/tool"]\n\n[workspace.dependencies]\n${entries(CLI_CRATES)}`,
      );
    });

    it('a root package with an empty [workspace]: `members` goes into it', async () => {
      const dir = await compose('root-package');
      assert.equal(
        read(dir, 'Cargo.toml'),
        withInsertions(before('root-package'), [
          '[workspace]\n',
          `members = ["crates/tool"]\n\n[workspace.dependencies]\n${entries(CLI_CRATES)}`,
        ]),
      );
    });

    it('dotted keys at the top: dotted keys added', async () => {
      const dir = await compose('dotted');
      assert.equal(
        read(dir, 'Cargo.toml'),
        withInsertions(
          before('dotted'),
          ['["crates/core"', ', "crates/tool"'],
          ['features = ["derive"] }\n', entries(except('serde'), 'workspace.dependencies.')],
        ),
      );
    });

    it('dotted keys inside [workspace]: dotted keys added', async () => {
      const dir = await compose('dotted-in-table');
      assert.equal(
        read(dir, 'Cargo.toml'),
        withInsertions(
          before('dotted-in-table'),
          ['["crates/core"', ', "crates/tool"'],
          ['dependencies.serde = "1"\n', entries(except('serde'), 'dependencies.')],
        ),
      );
    });

    it('an inline workspace table: extended inline', async () => {
      const dir = await compose('inline');
      const deps = CLI_CRATES.map(workspaceDependencyEntry).join(', ');
      assert.equal(
        read(dir, 'Cargo.toml'),
        withInsertions(
          before('inline'),
          ['["crates/core"', ', "crates/tool"'],
          ['"crates/core"]', `, dependencies = { ${deps} }`],
        ),
      );
    });
  });

  it('every edited root is TOML 1.0, as every Cargo since workspace inheritance reads it', async () => {
    for (const name of Object.keys(REPOS) as RepoName[]) {
      const dir = await compose(name);
      assert.doesNotThrow(() => parseTOML(read(dir, 'Cargo.toml'), { tomlVersion: '1.0' }), name);
    }
  });

  describe("the workspace's settings win", () => {
    it('edition 2021, an older rust-version, no lints: the member declares its own, the root keeps its', async () => {
      const dir = await compose('explicit');
      const manifest = read(dir, 'crates/tool/Cargo.toml');
      assert.ok(
        manifest.includes(`version = "0.1.0"\nedition = "2024"\nrust-version = "${RUST_VERSION}"\nlicense.workspace = true\n`),
        manifest,
      );
      assert.ok(manifest.includes(lintTables('lints')), 'the member writes the lints out');
      assert.equal(read(dir, 'crates/tool/clippy.toml'), read(join(import.meta.dirname, '..'), 'templates/app/clippy.toml'));
    });

    it('edition 2024, rust-version and lints in the workspace: the member inherits them', async () => {
      const dir = await compose('glob');
      const manifest = read(dir, 'crates/tool/Cargo.toml');
      assert.match(manifest, /^version\.workspace = true\nedition\.workspace = true\nrust-version\.workspace = true$/m);
      assert.match(manifest, /^\[lints\]\nworkspace = true$/m);
      assert.ok(!existsSync(join(dir, 'crates/tool/clippy.toml')), 'the workspace lints are the user’s: no clippy.toml of ours');
    });

    it('a user entry of another major: the member asks for its version itself, the user line stays', async () => {
      const dir = await compose('explicit');
      assert.match(read(dir, 'crates/tool/Cargo.toml'), new RegExp(`^thiserror = "${CRATES.thiserror.version}"$`, 'm'));
      assert.match(read(dir, 'crates/tool/Cargo.toml'), /^clap = \{ workspace = true, features = \["derive"\] \}$/m);
      assert.match(read(dir, 'Cargo.toml'), /^thiserror = "1"$/m);
    });

    it('an older version in Cargo.lock: the member asks for the tested one, the user line stays', async () => {
      const dir = repo({
        ...REPOS.explicit.files,
        'Cargo.lock': 'version = 4\n\n[[package]]\nname = "serde"\nversion = "1.0.100"\n',
      });
      await cli(dir);
      assert.match(
        read(dir, 'crates/tool/Cargo.toml'),
        new RegExp(`^serde = \\{ version = "${CRATES.serde.version}", features = \\["derive"\\] \\}$`, 'm'),
      );
      assert.match(read(dir, 'Cargo.toml'), /^serde = \{ version = "1", features = \["std"\] \}$/m);
    });
  });

  describe('finding the root and the place', () => {
    it('from deep inside a member, as Cargo does', async () => {
      const dir = repo(REPOS.explicit.files);
      await cli(join(dir, 'crates/core/src'));
      assert.ok(existsSync(join(dir, 'crates/tool/src/main.rs')));
      assert.ok(!existsSync(join(dir, 'crates/core/src/crates')));
      assert.match(read(dir, 'Cargo.toml'), /^ {4}"crates\/tool",$/m);
    });

    it('from inside a single package’s src/', async () => {
      const dir = repo(REPOS['single-package'].files);
      await cli(join(dir, 'src'));
      assert.ok(existsSync(join(dir, 'crates/tool/Cargo.toml')));
      assert.match(read(dir, 'Cargo.toml'), /^members = \["crates\/tool"\]$/m);
    });

    it('--path chooses the directory', async () => {
      const dir = await compose('explicit', ['tool'], { path: 'tools/tool' });
      assert.ok(existsSync(join(dir, 'tools/tool/src/main.rs')));
      assert.equal(
        read(dir, 'Cargo.toml'),
        withInsertions(
          before('explicit'),
          ['    "crates/zeta",\n', '    "tools/tool",\n'],
          ['thiserror = "1"\n', entries(except('serde', 'clap', 'thiserror'))],
        ),
      );
    });

    it('never inside a package’s src/ or in target/', async () => {
      await fails(
        repo(REPOS.explicit.files),
        /--path: 'crates\/core\/src\/tool' is inside the sources of the package acme-core \(crates\/core\/src\/\)/,
        () => cli(repo(REPOS.explicit.files), ['tool'], { path: 'crates/core/src/tool' }),
      );
      const solo = repo(REPOS['single-package'].files);
      await fails(solo, /is inside the sources of the package solo \(src\/\)/, () => cli(solo, ['tool'], { path: 'src/tool' }));
      await fails(solo, /inside target\/, Cargo's build directory/, () => cli(solo, ['tool'], { path: 'target/tool' }));
    });
  });

  describe('never overwrite, never half-write', () => {
    it('an existing directory at the member path', async () => {
      const dir = repo({ ...REPOS.explicit.files, 'crates/tool/NOTES.md': 'mine\n' });
      await fails(dir, /crates\/tool already exists\. Choose another name, or another place with --path/);
    });

    it('a package of the same name elsewhere in the workspace, or the root package', async () => {
      const dir = repo(REPOS.explicit.files);
      await fails(dir, /already has a package named acme-core, in crates\/core\/Cargo\.toml/, () =>
        cli(dir, ['acme-core'], { path: 'crates/core2' }),
      );
      const solo = repo(REPOS['single-package'].files);
      await fails(solo, /already has a package named solo, in Cargo\.toml/, () => cli(solo, ['solo']));
      const glob = repo(REPOS.glob.files);
      await fails(glob, /already has a package named acme-core, in crates\/core\/Cargo\.toml/, () =>
        cli(glob, ['acme-core'], { path: 'apps/core' }),
      );
    });

    it('a path the workspace excludes', async () => {
      const dir = repo(REPOS.glob.files);
      await fails(dir, /^Error: Cargo\.toml:4:1: `workspace\.exclude` keeps crates\/legacy\/tool out of the workspace/, () =>
        cli(dir, ['tool'], { path: 'crates/legacy/tool' }),
      );
    });

    it('a malformed root Cargo.toml: file, line and column', async () => {
      const dir = repo({ ...REPOS.explicit.files, 'Cargo.toml': before('explicit').replace('"crates/app",', '"crates/app"') });
      await fails(dir, /^Error: Cargo\.toml:7:5: invalid TOML: /);
    });

    it('a malformed member Cargo.toml, named as the user can find it', async () => {
      const dir = repo({ ...REPOS.glob.files, 'crates/core/Cargo.toml': '[package]\nname = "acme-core\n' });
      await fails(dir, /^Error: crates\/core\/Cargo\.toml:2:\d+: invalid TOML: /);
      // From below it: the path in full.
      await fails(dir, new RegExp(`^Error: ${dir}/crates/core/Cargo\\.toml:2:18: invalid TOML: Unterminated string`), () =>
        cli(join(dir, 'crates/core/src')),
      );
    });

    it('a key of the wrong type', async () => {
      const dir = repo({ ...REPOS.explicit.files, 'Cargo.toml': '[workspace]\nmembers = "crates/*"\n' });
      await fails(dir, /^Error: Cargo\.toml:2:11: `workspace\.members` must be an array/);
    });
  });

  describe('outside any Cargo repository', () => {
    it('under --defaults: stops, naming --new-workspace, and writes nothing', async () => {
      const dir = repo({ 'notes.txt': 'not rust\n' });
      await fails(dir, /No Cargo\.toml at or above .+: this is not a Cargo repository\. Run again with --new-workspace/);
    });

    it('asks, and a no writes nothing', async () => {
      const dir = repo({ 'notes.txt': 'not rust\n' });
      await fails(dir, /no workspace created/, () =>
        cli(dir, ['tool'], { defaults: false }).withAnswers({ create: false, errors: 'split' }),
      );
    });

    it('--new-workspace (or a yes) creates a workspace in place, keeping what is there', async () => {
      for (const how of [{ 'new-workspace': true }, { defaults: false }]) {
        const dir = repo({ 'notes.txt': 'not rust\n', '.gitignore': 'mine\n' });
        await cli(dir, ['tool'], how).withAnswers({ create: true, errors: 'split' });
        assert.match(read(dir, 'Cargo.toml'), /^members = \[\n {4}"crates\/tool",\n\]$/m);
        assert.match(read(dir, 'Cargo.toml'), /^\[workspace\.lints\.clippy\]$/m);
        assert.equal(read(dir, '.gitignore'), 'mine\n');
        assert.equal(read(dir, 'notes.txt'), 'not rust\n');
        assert.ok(existsSync(join(dir, 'clippy.toml')) && existsSync(join(dir, 'rustfmt.toml')));
        assert.match(read(dir, 'crates/tool/Cargo.toml'), /^edition\.workspace = true$/m);
      }
    });
  });

  describe("the workspace's own packages of a crate the member uses (tokio's, axum's repository)", () => {
    const withOwn = (name: string, version: string): Tree => ({
      'Cargo.toml': `[workspace]\nresolver = "3"\nmembers = ["${name}"]\n\n[workspace.package]\nversion = "${version}"\n`,
      [`${name}/Cargo.toml`]: `[package]\nname = "${name}"\nversion.workspace = true\nedition = "2021"\n`,
      [`${name}/src/lib.rs`]: '//! Ours.\n',
    });

    it('of the tested range: the member uses it by path, and the root gains no entry for it', async () => {
      const dir = repo(withOwn('serde', '1.0.150'));
      await cli(dir);
      assert.match(read(dir, 'crates/tool/Cargo.toml'), /^serde = \{ path = "\.\.\/\.\.\/serde", features = \["derive"\] \}$/m);
      assert.doesNotMatch(read(dir, 'Cargo.toml'), /^serde = /m);
    });

    it("of another major: the member takes crates.io's, beside it", async () => {
      const dir = repo(withOwn('clap', '3.2.0'));
      await cli(dir);
      assert.match(read(dir, 'crates/tool/Cargo.toml'), /^clap = \{ workspace = true, features = /m);
      assert.match(
        read(dir, 'Cargo.toml'),
        new RegExp(`^${workspaceDependencyEntry('clap').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
      );
    });
  });

  describe('re-runs and stored answers', () => {
    it('the same run twice changes nothing the second time', async () => {
      const dir = await compose('explicit');
      const first = snapshot(dir);
      await cli(dir);
      assert.deepEqual(snapshot(dir), first);
      assert.equal(read(dir, 'Cargo.toml').match(/"crates\/tool"/g)?.length, 1);
    });

    it('twice, after cargo moved Cargo.lock past an old version: still nothing changes', async () => {
      const lock = (version: string): string => `version = 4\n\n[[package]]\nname = "serde"\nversion = "${version}"\n`;
      const dir = repo({ ...REPOS.explicit.files, 'Cargo.lock': lock('1.0.100') });
      await cli(dir);
      writeFileSync(join(dir, 'Cargo.lock'), lock(CRATES.serde.version));
      const first = snapshot(dir);
      await cli(dir);
      assert.deepEqual(snapshot(dir), first);
    });

    it('twice, with an older Cargo.lock the entries the first run added override: the rerun changes nothing, a second member reuses them', async () => {
      // A crate the repository had only indirectly, locked older than our pin: the first run adds our entry.
      const lock = 'version = 4\n\n[[package]]\nname = "tracing"\nversion = "0.1.30"\n';
      const dir = repo({ ...REPOS.explicit.files, 'Cargo.lock': lock });
      await cli(dir);
      assert.match(read(dir, 'Cargo.toml'), new RegExp(`^${workspaceDependencyEntry('tracing')}$`, 'm'));
      assert.match(read(dir, 'crates/tool/Cargo.toml'), /^tracing\.workspace = true$/m);
      const first = snapshot(dir);
      await cli(dir);
      assert.deepEqual(snapshot(dir), first);
      await cli(dir, ['other']);
      assert.match(read(dir, 'crates/other/Cargo.toml'), /^tracing\.workspace = true$/m);
    });

    it('reuses the stored error style and keeps it when one run overrides it', async () => {
      const dir = repo({
        ...REPOS.glob.files,
        '.yo-rc.json': JSON.stringify({ 'generator-rust-patterns': { errors: 'anyhow' } }),
      });
      await cli(dir);
      assert.match(read(dir, 'crates/tool/src/main.rs'), /fn main\(\) -> anyhow::Result<\(\)>/);
      await cli(dir, ['other'], { errors: 'thiserror' });
      assert.doesNotMatch(read(dir, 'crates/other/src/main.rs'), /anyhow/);
      const rc = JSON.parse(read(dir, '.yo-rc.json')) as { 'generator-rust-patterns': { errors: string; members: object } };
      assert.equal(rc['generator-rust-patterns'].errors, 'anyhow');
      // Sorted by name: the order they were added in does not show.
      assert.deepEqual(Object.keys(rc['generator-rust-patterns'].members), ['other', 'tool']);
    });

    it('stores the answers in a repository that had none', async () => {
      const dir = await compose('single-package');
      const rc = JSON.parse(read(dir, '.yo-rc.json')) as { 'generator-rust-patterns': Record<string, unknown> };
      assert.equal(rc['generator-rust-patterns']['errors'], 'split');
      assert.deepEqual(rc['generator-rust-patterns']['members'], { tool: { kind: 'cli', path: 'crates/tool', options: {} } });
    });
  });

  it('--dry-run (an environment option, as yo passes it) writes nothing', async () => {
    const dir = repo(REPOS.explicit.files);
    const files = snapshot(dir);
    await cli(dir, ['tool'], {}, { dryRun: true });
    assert.deepEqual(snapshot(dir), files);
  });

  it('the app generator still writes a whole new workspace (composed members skip these checks)', async () => {
    const result = await helpers
      .run<PatternsGenerator>(generatorPath('app'), { namespace: 'rust-patterns:app' })
      .withArguments(['ws'])
      .withOptions({ ...QUIET, members: 'cli' });
    assert.match(read(result.cwd, 'ws/Cargo.toml'), /^ {4}"crates\/cli",$/m);
  });

  describe('through the rust-patterns bin, without a TTY', () => {
    const bin = rustPatterns;

    it('edits the root Cargo.toml without an overwrite prompt', () => {
      const dir = repo(REPOS.explicit.files);
      const run = bin(dir, 'cli', 'tool', '--defaults', '--skip-install');
      assert.equal(run.status, 0, run.stderr);
      assert.match(read(dir, 'Cargo.toml'), /^ {4}"crates\/tool",$/m);
      assert.doesNotMatch(run.stdout + run.stderr, /Overwrite/);
    });

    it('--dry-run prints the change to Cargo.toml and the files it would create, and writes nothing', () => {
      const dir = repo(REPOS.explicit.files);
      const files = snapshot(dir);
      const run = bin(dir, 'cli', 'tool', '--defaults', '--skip-install', '--dry-run');
      assert.equal(run.status, 0, run.stderr);
      // Yeoman logs to stderr.
      const shown = run.stdout + run.stderr;
      assert.match(shown, /^would update Cargo\.toml: \d+ lines inserted$/m);
      assert.match(shown, /^\+ {4}"crates\/tool",$/m);
      assert.doesNotMatch(shown, /conflict|force|removed/);
      assert.match(shown, new RegExp(`^\\+${workspaceDependencyEntry('tracing')}$`, 'm'));
      assert.match(shown, /create crates\/tool\/src\/main\.rs/);
      assert.deepEqual(snapshot(dir), files);
    });
  });
});
