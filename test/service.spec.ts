import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SERVICE } from '../generators/service/member.js';
import { templatesDir } from '../lib/paths.js';
import { QUIET, filesUnder, plannedMemberFiles, runGenerator } from './helpers.js';

const generate = (options: Record<string, unknown> = {}) =>
  runGenerator('app')
    .withArguments(['demo'])
    .withOptions({ ...QUIET, members: 'service', ...options });

const crate = 'demo/crates/service';
const read = (cwd: string, file: string): string => readFileSync(join(cwd, file), 'utf8');

describe('service member', () => {
  it('writes the library, a thin binary, migrations, tests and deployment files', async () => {
    const result = await generate();
    assert.deepEqual(
      filesUnder(join(result.cwd, crate)),
      plannedMemberFiles(SERVICE, { name: 'demo-service', path: 'crates/service' }),
    );
    result.assertFileContent(`${crate}/src/lib.rs`, 'pub fn router(state: AppState) -> Router');
    result.assertFileContent(`${crate}/src/lib.rs`, 'TimeoutLayer::with_status_code(');
    result.assertNoFileContent(`${crate}/src/lib.rs`, 'TimeoutLayer::new(');
    result.assertFileContent(`${crate}/src/lib.rs`, 'DefaultBodyLimit::max(limits.body_limit)');
    result.assertFileContent(`${crate}/src/lib.rs`, 'SetRequestIdLayer::x_request_id(MakeRequestUuid)');
    result.assertFileContent(`${crate}/src/state.rs`, '#[derive(Debug, Clone, FromRef)]');
    result.assertFileContent(`${crate}/src/routes.rs`, '"/users/{id}"');
    result.assertFileContent(`${crate}/src/shutdown.rs`, 'SignalKind::terminate()');
    // Served through hyper with a timer (header-read timeout) and a bounded drain, not axum::serve.
    result.assertFileContent(`${crate}/src/main.rs`, 'server::serve(');
    result.assertNoFileContent(`${crate}/src/main.rs`, 'axum::serve');
    result.assertFileContent(`${crate}/src/server.rs`, '.timer(TokioTimer::new())');
    result.assertFileContent(`${crate}/src/server.rs`, '() = tokio::time::sleep(limits.drain_timeout) =>');
    // Every error status answers JSON: bodiless ones are rewritten, panics are caught.
    result.assertFileContent(`${crate}/src/lib.rs`, 'middleware::map_response(error::json_errors)');
    result.assertFileContent(`${crate}/src/lib.rs`, 'CatchPanicLayer::custom(error::panic_response)');
    result.assertFileContent(`${crate}/tests/common/mod.rs`, '.oneshot(request)');
    // Probes skip the request middleware; the request span is at info level,
    // so error lines carry the request id, method and matched route.
    result.assertFileContent(`${crate}/src/lib.rs`, '.merge(routes::probes())');
    result.assertFileContent(`${crate}/src/routes.rs`, '.route("/metrics", get(crate::metrics::render))');
    result.assertFileContent(`${crate}/src/metrics.rs`, 'metrics::with_local_recorder(');
    result.assertNoFileContent(`${crate}/src/metrics.rs`, 'install_recorder');
    result.assertFileContent(`${crate}/src/lib.rs`, 'tracing::info_span!(');
    result.assertFileContent(`${crate}/src/lib.rs`, '.get::<MatchedPath>()');
    // No proc macro of sqlx: it would compile sqlx and the driver twice.
    result.assertFileContent(`${crate}/src/db.rs`, 'Migrator::with_migrations(embedded_migrations())');
    result.assertFileContent(`${crate}/src/db.rs`, 'include_str!("../migrations/0001_create_users.sql")');
    result.assertNoFileContent(`${crate}/src/db.rs`, 'sqlx::migrate!(');
    result.assertFileContent(`${crate}/src/config.rs`, 'pub const DEFAULT_PORT: u16 = 3000;');
    result.assertFileContent(`${crate}/Dockerfile`, 'USER 65532:65532');
    for (const file of ['src/lib.rs', 'src/repository.rs', 'src/routes/users.rs', 'src/db.rs']) {
      assert.doesNotMatch(read(result.cwd, `${crate}/${file}`), /\.unwrap\(\)/, file);
    }
  });

  it('names only the features it uses, on workspace versions with default features off', async () => {
    const result = await generate();
    const manifest = read(result.cwd, `${crate}/Cargo.toml`);
    assert.match(
      manifest,
      /^axum = \{ workspace = true, features = \["http1", "json", "macros", "matched-path", "query", "tokio"\] \}$/m,
    );
    assert.match(manifest, /^hyper = \{ workspace = true, features = \["http1", "server"\] \}$/m);
    assert.match(manifest, /^hyper-util = \{ workspace = true, features = \["server-graceful", "service", "tokio"\] \}$/m);
    assert.doesNotMatch(manifest, /server-auto|http2/);
    assert.match(
      manifest,
      /^tokio = \{ workspace = true, features = \["fs", "macros", "net", "rt-multi-thread", "signal", "time"\] \}$/m,
    );
    assert.match(
      manifest,
      /^tower-http = \{ workspace = true, features = \["catch-panic", "cors", "request-id", "timeout", "trace"\] \}$/m,
    );
    assert.match(manifest, /^tower = \{ workspace = true, features = \["util"\] \}$/m);
    // The exporter without its HTTP listener and push gateway: the router serves /metrics.
    assert.match(manifest, /^metrics-exporter-prometheus\.workspace = true$/m);
    assert.match(
      read(result.cwd, 'demo/Cargo.toml'),
      /^metrics-exporter-prometheus = \{ version = "[\d.]+", default-features = false \}$/m,
    );
    assert.match(manifest, /^\[lints\]\nworkspace = true$/m);
    assert.doesNotMatch(manifest, /"full"/);
    assert.match(manifest, /^tracing-subscriber = \{ workspace = true, features = \["fmt", "json"\] \}$/m);
    assert.doesNotMatch(manifest, /"macros", "migrate"|env-filter/);
    const root = read(result.cwd, 'demo/Cargo.toml');
    assert.match(root, /^axum = \{ version = "[\d.]+", default-features = false \}$/m);
    assert.match(root, /^sqlx = \{ version = "0\.9\.[\d]+", default-features = false \}$/m);
  });

  it('sqlite (default): an embedded file, no database server in CI', async () => {
    const result = await generate();
    assert.match(
      read(result.cwd, `${crate}/Cargo.toml`),
      /^sqlx = \{ workspace = true, features = \["migrate", "runtime-tokio", "sqlite"\] \}$/m,
    );
    result.assertFileContent(`${crate}/src/db.rs`, '.create_if_missing(true)');
    result.assertFileContent(`${crate}/src/db.rs`, 'tokio::task::spawn_blocking(');
    result.assertFileContent(`${crate}/src/db.rs`, 'WHERE id = ?');
    result.assertFileContent(`${crate}/migrations/0001_create_users.sql`, 'id INTEGER PRIMARY KEY');
    result.assertFileContent(`${crate}/Dockerfile`, 'ENV DATABASE_URL=sqlite:///data/demo_service.db');
    result.assertFileContent(`${crate}/tests/common/mod.rs`, 'tempfile::tempdir()');
    // SQLITE_BUSY and SQLITE_LOCKED are retryable; a writer waits no longer than a request.
    result.assertFileContent(`${crate}/src/db.rs`, 'matches!(code & 0xff, 5 | 6)');
    result.assertFileContent(`${crate}/src/db.rs`, '.busy_timeout(config.statement_timeout)');
    // One process in front of an embedded file: it migrates at start.
    result.assertFileContent(`${crate}/src/db.rs`, 'pub const MIGRATE_ON_START: bool = true;');
    result.assertNoFileContent('demo/.github/workflows/ci.yml', 'DATABASE_URL');
    result.assertJsonFileContent('demo/.yo-rc.json', { 'generator-rust-patterns': { db: 'sqlite', port: 3000 } });
  });

  it('postgres: $n parameters, TLS, a fresh database per test and a CI service', async () => {
    const result = await generate({ db: 'postgres' });
    assert.match(
      read(result.cwd, `${crate}/Cargo.toml`),
      /^sqlx = \{ workspace = true, features = \["migrate", "runtime-tokio", "postgres", "tls-rustls-ring-webpki"\] \}$/m,
    );
    result.assertFileContent(`${crate}/src/db.rs`, 'pub type Db = sqlx::Postgres;');
    result.assertFileContent(`${crate}/src/db.rs`, 'VALUES ($1, $2, $3) RETURNING id');
    result.assertFileContent(`${crate}/migrations/0001_create_users.sql`, 'GENERATED ALWAYS AS IDENTITY');
    result.assertFileContent(`${crate}/tests/common/mod.rs`, 'force_drop_database(&url)');
    result.assertFileContent(`${crate}/src/db.rs`, 'Some("40001" | "40P01" | "55P03" | "57014")');
    result.assertFileContent(`${crate}/src/db.rs`, '"statement_timeout",');
    // Rolling deploys: `migrate` is a release step, replicas do not race to migrate.
    result.assertFileContent(`${crate}/src/db.rs`, 'pub const MIGRATE_ON_START: bool = false;');
    result.assertNoFileContent(`${crate}/Cargo.toml`, 'tempfile');
    result.assertFileContent(`${crate}/docker-compose.yml`, 'image: postgres:17');
    const ci = read(result.cwd, 'demo/.github/workflows/ci.yml');
    assert.match(ci, /^ {4}services:\n {6}postgres:\n {8}image: postgres:17$/m);
    assert.match(ci, /^ {6}DATABASE_URL: postgres:\/\/postgres:postgres@localhost:5432\/postgres$/m);
  });

  it('mysql: ? parameters, last_insert_id instead of RETURNING, a CI service', async () => {
    const result = await generate({ db: 'mysql' });
    result.assertFileContent(`${crate}/src/db.rs`, 'pub type Db = sqlx::MySql;');
    result.assertFileContent(`${crate}/src/db.rs`, 'result.last_insert_id()');
    result.assertNoFileContent(`${crate}/src/db.rs`, 'RETURNING id');
    result.assertNoFileContent(`${crate}/src/db.rs`, '$1');
    result.assertFileContent(`${crate}/migrations/0001_create_users.sql`, 'AUTO_INCREMENT');
    result.assertFileContent(`${crate}/src/db.rs`, 'matches!(error.number(), 1205 | 1213 | 1317 | 1969 | 3024)');
    // MySQL's limit first, MariaDB's when the server does not know it.
    result.assertFileContent(`${crate}/src/db.rs`, 'SET SESSION max_execution_time = {millis}');
    result.assertFileContent(`${crate}/src/db.rs`, 'SET SESSION max_statement_time = {seconds}');
    result.assertFileContent(`${crate}/docker-compose.yml`, 'image: mysql:8.4');
    result.assertFileContent('demo/.github/workflows/ci.yml', 'DATABASE_URL: mysql://root:root@127.0.0.1:3306/test');
  });

  it('runtime queries (default): no sqlx macros, no offline data, stored', async () => {
    const result = await generate();
    result.assertNoFile(`${crate}/build.rs`);
    result.assertNoFile(`${crate}/.sqlx`);
    result.assertNoFileContent(`${crate}/src/repository.rs`, 'query_as!(');
    result.assertNoFileContent(`${crate}/Dockerfile`, 'SQLX_OFFLINE');
    result.assertNoFileContent('demo/.github/workflows/ci.yml', 'sqlx prepare');
    result.assertJsonFileContent('demo/.yo-rc.json', { 'generator-rust-patterns': { queries: 'runtime' } });
  });

  for (const db of ['sqlite', 'postgres', 'mysql'] as const) {
    it(`checked queries on ${db}: query! macros, migrate!, offline data, SQLX_OFFLINE and a prepare check in CI`, async () => {
      const result = await generate({ db, queries: 'checked' });
      const manifest = read(result.cwd, `${crate}/Cargo.toml`);
      assert.match(manifest, /^sqlx = \{ workspace = true, features = \["macros", "migrate", "runtime-tokio", /m);
      result.assertFileContent(`${crate}/src/repository.rs`, 'sqlx::query_as!(');
      result.assertFileContent(`${crate}/src/repository.rs`, 'sqlx::query!(');
      result.assertFileContent(`${crate}/src/db.rs`, 'sqlx::migrate!()');
      result.assertNoFileContent(`${crate}/src/db.rs`, 'EmbeddedMigrations');
      result.assertNoFileContent(`${crate}/src/db.rs`, "impl<'r> FromRow");
      result.assertFileContent(`${crate}/build.rs`, 'cargo:rerun-if-changed=migrations');
      result.assertFileContent(`${crate}/Dockerfile`, 'ENV SQLX_OFFLINE=true');
      const ci = read(result.cwd, 'demo/.github/workflows/ci.yml');
      assert.match(ci, /^ {6}SQLX_OFFLINE: "true"$/m);
      assert.match(ci, /cargo install sqlx-cli --locked --version [\d.]+ --no-default-features --features /);
      assert.match(ci, /^ {6}- run: cargo sqlx prepare --check\n {8}working-directory: crates\/service$/m);
      result.assertFileContent(`${crate}/README.md`, 'cargo sqlx prepare');
      result.assertJsonFileContent('demo/.yo-rc.json', { 'generator-rust-patterns': { queries: 'checked' } });
      // The offline data of this database, and of no other.
      const data = filesUnder(join(result.cwd, crate)).filter((f) => f.startsWith('.sqlx/'));
      const committed = filesUnder(join(templatesDir('service'), 'sqlx', db)).map((f) => `.sqlx/${f}`);
      assert.ok(committed.length >= 6, `templates/service/sqlx/${db}: run npm run sqlx:prepare`);
      assert.deepEqual(data, committed);
    });
  }

  it('split: a thiserror ApiError in the library, anyhow with Context in main', async () => {
    const result = await generate({ errors: 'split' });
    result.assertFileContent(`${crate}/src/error.rs`, 'pub enum ApiError');
    result.assertFileContent(`${crate}/src/config.rs`, 'pub enum ConfigError');
    result.assertFileContent(`${crate}/src/main.rs`, 'use anyhow::Context;');
    result.assertFileContent(`${crate}/src/main.rs`, '.context("invalid configuration")?');
  });

  it('thiserror: typed startup errors in main too, no anyhow', async () => {
    const result = await generate({ errors: 'thiserror' });
    result.assertFileContent(`${crate}/src/main.rs`, 'enum StartupError');
    result.assertFileContent(`${crate}/src/main.rs`, 'ExitCode::FAILURE');
    for (const file of ['src/main.rs', 'src/error.rs', 'src/db.rs', 'Cargo.toml']) {
      result.assertNoFileContent(`${crate}/${file}`, 'anyhow');
    }
  });

  it('anyhow: anyhow::Result with context in the library, status found from the cause', async () => {
    const result = await generate({ errors: 'anyhow' });
    result.assertFileContent(`${crate}/src/error.rs`, 'pub struct ApiError');
    result.assertFileContent(`${crate}/src/error.rs`, 'cause.downcast_ref::<sqlx::Error>()');
    result.assertFileContent(`${crate}/src/repository.rs`, 'anyhow::Result<Option<User>>');
    result.assertFileContent(`${crate}/src/model.rs`, 'ensure!(');
    for (const file of ['src/main.rs', 'src/error.rs', 'src/config.rs', 'src/model.rs', 'Cargo.toml']) {
      result.assertNoFileContent(`${crate}/${file}`, 'thiserror');
    }
  });

  it('takes the default port from --port', async () => {
    const result = await generate({ port: '8080' });
    result.assertFileContent(`${crate}/src/config.rs`, 'pub const DEFAULT_PORT: u16 = 8080;');
    result.assertFileContent(`${crate}/Dockerfile`, 'EXPOSE 8080');
    result.assertFileContent(`${crate}/.env.example`, 'PORT=8080');
  });

  it('rejects an unknown database and a port out of range, writing nothing', async () => {
    await assert.rejects(generate({ db: 'oracle' }), /--db: 'oracle' is not one of sqlite, postgres, mysql/);
    await assert.rejects(generate({ port: '70000' }), /--port: expected a whole number from 1 to 65535/);
  });

  it('adds itself to an existing workspace with the stored database', async () => {
    const result = await runGenerator('service')
      .withArguments(['api'])
      .withOptions(QUIET)
      .withFiles({ 'Cargo.toml': '[workspace]\nresolver = "3"\nmembers = []\n' })
      .withYoRcConfig('generator-rust-patterns', { db: 'mysql', errors: 'anyhow' });
    result.assertFileContent('Cargo.toml', 'members = ["crates/api"]');
    result.assertFileContent('crates/api/src/db.rs', 'pub type Db = sqlx::MySql;');
    result.assertFileContent('crates/api/src/error.rs', 'pub struct ApiError');
  });

  it('is asked about only when the service is chosen', async () => {
    const result = await runGenerator('app')
      .withOptions({ 'skip-install': true, 'skip-git': true })
      .withAnswers({ name: 'asked', members: ['cli'], errors: 'split' });
    const rc = JSON.parse(read(result.cwd, 'asked/.yo-rc.json')) as Record<string, Record<string, unknown>>;
    assert.ok(!('db' in (rc['generator-rust-patterns'] ?? {})), 'no database answer without a service');
  });
});

describe('service otlp feature in CI', () => {
  it('gets a job of its own that lints the service with --features otlp, offline under checked queries', async () => {
    for (const queries of ['runtime', 'checked']) {
      const result = await runGenerator('app')
        .withArguments(['demo'])
        .withOptions({ ...QUIET, members: 'service', queries });
      const ci = parseYaml(readFileSync(join(result.cwd, 'demo/.github/workflows/ci.yml'), 'utf8')) as {
        jobs: Record<string, { env?: Record<string, string>; steps: { run?: string }[] }>;
      };
      const job = ci.jobs['demo-service-otlp'];
      assert.ok(job, `${queries}: no demo-service-otlp job`);
      assert.ok(job.steps.some((s) => s.run === 'cargo clippy -p demo-service --features otlp --all-targets -- -D warnings'));
      assert.equal(job.env?.['SQLX_OFFLINE'], queries === 'checked' ? 'true' : undefined);
    }
  });
});
