import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKER } from '../generators/worker/member.js';
import { QUEUE, parseOptionValue } from '../lib/options.js';
import { QUIET, filesUnder, plannedMemberFiles, runGenerator } from './helpers.js';

const generate = (errors: string) =>
  runGenerator('app')
    .withArguments(['demo'])
    .withOptions({ ...QUIET, members: 'worker', errors });

const crate = 'demo/crates/worker';
const read = (cwd: string, file: string): string => readFileSync(join(cwd, crate, file), 'utf8');

describe('worker member', () => {
  it('writes the library, the binary, tests, a benchmark and the bridge example', async () => {
    const result = await generate('split');
    assert.deepEqual(
      filesUnder(join(result.cwd, crate)),
      plannedMemberFiles(WORKER, { name: 'demo-worker', path: 'crates/worker' }),
    );
    assert.ok(
      plannedMemberFiles(WORKER, { name: 'demo-worker', path: 'crates/worker' }).includes('src/error.rs'),
      'split has typed errors',
    );
    result.assertFileContent(`${crate}/src/pipeline.rs`, 'mpsc::sync_channel(self.capacity)');
    result.assertFileContent(`${crate}/src/pipeline.rs`, 'ThreadPoolBuilder::new()');
    result.assertFileContent(`${crate}/src/bridge.rs`, 'oneshot::channel()');
    result.assertFileContent(`${crate}/tests/cli.rs`, 'env!("CARGO_BIN_EXE_demo-worker")');
    result.assertFileContent(`${crate}/benches/throughput.rs`, 'use demo_worker::{TextStats, build_pool, sample};');
  });

  it('inherits from the workspace, keeps Tokio optional and lean, and opts the bench out of libtest', async () => {
    const result = await generate('split');
    const manifest = read(result.cwd, 'Cargo.toml');
    assert.match(manifest, /^edition\.workspace = true$/m);
    assert.match(manifest, /^rayon\.workspace = true$/m);
    assert.match(manifest, /^tokio = \{ workspace = true, features = \["sync"\], optional = true \}$/m);
    assert.match(manifest, /^tokio = \{ workspace = true, features = \["macros", "rt", "time"\] \}$/m);
    assert.match(manifest, /^default = \["async"\]$/m);
    assert.match(manifest, /^async = \["dep:tokio"\]$/m);
    assert.match(manifest, /^\[lib\]\nbench = false$/m);
    assert.match(manifest, /\[\[bench\]\]\nname = "throughput"\nharness = false/);
    assert.match(manifest, /^\[lints\]\nworkspace = true$/m);
    assert.doesNotMatch(manifest, /"full"/);
    const root = readFileSync(join(result.cwd, 'demo/Cargo.toml'), 'utf8');
    assert.match(root, /^divan = \{ version = "[\d.]+", default-features = false \}$/m);
    assert.match(root, /^ctrlc = "[\d.]+"$/m);
  });

  it('split: typed errors in the library, anyhow with Context in the binary', async () => {
    const result = await generate('split');
    assert.match(read(result.cwd, 'src/error.rs'), /pub enum JobError/);
    assert.match(read(result.cwd, 'src/stats.rs'), /pub fn analyze\(job: Job\) -> Outcome<TextStats, JobError>/);
    const main = read(result.cwd, 'src/main.rs');
    assert.match(main, /use anyhow::\{Context as _, Result\};/);
    assert.doesNotMatch(main, /enum CliError/);
    assert.match(read(result.cwd, 'Cargo.toml'), /^anyhow = \{ workspace = true, features = \["std"\] \}$/m);
    assert.match(read(result.cwd, 'Cargo.toml'), /^thiserror\.workspace = true$/m);
  });

  it('thiserror: typed errors also in the binary and the example, no anyhow', async () => {
    const result = await generate('thiserror');
    const main = read(result.cwd, 'src/main.rs');
    assert.match(main, /enum CliError/);
    assert.match(main, /error_chain\(&error\)/);
    for (const file of ['src/main.rs', 'src/pipeline.rs', 'examples/async_bridge.rs', 'Cargo.toml']) {
      assert.doesNotMatch(read(result.cwd, file), /anyhow/, file);
    }
  });

  it('anyhow: no error module, anyhow::Error per job, no thiserror', async () => {
    const result = await generate('anyhow');
    result.assertNoFile(`${crate}/src/error.rs`);
    assert.match(read(result.cwd, 'src/stats.rs'), /pub fn analyze\(job: Job\) -> Outcome<TextStats, anyhow::Error>/);
    assert.match(read(result.cwd, 'src/stats.rs'), /\.context\("not valid UTF-8"\)/);
    for (const file of ['src/lib.rs', 'src/main.rs', 'src/pipeline.rs', 'Cargo.toml']) {
      assert.doesNotMatch(read(result.cwd, file), /thiserror|error_chain/, file);
    }
  });

  it('adds a CI job for the benches and the build without default features', async () => {
    const result = await generate('split');
    const ci = readFileSync(join(result.cwd, 'demo/.github/workflows/ci.yml'), 'utf8');
    assert.match(ci, /^ {2}demo-worker-extras:$/m);
    assert.match(ci, /cargo bench -p demo-worker --no-run/);
    assert.match(ci, /cargo clippy -p demo-worker --no-default-features --all-targets -- -D warnings/);
    result.assertFileContent('demo/README.md', 'cargo bench -p demo-worker');
  });

  it('adds itself to an existing workspace with the stored error style', async () => {
    const result = await runGenerator('worker')
      .withArguments(['batch'])
      .withOptions(QUIET)
      .withFiles({ 'Cargo.toml': '[workspace]\nresolver = "3"\nmembers = []\n' })
      .withYoRcConfig('generator-rust-patterns', { errors: 'thiserror' });
    result.assertFileContent('Cargo.toml', 'members = ["crates/batch"]');
    result.assertFileContent('Cargo.toml', /^rayon = "[\d.]+"$/m);
    result.assertFileContent('crates/batch/src/main.rs', 'enum CliError');
    result.assertFileContent('crates/batch/tests/cli.rs', 'CARGO_BIN_EXE_batch');
    // No [workspace.lints] in that root: the member writes the lints out itself.
    result.assertFileContent('crates/batch/Cargo.toml', '[lints.clippy]');
  });
});

