import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseManifest } from '../lib/cargo-manifest.js';
import { lookup } from '../lib/toml-value.js';
import { ACTIONS, CRATES, IMAGES, TOOLS } from '../lib/versions.js';
import { DEFAULT_MEMBERS, MEMBERS } from '../generators/members.js';
import { BASELINE_FILE } from '../lib/baseline.js';
import { ROOT_PLAN, rootContext } from '../lib/workspace-root.js';
import { plannedFiles } from '../lib/write-plan.js';
import { QUIET, filesUnder, runGenerator } from './helpers.js';

describe('app generator', () => {
  it('writes a workspace root with the default members', async () => {
    const result = await runGenerator('app').withArguments(['demo']).withOptions(QUIET);
    const root = plannedFiles(ROOT_PLAN, rootContext({ name: 'demo', members: [], supplyChain: true })).map((f) => f.output);
    const members = DEFAULT_MEMBERS.map((kind) => `crates/${kind}/`);
    const rootFiles = filesUnder(join(result.cwd, 'demo')).filter((f) => !members.some((m) => f.startsWith(m)));
    assert.deepEqual(rootFiles, [...root, '.yo-rc.json', BASELINE_FILE].sort());
    result.assertFile(DEFAULT_MEMBERS.map((kind) => `demo/crates/${kind}/Cargo.toml`));
    const manifest = parseManifest(readFileSync(join(result.cwd, 'demo/Cargo.toml'), 'utf8')).value;
    assert.equal(lookup(manifest, ['workspace', 'resolver']), '3');
    assert.deepEqual(
      lookup(manifest, ['workspace', 'members']),
      DEFAULT_MEMBERS.map((kind) => `crates/${kind}`),
    );
    assert.equal(lookup(manifest, ['workspace', 'package', 'edition']), '2024');
    assert.ok(lookup(manifest, ['workspace', 'lints', 'clippy']));
    assert.ok(lookup(manifest, ['profile', 'release']));
  });

  it('declares only the dependencies its members use, at the pinned versions', async () => {
    const result = await runGenerator('app')
      .withArguments(['demo'])
      .withOptions({ ...QUIET, errors: 'anyhow' });
    const manifest = parseManifest(readFileSync(join(result.cwd, 'demo/Cargo.toml'), 'utf8')).value;
    const deps = lookup(manifest, ['workspace', 'dependencies']) as Record<string, unknown>;
    assert.ok(!('thiserror' in deps), 'anyhow everywhere needs no thiserror');
    assert.equal(deps['clap'], CRATES.clap.version);
    assert.deepEqual(deps['tracing-subscriber'], { version: CRATES['tracing-subscriber'].version, 'default-features': false });
  });

  it('stores the error style and generator version in .yo-rc.json', async () => {
    const result = await runGenerator('app')
      .withArguments(['demo'])
      .withOptions({ ...QUIET, errors: 'thiserror' });
    result.assertJsonFileContent('demo/.yo-rc.json', {
      'generator-rust-patterns': { errors: 'thiserror', members: { 'demo-cli': { kind: 'cli', path: 'crates/cli' } } },
    });
    const rc = JSON.parse(readFileSync(join(result.cwd, 'demo/.yo-rc.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    assert.match(String(rc['generator-rust-patterns']?.['version']), /^\d+\.\d+\.\d+/);
  });

  it('asks for name, members and error style when no flag answers them', async () => {
    const result = await runGenerator('app')
      .withOptions({ 'skip-install': true, 'skip-git': true })
      .withAnswers({ name: 'asked', members: ['cli'], errors: 'anyhow' });
    result.assertFile('asked/crates/cli/Cargo.toml');
    result.assertFileContent('asked/crates/cli/src/main.rs', 'fn main() -> anyhow::Result<()>');
  });

  it('lists the members in the workspace README and CI', async () => {
    const result = await runGenerator('app').withArguments(['demo']).withOptions(QUIET);
    result.assertFileContent('demo/README.md', 'cargo run -p demo-cli -- stats README.md');
    result.assertFileContent('demo/.github/workflows/ci.yml', 'cargo clippy --workspace --all-targets -- -D warnings');
  });

  for (const name of ['1abc', 'self', 'std', 'my crate', '../x']) {
    it(`rejects the workspace name '${name}' and writes nothing`, async () => {
      await assert.rejects(
        runGenerator('app').withArguments([name]).withOptions(QUIET),
        (error: Error) => error.message.includes(`Invalid workspace name '${name}'`) && error.message.includes('Try'),
      );
    });
  }

  it('rejects an unknown member and an unknown error style', async () => {
    await assert.rejects(
      runGenerator('app')
        .withArguments(['demo'])
        .withOptions({ ...QUIET, members: 'cli,gui' }),
      /--members: 'gui' not among/,
    );
    await assert.rejects(
      runGenerator('app')
        .withArguments(['demo'])
        .withOptions({ ...QUIET, errors: 'panic' }),
      /--errors: 'panic' is not one of split, thiserror, anyhow/,
    );
  });

  it('refuses a directory that exists and is not empty', async () => {
    await assert.rejects(
      runGenerator('app')
        .withArguments(['demo'])
        .withOptions(QUIET)
        .doInDir((dir) => {
          mkdirSync(join(dir, 'demo'));
          writeFileSync(join(dir, 'demo', 'notes.txt'), 'mine');
        }),
      /demo already exists and is not empty/,
    );
  });
});

describe('app generator install phase', () => {
  /** Records the mocked spawns as `command args...`; `fail` makes every spawn reject like a missing binary. */
  function spawnRecorder(fail = false) {
    const calls: { line: string; cwd: string | undefined }[] = [];
    const stub = (_method: string, command: string, args: string[], options: { cwd?: string }) => {
      calls.push({ line: [command, ...args].join(' '), cwd: options.cwd });
      const missing = Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT' });
      return fail ? Promise.reject(missing) : Promise.resolve({ exitCode: 0, stdout: '', stderr: '' });
    };
    return { calls, stub };
  }
  // yeoman-test skips install phases unless told otherwise.
  const INSTALL = { defaults: true, skipInstall: false };

  it('runs cargo fmt and cargo check in the new workspace, then git init', async () => {
    const spawns = spawnRecorder();
    const result = await runGenerator('app').withArguments(['demo']).withOptions(INSTALL).withSpawnMock(spawns.stub);
    assert.deepEqual(
      spawns.calls.map((c) => c.line),
      ['cargo fmt --all', 'cargo check --workspace', 'git init --quiet'],
    );
    assert.ok(spawns.calls.every((c) => c.cwd === join(result.cwd, 'demo')));
  });

  it('keeps the files and stops at the first failing cargo command', async () => {
    const spawns = spawnRecorder(true);
    const result = await runGenerator('app')
      .withArguments(['demo'])
      .withOptions({ ...INSTALL, 'skip-git': true })
      .withSpawnMock(spawns.stub);
    result.assertFile('demo/crates/cli/src/main.rs');
    assert.deepEqual(
      spawns.calls.map((c) => c.line),
      ['cargo fmt --all'],
    );
  });
});

describe('app generator CI workflow', () => {
  for (const db of ['sqlite', 'postgres', 'mysql']) {
    it(`is valid YAML with every member's jobs (service on ${db})`, async () => {
      const result = await runGenerator('app')
        .withArguments(['demo'])
        .withOptions({ ...QUIET, members: MEMBERS.map((m) => m.kind).join(','), db });
      const workflow = parseYaml(readFileSync(join(result.cwd, 'demo/.github/workflows/ci.yml'), 'utf8')) as {
        jobs: Record<string, { steps: { run?: string }[]; services?: Record<string, unknown> }>;
      };
      const check = workflow.jobs['check']!;
      const runs = check.steps.map((s) => s.run).filter(Boolean);
      assert.deepEqual(runs.slice(-3), [
        'cargo fmt --all --check',
        'cargo clippy --workspace --all-targets -- -D warnings',
        'cargo test --workspace',
      ]);
      assert.equal(check.services !== undefined, db !== 'sqlite', 'a database service only for a server database');
      assert.ok(Object.keys(workflow.jobs).length > 1, 'members add jobs of their own');
    });
  }
});

describe('app generator supply-chain policy', () => {
  const all = MEMBERS.map((m) => m.kind).join(',');
  const read = (cwd: string, path: string): string => readFileSync(join(cwd, 'demo', path), 'utf8');
  type Workflow = { permissions?: unknown; jobs: Record<string, { steps: { uses?: string; run?: string }[] }> };

  for (const db of ['sqlite', 'postgres', 'mysql']) {
    it(`writes deny.toml, Dependabot and the deny and msrv jobs (service on ${db})`, async () => {
      const result = await runGenerator('app')
        .withArguments(['demo'])
        .withOptions({ ...QUIET, members: all, db });
      const policy = read(result.cwd, 'deny.toml');
      const ignore = /^ignore = \[([\s\S]*?)^\]$/m.exec(policy)?.[1] ?? '';
      // The rsa advisory comes with sqlx-mysql only, and is ignored with its reason on the same entry.
      if (db === 'mysql') assert.match(ignore, /\{ id = "RUSTSEC-2023-0071", reason = "[^"]+" \}/);
      else assert.doesNotMatch(ignore, /RUSTSEC/);
      assert.match(policy, /^multiple-versions = "deny"$/m);
      assert.match(policy, /^unknown-git = "deny"$/m);
      const workflow = parseYaml(read(result.cwd, '.github/workflows/ci.yml')) as Workflow;
      assert.deepEqual(workflow.permissions, { contents: 'read' });
      const runs = (job: string): string[] => workflow.jobs[job]!.steps.flatMap((s) => (s.run ? [s.run] : []));
      assert.ok(runs('deny').includes('cargo deny check advisories bans licenses sources'));
      assert.ok(runs('deny').some((r) => r.includes(`cargo-deny --locked --version ${TOOLS['cargo-deny'].version}`)));
      assert.ok(runs('msrv').some((r) => r.includes('rust-version')));
      assert.ok(runs('msrv').includes('cargo build --workspace --all-targets'));
      const dependabot = parseYaml(read(result.cwd, '.github/dependabot.yml')) as {
        updates: { 'package-ecosystem': string; directory: string; groups?: Record<string, { patterns: string[] }> }[];
      };
      const ecosystems = dependabot.updates.map((u) => `${u['package-ecosystem']} ${u.directory}`);
      for (const expected of ['cargo /', 'github-actions /', 'pip /crates/pyo3', 'npm /crates/wasm', 'docker /crates/service']) {
        assert.ok(ecosystems.includes(expected), `${expected} in ${ecosystems.join(', ')}`);
      }
      const cargo = dependabot.updates.find((u) => u['package-ecosystem'] === 'cargo')!;
      assert.deepEqual(Object.keys(cargo.groups!), ['wasm-bindgen', 'pyo3', 'tokio-axum-tower', 'sqlx', 'cargo']);
      assert.ok(cargo.groups!['wasm-bindgen']!.patterns.includes('js-sys'));
      assert.match(read(result.cwd, 'README.md'), /`deny\.toml`.*\n.*`\.github\/dependabot\.yml`/);
    });
  }

  it('groups only the crates of the members present', async () => {
    const result = await runGenerator('app')
      .withArguments(['demo'])
      .withOptions({ ...QUIET, members: 'cli' });
    const dependabot = parseYaml(read(result.cwd, '.github/dependabot.yml')) as {
      updates: { 'package-ecosystem': string; groups?: Record<string, unknown> }[];
    };
    assert.deepEqual(
      dependabot.updates.map((u) => u['package-ecosystem']),
      ['cargo', 'github-actions'],
    );
    assert.deepEqual(Object.keys(dependabot.updates[0]!.groups!), ['cargo']);
  });

  it('--no-supply-chain: no policy files or jobs, least privilege all the same, the choice stored', async () => {
    const result = await runGenerator('app')
      .withArguments(['demo'])
      .withOptions({ ...QUIET, members: all, 'supply-chain': false });
    result.assertNoFile(['demo/deny.toml', 'demo/.github/dependabot.yml']);
    const workflow = parseYaml(read(result.cwd, '.github/workflows/ci.yml')) as Workflow;
    assert.deepEqual(workflow.permissions, { contents: 'read' });
    assert.ok(!('deny' in workflow.jobs) && !('msrv' in workflow.jobs));
    assert.match(read(result.cwd, 'README.md'), /--no-supply-chain/);
    result.assertJsonFileContent('demo/.yo-rc.json', { 'generator-rust-patterns': { 'supply-chain': false } });
  });

  it('writes every version from the version table: no action, image or tool version outside it', async () => {
    const result = await runGenerator('app')
      .withArguments(['demo'])
      .withOptions({ ...QUIET, members: all, db: 'postgres' });
    const ci = read(result.cwd, '.github/workflows/ci.yml');
    const uses = [...ci.matchAll(/uses: (\S+)/g)].map((m) => m[1]!);
    assert.deepEqual(
      [...new Set(uses)].filter((u) => !Object.values(ACTIONS).includes(u as never)),
      [],
    );
    const images = [
      ...ci.matchAll(/image: (\S+)/g),
      ...read(result.cwd, 'crates/service/docker-compose.yml').matchAll(/image: (\S+)/g),
      ...read(result.cwd, 'crates/service/Dockerfile').matchAll(/^FROM (\S+)/gm),
    ]
      .map((m) => m[1]!)
      // `FROM chef AS builder`: a stage of the same Dockerfile, not an image.
      .filter((image) => image.includes(':'));
    assert.deepEqual(
      images.filter((i) => !Object.values(IMAGES).includes(i as never)),
      [],
    );
    assert.match(
      read(result.cwd, 'crates/service/Dockerfile'),
      new RegExp(`cargo-chef --version ${TOOLS['cargo-chef'].version} `),
    );
    assert.match(read(result.cwd, 'crates/pyo3/pyproject.toml'), new RegExp(`"maturin>=${TOOLS.maturin.version},<2"`));
  });
});
