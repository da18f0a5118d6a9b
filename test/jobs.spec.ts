/**
 * A service on PostgreSQL beside a `--queue postgres` worker: `POST /jobs` and
 * `GET /jobs/{id}` on the worker's queue, one migrate for both, and the same
 * workspace whichever member came first (issue 17).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QUIET, filesUnder, runGenerator, rustPatterns, tempRepos } from './helpers.js';

const app = (members: string, db: string, queue: string, errors = 'split') =>
  runGenerator('app')
    .withArguments(['demo'])
    .withOptions({ ...QUIET, members, db, queue, errors });

const service = 'demo/crates/service';
const read = (cwd: string, file: string): string => readFileSync(join(cwd, file), 'utf8');

const git = (cwd: string, ...args: string[]): void => {
  const run = spawnSync('git', ['-c', 'user.email=test@example.com', '-c', 'user.name=test', ...args], { cwd, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
};

/** Every file of a tree but git's, with its bytes. */
const snapshot = (dir: string): Map<string, string> =>
  new Map(
    filesUnder(dir)
      .filter((f) => !f.startsWith('.git/'))
      .map((f) => [f, readFileSync(join(dir, f), 'latin1')]),
  );

describe('service beside a queue worker', () => {
  it('serves POST /jobs and GET /jobs/{id} on the worker queue and migrates both, in every error style', async () => {
    for (const errors of ['split', 'thiserror', 'anyhow']) {
      const result = await app('service,worker', 'postgres', 'postgres', errors);
      assert.ok(filesUnder(join(result.cwd, service)).includes('src/routes/jobs.rs'), errors);
      assert.match(read(result.cwd, `${service}/Cargo.toml`), /^demo-worker = \{ path = "\.\.\/worker" \}$/m);
      assert.match(read(result.cwd, `${service}/src/routes.rs`), /\.route\("\/jobs", post\(jobs::create\)\)/);
      assert.match(read(result.cwd, `${service}/src/routes.rs`), /\.route\("\/jobs\/\{id\}", get\(jobs::get\)\)/);
      assert.match(read(result.cwd, `${service}/src/routes/jobs.rs`), /use demo_worker::queue::\{self, JobStatus, NewJob\};/);
      assert.match(read(result.cwd, `${service}/src/db.rs`), /\.chain\(demo_worker::queue::migrations\(\)\)/);
      assert.match(read(result.cwd, `${service}/tests/api.rs`), /async fn a_done_job_shows_its_result\(\)/);
      assert.match(read(result.cwd, `${service}/README.md`), /^## Jobs$/m);
    }
  });

  it('leaves the service as it is without a queue worker, or on another database than PostgreSQL', async () => {
    const aloneRun = await app('service', 'postgres', 'none');
    // yeoman-test removes a run's directory at the next run.
    const alone = snapshot(join(aloneRun.cwd, service));
    for (const [members, db, queue] of [
      ['service,worker', 'postgres', 'none'],
      ['service,worker', 'sqlite', 'postgres'],
    ] as const) {
      const result = await app(members, db, queue);
      assert.ok(!filesUnder(join(result.cwd, service)).includes('src/routes/jobs.rs'), `${db} ${queue}`);
      assert.doesNotMatch(read(result.cwd, `${service}/Cargo.toml`), /demo-worker/);
      if (db === 'postgres') {
        assert.deepEqual(snapshot(join(result.cwd, service)), alone);
      }
    }
  });

  describe('in either order', () => {
    const repo = tempRepos('rust-patterns-jobs-');
    const plainWorkspace = (): string => {
      const dir = repo({ 'Cargo.toml': '[workspace]\nresolver = "3"\n' });
      git(dir, 'init', '-q');
      git(dir, 'add', '-A');
      git(dir, 'commit', '-qm', 'init');
      return dir;
    };
    const addService = (dir: string) => rustPatterns(dir, 'service', 'shop-api', '--defaults', '--db=postgres', '--skip-install');
    const addWorker = (dir: string) =>
      rustPatterns(dir, 'worker', 'shop-jobs', '--defaults', '--queue=postgres', '--skip-install');

    it('gives the same workspace byte for byte, baseline and .yo-rc.json included; update and a rerun change nothing', () => {
      const serviceFirst = plainWorkspace();
      assert.equal(addService(serviceFirst).status, 0);
      const added = addWorker(serviceFirst);
      assert.equal(added.status, 0, added.stderr);
      assert.match(added.stdout + added.stderr, /shop-api uses shop-jobs: rendered again, keeping your edits/);
      const workerFirst = plainWorkspace();
      assert.equal(addWorker(workerFirst).status, 0);
      assert.equal(addService(workerFirst).status, 0);
      const [a, b] = [snapshot(serviceFirst), snapshot(workerFirst)];
      assert.deepEqual([...a.keys()], [...b.keys()]);
      for (const [file, bytes] of a) assert.equal(bytes, b.get(file), file);
      assert.ok(a.has('crates/shop-api/src/routes/jobs.rs'));

      git(serviceFirst, 'add', '-A');
      git(serviceFirst, 'commit', '-qm', 'both');
      const update = rustPatterns(serviceFirst, 'update', '--skip-install');
      assert.equal(update.status, 0, update.stderr);
      assert.match(update.stdout + update.stderr, /Up to date/);
      const rerun = addWorker(serviceFirst);
      assert.equal(rerun.status, 0, rerun.stderr);
      assert.doesNotMatch(rerun.stdout + rerun.stderr, /rendered again/);
      assert.deepEqual(snapshot(serviceFirst), a);
    });

    it("keeps the user's edits to the service when the worker joins later", () => {
      const dir = plainWorkspace();
      assert.equal(addService(dir).status, 0);
      const routes = join(dir, 'crates/shop-api/src/routes.rs');
      const edited = read(dir, 'crates/shop-api/src/routes.rs').replace(
        '//! The HTTP routes.',
        '//! The HTTP routes of the shop.',
      );
      writeFileSync(routes, edited);
      git(dir, 'add', '-A');
      git(dir, 'commit', '-qm', 'service');
      const added = addWorker(dir);
      assert.equal(added.status, 0, added.stderr);
      const merged = read(dir, 'crates/shop-api/src/routes.rs');
      assert.match(merged, /^\/\/! The HTTP routes of the shop\./m);
      assert.match(merged, /\.route\("\/jobs", post\(jobs::create\)\)/);
    });

    it('takes the routes away again when the worker drops its queue (update --queue none)', () => {
      const dir = plainWorkspace();
      assert.equal(addService(dir).status, 0);
      assert.equal(addWorker(dir).status, 0);
      git(dir, 'add', '-A');
      git(dir, 'commit', '-qm', 'both');
      const update = rustPatterns(dir, 'update', '--queue=none', '--skip-install');
      assert.equal(update.status, 0, update.stderr);
      assert.ok(!filesUnder(dir).includes('crates/shop-api/src/routes/jobs.rs'));
      assert.doesNotMatch(read(dir, 'crates/shop-api/Cargo.toml'), /shop-jobs/);
    });
  });
});