describe('worker --queue', () => {
  const withQueue = (queue: string, errors = 'split') =>
    runGenerator('app')
      .withArguments(['demo'])
      .withOptions({ ...QUIET, members: 'worker', errors, queue });

  it('is defined once: a stored choice, none by default, validated like every choice', () => {
    assert.equal(QUEUE.default, 'none');
    assert.equal(QUEUE.stored, true);
    assert.deepEqual(
      QUEUE.choices.map((c) => c.value),
      ['none', 'postgres'],
    );
    assert.ok(WORKER.options.includes(QUEUE));
    assert.equal(parseOptionValue(QUEUE, 'postgres'), 'postgres');
    assert.throws(() => parseOptionValue(QUEUE, 'redis'), /--queue: 'redis' is not one of none, postgres/);
  });

  it('none writes the batch worker exactly as without the option', async () => {
    const plain = await generate('split');
    const files = filesUnder(join(plain.cwd, crate));
    const before = new Map(files.map((file) => [file, read(plain.cwd, file)]));
    const none = await withQueue('none');
    assert.deepEqual(filesUnder(join(none.cwd, crate)), files);
    for (const file of files) assert.equal(read(none.cwd, file), before.get(file), file);
    assert.ok(!files.includes('src/queue.rs'));
  });

  it('postgres adds the queue, the consumer, the consume subcommand and its tests, and stores the answer', async () => {
    for (const errors of ['split', 'thiserror', 'anyhow']) {
      const result = await withQueue('postgres', errors);
      const files = filesUnder(join(result.cwd, crate));
      for (const file of ['migrations/0001_create_jobs.sql', 'src/queue.rs', 'src/consumer.rs', 'tests/queue.rs'])
        assert.ok(files.includes(file), `${errors}: ${file}`);
      assert.match(read(result.cwd, 'src/queue.rs'), /FOR UPDATE SKIP LOCKED/);
      assert.match(read(result.cwd, 'src/consumer.rs'), /tokio::select! \{/);
      assert.match(read(result.cwd, 'src/consumer.rs'), /async fn handle\(&self, job: &ClaimedJob\)/);
      assert.doesNotMatch(read(result.cwd, 'src/consumer.rs'), /async_trait/);
      assert.match(read(result.cwd, 'src/main.rs'), /Consume \{/);
      const manifest = read(result.cwd, 'Cargo.toml');
      assert.match(manifest, /^sqlx = \{ workspace = true, features = \["migrate", "postgres", /m);
      assert.doesNotMatch(manifest, /optional = true|\[features\]|required-features/);
      const rc = JSON.parse(readFileSync(join(result.cwd, 'demo/.yo-rc.json'), 'utf8')) as {
        'generator-rust-patterns': { members: Record<string, { options: { queue: string } }> };
      };
      assert.equal(rc['generator-rust-patterns'].members['demo-worker']?.options.queue, 'postgres');
    }
  });
});

describe('worker --queue postgres in CI', () => {
  it('gives the check job a PostgreSQL server, one only beside a service on PostgreSQL', async () => {
    const alone = await runGenerator('app')
      .withArguments(['demo'])
      .withOptions({ ...QUIET, members: 'worker', queue: 'postgres' });
    const ci = (cwd: string): string => readFileSync(join(cwd, 'demo/.github/workflows/ci.yml'), 'utf8');
    assert.equal(ci(alone.cwd).match(/^ {4}services:$/gm)?.length, 1);
    assert.match(ci(alone.cwd), /DATABASE_URL: postgres:\/\/postgres:postgres@localhost:5432\/postgres/);
    const both = await runGenerator('app')
      .withArguments(['demo'])
      .withOptions({ ...QUIET, members: 'service,worker', db: 'postgres', queue: 'postgres' });
    assert.equal(ci(both.cwd).match(/^ {4}services:$/gm)?.length, 1);
    const none = await runGenerator('app')
      .withArguments(['demo'])
      .withOptions({ ...QUIET, members: 'worker', queue: 'none' });
    assert.doesNotMatch(ci(none.cwd), /services:/);
  });
});
