/** The Cargo.toml editor and the workspace reader, on manifests as people write them. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  ManifestError,
  addWorkspaceDependencies,
  addWorkspaceMember,
  parseManifest,
  workspaceDependencyEntry,
} from '../lib/cargo-manifest.js';
import { lowerBound, matches } from '../lib/cargo-version.js';
import { findWorkspaceRoot, memberPathProblem } from '../lib/cargo-workspace.js';
import { lockedVersions, memberDependencyEntry, planDependencies } from '../lib/dependency-plan.js';
import { memberStatus } from '../lib/workspace-members.js';
import { CRATES } from '../lib/versions.js';
import { crlf, withInsertions } from './fixtures/repos.js';

const member = (text: string, path = 'crates/tool'): string => addWorkspaceMember(text, path);

describe('cargo-manifest: adding a workspace member', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['an empty inline list', 'members = []', 'members = ["crates/tool"]'],
    ['an empty list over two lines', 'members = [\n]', 'members = [\n    "crates/tool",\n]'],
    ['a one-line list', 'members = ["a", "b"] # mine', 'members = ["a", "b", "crates/tool"] # mine'],
    ['a one-line list with a trailing comma', 'members = ["a", "b",]', 'members = ["a", "b", "crates/tool",]'],
    ['literal strings', "members = ['a']", "members = ['a', 'crates/tool']"],
    ['a sorted list, before a greater item', 'members = ["a", "zed"]', 'members = ["a", "crates/tool", "zed"]'],
    ['an unsorted list, at the end', 'members = ["zed", "a"]', 'members = ["zed", "a", "crates/tool"]'],
    [
      'one item per line, without a trailing comma',
      'members = [\n  "a" # first\n]',
      'members = [\n  "a", # first\n  "crates/tool"\n]',
    ],
    [
      'one item per line, `]` on the last line',
      'members = [\n    "a",\n    "b"]',
      'members = [\n    "a",\n    "b",\n    "crates/tool"]',
    ],
    [
      'a sorted list, above the comment of the next item',
      'members = [\n    "a",\n    # the last one\n    "zed",\n]',
      'members = [\n    "a",\n    "crates/tool",\n    # the last one\n    "zed",\n]',
    ],
    [
      'the first item on the `[` line',
      'members = ["a",\n           "b"]',
      'members = ["a",\n           "b",\n           "crates/tool"]',
    ],
  ];
  for (const [what, before, after] of cases) {
    it(what, () => {
      assert.equal(member(`[workspace]\n${before}\n`), `[workspace]\n${after}\n`);
    });
  }

  it('keeps CRLF and tabs', () => {
    const before = crlf('[workspace]\nmembers = [\n\t"a",\n]\n');
    assert.equal(member(before), crlf('[workspace]\nmembers = [\n\t"a",\n\t"crates/tool",\n]\n'));
  });

  it('adds `members` to a `[workspace]` without one', () => {
    const before = '[workspace]\nresolver = "3"\n\n[workspace.package]\nedition = "2024"\n';
    assert.equal(member(before), withInsertions(before, ['resolver = "3"\n', 'members = ["crates/tool"]\n']));
  });

  it('adds `[workspace]` above `[workspace.package]`, with its comments', () => {
    const before = '[package]\nname = "x"\n\n# Shared settings.\n[workspace.package]\nedition = "2024"\n';
    assert.equal(member(before), withInsertions(before, ['name = "x"\n\n', '[workspace]\nmembers = ["crates/tool"]\n\n']));
  });

  it('adds `[workspace]` at the end of a single-package manifest, without a final newline too', () => {
    assert.equal(member('[package]\nname = "x"'), '[package]\nname = "x"\n\n[workspace]\nmembers = ["crates/tool"]\n');
  });

  it('writes in the dotted and inline forms the file uses', () => {
    assert.equal(member('workspace.resolver = "2"\n'), 'workspace.resolver = "2"\nworkspace.members = ["crates/tool"]\n');
    assert.equal(member('workspace = { resolver = "2" }\n'), 'workspace = { resolver = "2", members = ["crates/tool"] }\n');
    assert.equal(member('workspace = {}\n'), 'workspace = { members = ["crates/tool"] }\n');
    assert.equal(member('workspace = { members = ["a"] }\n'), 'workspace = { members = ["a", "crates/tool"] }\n');
  });

  it('changes nothing when the path is listed (in any spelling) or globbed', () => {
    for (const text of [
      '[workspace]\nmembers = ["crates/tool"]\n',
      '[workspace]\nmembers = ["./crates/tool/"]\n',
      '[workspace]\nmembers = ["crates/*"]\n',
      '[workspace]\nmembers = ["crates/t??l"]\n',
      '[workspace]\nmembers = ["**"]\n',
    ]) {
      assert.equal(member(text), text);
    }
  });

  it('refuses a path the workspace excludes, naming the line', () => {
    const text = '[workspace]\nmembers = ["crates/*"]\nexclude = ["crates/tool"]\n';
    assert.throws(
      () => member(text),
      (e: Error) => e instanceof ManifestError && /^Cargo\.toml:3:1: `workspace\.exclude` keeps crates\/tool out/.test(e.message),
    );
  });

  it('reads member status as Cargo does', () => {
    const manifest = parseManifest('[workspace]\nmembers = ["crates/*", "vendor"]\nexclude = ["crates/old", "vendor/x"]\n').value;
    assert.equal(memberStatus(manifest, 'crates/new'), 'glob');
    assert.equal(memberStatus(manifest, 'crates/old'), 'excluded');
    assert.equal(memberStatus(manifest, 'crates/old/sub'), 'excluded');
    assert.equal(memberStatus(manifest, 'vendor'), 'listed');
    // An explicit member above the path wins over `exclude`, as in Cargo.
    assert.equal(memberStatus(manifest, 'vendor/x'), 'absent');
    assert.equal(memberStatus(manifest, 'tools/new'), 'absent');
  });
});

describe('cargo-manifest: merging workspace dependencies', () => {
  const entries = (...names: (keyof typeof CRATES)[]): string => names.map((n) => `${workspaceDependencyEntry(n)}\n`).join('');

  it('adds missing crates in order into a sorted table, and leaves the user lines alone', () => {
    const before = '[workspace.dependencies]\nanyhow = "1" # errors\n# Parsing.\nserde = { version = "1", features = ["rc"] }\n';
    assert.equal(
      addWorkspaceDependencies(before, ['tracing', 'clap', 'serde', 'anyhow']),
      withInsertions(before, ['anyhow = "1" # errors\n', entries('clap')], ['features = ["rc"] }\n', entries('tracing')]),
    );
  });

  it('appends to an unsorted table, indented like it', () => {
    const before = '[workspace.dependencies]\n  serde = "1"\n  anyhow = "1"\n\n[profile.dev]\n';
    assert.equal(addWorkspaceDependencies(before, ['clap']), withInsertions(before, ['anyhow = "1"\n', `  ${entries('clap')}`]));
  });

  it('writes the table after `[workspace.package]`, or in the dotted and inline forms the file uses', () => {
    const tables =
      '[workspace]\nmembers = []\n\n[workspace.package]\nedition = "2024"\n\n[workspace.lints.rust]\nunsafe_code = "deny"\n';
    assert.equal(
      addWorkspaceDependencies(tables, ['clap']),
      withInsertions(tables, ['edition = "2024"\n\n', `[workspace.dependencies]\n${entries('clap')}\n`]),
    );
    assert.equal(
      addWorkspaceDependencies('[workspace]\ndependencies.serde = "1"\n', ['clap']),
      `[workspace]\ndependencies.serde = "1"\ndependencies.${entries('clap')}`,
    );
    assert.equal(
      addWorkspaceDependencies('workspace.members = []\n', ['clap']),
      `workspace.members = []\nworkspace.dependencies.${entries('clap')}`,
    );
    assert.equal(
      addWorkspaceDependencies('workspace = { members = [] }\n', ['clap', 'anyhow']),
      `workspace = { members = [], dependencies = { ${workspaceDependencyEntry('anyhow')}, ${workspaceDependencyEntry('clap')} } }\n`,
    );
  });

  it('adds `[workspace.dependencies]` above per-crate tables `[workspace.dependencies.x]`', () => {
    const before = '[workspace]\n\n[workspace.dependencies.serde]\nversion = "1"\n';
    assert.equal(
      addWorkspaceDependencies(before, ['clap']),
      withInsertions(before, ['[workspace]\n\n', `[workspace.dependencies]\n${entries('clap')}\n`]),
    );
  });

  it('is valid TOML after every edit (parses again)', () => {
    const text = addWorkspaceDependencies(member('workspace = { resolver = "3" }\n'), ['clap', 'serde', 'tracing-subscriber']);
    assert.deepEqual(Object.keys(parseManifest(text).value['workspace'] as object), ['resolver', 'members', 'dependencies']);
  });
});

describe('cargo-manifest: what the member inherits', () => {
  const plan = (entry: string, lock?: string) =>
    planDependencies(
      parseManifest(`[workspace.dependencies]\n${entry}\n`).value,
      [{ name: 'serde', features: ['derive'] }],
      lockedVersions(lock),
    )[0]!;

  it('reads Cargo requirements', () => {
    assert.deepEqual(lowerBound('1'), [1, 0, 0]);
    assert.deepEqual(lowerBound('>=1.2, <2'), [1, 2, 0]);
    assert.deepEqual(lowerBound('>1.2'), [1, 3, 0]);
    assert.equal(lowerBound('latest'), undefined);
    const table: readonly (readonly [string, string, boolean])[] = [
      ['1', '1.9.0', true],
      ['1.2', '1.1.0', false],
      ['^0.3', '0.4.0', false],
      ['^0.0.3', '0.0.4', false],
      ['~1.2', '1.3.0', false],
      ['~1.2', '1.2.9', true],
      ['=1.2.3', '1.2.3', true],
      ['=1.2', '1.2.7', true],
      ['1.*', '1.5.0', true],
      ['1.2.x', '1.3.0', false],
      ['*', '7.0.0', true],
      ['>=1.0, <1.5', '1.5.0', false],
      ['<=1.4', '1.4.9', true],
    ];
    for (const [requirement, version, expected] of table) {
      assert.equal(
        matches(requirement, version.split('.').map(Number) as [number, number, number]),
        expected,
        `${requirement} vs ${version}`,
      );
    }
  });

  it('inherits an entry that accepts the tested version, else asks for it itself', () => {
    assert.equal(plan('serde = "1"').source, 'inherit');
    assert.equal(plan(`serde = "${CRATES.serde.version}"`).source, 'inherit');
    assert.equal(plan('serde = { version = "1.0", features = ["rc"] }').source, 'inherit');
    assert.equal(plan('serde = "=1.0.100"').source, 'local');
    assert.equal(plan('serde = "0.9"').source, 'local');
    assert.equal(plan('serde = { git = "https://example.invalid/serde" }').source, 'inherit');
    assert.match(plan('serde = { version = "1", package = "serde-fork" }').reason ?? '', /names the package serde-fork/);
  });

  it('asks for the tested version itself when Cargo.lock holds an older one', () => {
    const lock = 'version = 4\n\n[[package]]\nname = "serde"\nversion = "1.0.100"\n';
    const decision = plan('serde = "1"', lock);
    assert.equal(decision.source, 'local');
    assert.match(decision.reason ?? '', /Cargo\.lock holds serde 1\.0\.100/);
    assert.equal(
      memberDependencyEntry(decision.dep, decision),
      `serde = { version = "${CRATES.serde.version}", features = ["derive"] }`,
    );
  });

  it('follows a [patch.crates-io] of the tested range, and builds beside one of another range', () => {
    const [major, minor] = CRATES.tokio.version.split('.').map(Number) as [number, number];
    const older = `${major}.${minor - 1}.3`;
    const patchedPlan = (entry: string, version: string | undefined, source = '../tokio') =>
      planDependencies(
        parseManifest(`[workspace.dependencies]\n${entry}\n`).value,
        [{ name: 'tokio', features: ['derive'] }],
        lockedVersions(`version = 4\n\n[[package]]\nname = "tokio"\nversion = "${older}"\n`),
        undefined,
        () => undefined,
        (name) => (name === 'tokio' ? { source, ...(version ? { version } : {}) } : undefined),
      )[0]!;
    // No entry: the member asks for the patched version (ours would not match the patch: two tokios).
    const asked = patchedPlan('', older);
    assert.equal(asked.source, 'local');
    assert.equal(memberDependencyEntry(asked.dep, asked), `tokio = { version = "${older}", features = ["derive"] }`);
    assert.match(
      asked.reason ?? '',
      new RegExp(`\\[patch\\.crates-io\\] tokio ${older.replaceAll('.', '\\.')} \\(from \\.\\./tokio\\) serves`),
    );
    // An entry accepting the patched version is inherited, though the lock holds that (older) version.
    assert.equal(patchedPlan('tokio = "1"', older).source, 'inherit');
    // Another range: crates.io's beside it, said so.
    const other = patchedPlan('', `${major + 1}.0.0`);
    assert.equal(other.source, 'add');
    assert.match(other.reason ?? '', /is not of the .* range the member is tested with/);
    // A git patch: version unknown offline; said so, entry planned as usual.
    assert.match(patchedPlan('', undefined, 'https://example.invalid/tokio').reason ?? '', /if its version matches/);
    assert.equal(patchedPlan('tokio = "1"', undefined, 'https://example.invalid/tokio').source, 'local');
  });

  it("inherits an entry that resolves to the workspace's own package, whatever the lock holds", () => {
    const [major, minor] = CRATES.tokio.version.split('.').map(Number) as [number, number];
    const own = `${major}.${minor - 1}.0`;
    const decision = planDependencies(
      parseManifest('[workspace.dependencies]\ntokio = { path = "tokio", version = "1" }\n').value,
      [{ name: 'tokio' }],
      lockedVersions(`version = 4\n\n[[package]]\nname = "tokio"\nversion = "${own}"\n`),
      undefined,
      (name) => (name === 'tokio' ? { version: own, dir: 'tokio', fromMember: '../../tokio' } : undefined),
    )[0]!;
    assert.equal(decision.source, 'inherit');
  });

  it('turns default features back on locally where the workspace turns them off', () => {
    const decision = plan('serde = { version = "1", default-features = false }');
    assert.equal(
      memberDependencyEntry(decision.dep, decision),
      'serde = { workspace = true, default-features = true, features = ["derive"] }',
    );
  });
});

describe('cargo-manifest: errors name the file, line and column', () => {
  it('for invalid TOML', () => {
    assert.throws(
      () => parseManifest('[workspace]\nmembers = [\n  "a"\nresolver = "2"\n', 'ws/Cargo.toml'),
      /^Error: ws\/Cargo\.toml:4:\d+: invalid TOML: /,
    );
    assert.throws(
      () => parseManifest('[workspace]\n[workspace]\n', 'Cargo.toml'),
      /^Error: Cargo\.toml:2:2: invalid TOML: Defining a key multiple times/,
    );
  });

  it('for a key of the wrong type', () => {
    assert.throws(
      () => parseManifest('[workspace]\nmembers = "crates/*"\n'),
      /^Error: Cargo\.toml:2:11: `workspace\.members` must be an array/,
    );
    assert.throws(() => parseManifest('workspace = 3\n'), /^Error: Cargo\.toml:1:13: `workspace` must be a table/);
  });
});

describe('cargo-workspace: finding the root as Cargo does', () => {
  const tree = (files: Record<string, string>) => (file: string) => files[file];
  const root = '/repo';
  const files = {
    '/repo/Cargo.toml': '[workspace]\nmembers = ["crates/*"]\nexclude = ["crates/own"]\n',
    '/repo/crates/a/Cargo.toml': '[package]\nname = "a"\n',
    '/repo/crates/own/Cargo.toml': '[package]\nname = "own"\n',
    '/repo/crates/pointed/Cargo.toml': '[package]\nname = "p"\nworkspace = "../../other"\n',
  };

  it('from the root, a member, or its src/', () => {
    for (const cwd of ['/repo', '/repo/crates', '/repo/crates/a', '/repo/crates/a/src/bin']) {
      assert.equal(findWorkspaceRoot(cwd, tree(files)), root, cwd);
    }
  });

  it('follows `package.workspace`, and stops at a package the workspace excludes', () => {
    assert.equal(
      findWorkspaceRoot('/repo/crates/pointed', tree({ ...files, '/repo/other/Cargo.toml': '[workspace]\n' })),
      '/repo/other',
    );
    assert.throws(
      () => findWorkspaceRoot('/repo/crates/pointed', tree(files)),
      /`package\.workspace` points to \/repo\/other, which has no Cargo\.toml with a \[workspace\]/,
    );
    assert.equal(findWorkspaceRoot('/repo/crates/own/src', tree(files)), '/repo/crates/own');
  });

  it('a single package is its own root; no manifest is no root', () => {
    assert.equal(findWorkspaceRoot('/solo/src', tree({ '/solo/Cargo.toml': '[package]\nname = "solo"\n' })), '/solo');
    assert.equal(findWorkspaceRoot('/nothing/here', tree({})), undefined);
  });

  it('names a malformed manifest on the way', () => {
    assert.throws(() => findWorkspaceRoot('/bad/src', tree({ '/bad/Cargo.toml': '[package\n' })), ManifestError);
  });

  it('keeps a new member out of target/ and out of any package src/', () => {
    const read = tree({
      [join(root, 'Cargo.toml')]: '[package]\nname = "top"\n',
      [join(root, 'crates/a/Cargo.toml')]: '[package]\nname = "a"\n',
    });
    assert.match(memberPathProblem(root, 'src/tool', read) ?? '', /inside the sources of the package top \(src\/\)/);
    assert.match(
      memberPathProblem(root, 'crates/a/src/tool', read) ?? '',
      /inside the sources of the package a \(crates\/a\/src\/\)/,
    );
    assert.match(memberPathProblem(root, 'target/tool', read) ?? '', /Cargo's build directory/);
    assert.equal(memberPathProblem(root, 'crates/a/plugins/tool', read), undefined);
  });
});
