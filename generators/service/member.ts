/**
 * The service member: an HTTP service on Axum, Tokio and SQLx (library with
 * `router(state)`, thin binary), on SQLite, PostgreSQL or MySQL.
 *
 * The database changes the SQL dialect (`src/db.rs`, the migration), the
 * sqlx driver feature and the test harness; the error style changes the error
 * types. Everything else is the same code, so templates branch on the derived
 * booleans (`dbPostgres`, `libThiserror`, …) and on helpers: `p(n)` below, and
 * `result(ok, err)` and `context(indent, message)` shared by every member.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineMember, errorStyleDependencies, type Peer } from '../../lib/member-generator.js';
import { templatesDir } from '../../lib/paths.js';
import type { WriteBlock } from '../../lib/write-plan.js';
import type { RecordedMember } from '../../lib/yo-rc.js';
import { choiceFlags, type ChoiceOption, type NumberOption, type ValueOf } from '../../lib/options.js';

export const DB = {
  kind: 'choice',
  flag: 'db',
  description: 'Database of the service',
  prompt: 'Which database should the service use?',
  stored: true,
  default: 'sqlite',
  choices: [
    { value: 'sqlite', name: 'sqlite: an embedded file, created if missing; no server needed' },
    { value: 'postgres', name: 'postgres: PostgreSQL' },
    { value: 'mysql', name: 'mysql: MySQL or MariaDB' },
  ],
} as const satisfies ChoiceOption;

export type Database = ValueOf<typeof DB>;

export const PORT = {
  kind: 'number',
  flag: 'port',
  description: 'Port the service listens on unless PORT says otherwise',
  prompt: 'Which port should the service listen on by default?',
  stored: true,
  default: 3000,
  min: 1,
  max: 65535,
} as const satisfies NumberOption;

/**
 * How the service's SQL is checked. The prompt states the measured trade-off
 * (bench/build.ts rows "service queries"), so the choice is an informed one.
 */
export const QUERIES = {
  kind: 'choice',
  flag: 'queries',
  description:
    'SQL checking: runtime (plain queries, leanest build) or checked (query! macros against the schema, offline data in .sqlx/)',
  prompt:
    'How should the SQL be checked? (checked: compile-time against the real schema, about +20-36% cold build CPU and a slower rebuild after touching a query)',
  stored: true,
  default: 'runtime',
  choices: [
    {
      value: 'runtime',
      name: 'runtime: sqlx::query with bound parameters and hand-written row mapping; no proc macro, the leanest build',
    },
    {
      value: 'checked',
      name: 'checked: query!/query_as! checked against the schema at compile time, offline data committed in .sqlx/ (+20-36% cold build CPU)',
    },
  ],
} as const satisfies ChoiceOption;

export type Queries = ValueOf<typeof QUERIES>;

/**
 * The committed offline query data of a database (`templates/service/sqlx/<db>/`,
 * written by `npm run sqlx:prepare`), as the member's `.sqlx/` under checked queries.
 */
function offlineQueryData(db: Database): WriteBlock<{ readonly queriesChecked: boolean; readonly db: Database }> {
  const dir = join(templatesDir('service'), 'sqlx', db);
  return {
    condition: (ctx) => ctx.queriesChecked && ctx.db === db,
    renameTo: (_ctx, output) => output.replace(`sqlx/${db}/`, '.sqlx/'),
    templates: existsSync(dir)
      ? readdirSync(dir)
          .filter((file) => file.endsWith('.json'))
          .sort()
          .map((file) => `sqlx/${db}/${file}`)
      : [],
  };
}

/** A worker with the PostgreSQL job queue (`--queue postgres`). */
const isQueueWorker = (member: RecordedMember): boolean => member.kind === 'worker' && member.options?.['queue'] === 'postgres';

/**
 * The worker whose queue the service fills (`POST /jobs`, `GET /jobs/{id}`,
 * its migrations run with the service's): the first queue worker by name,
 * when the service is on PostgreSQL too. Null otherwise.
 */
function queueWorkerOf(db: Database, peers: readonly Peer[]): Peer | null {
  return db === 'postgres' ? (peers.find(isQueueWorker) ?? null) : null;
}

const LABELS: Readonly<Record<Database, string>> = { sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MySQL' };
const SQLX_TYPES: Readonly<Record<Database, string>> = { sqlite: 'Sqlite', postgres: 'Postgres', mysql: 'MySql' };

export const SERVICE = defineMember({
  kind: 'service',
  description:
    'Axum and SQLx HTTP service on SQLite, PostgreSQL or MySQL: users CRUD, health/ready, JSON errors, graceful shutdown, Dockerfile',
  // Clean under the strict set; the e2e's `clippy strict` step checks it.
  strictLints: true,
  options: [DB, QUERIES, PORT],
  dependencies: ({ db, errors, queries }) => [
    { name: 'axum', features: ['http1', 'json', 'macros', 'matched-path', 'query', 'tokio'] },
    // The opaque cursor of `GET /users` (src/model.rs).
    { name: 'base64', features: ['alloc'] },
    // axum::serve sets no timer, so no header-read timeout: src/server.rs runs
    // hyper's HTTP/1 connection itself (axum already depends on both crates).
    { name: 'hyper', features: ['http1', 'server'] },
    { name: 'hyper-util', features: ['server-graceful', 'service', 'tokio'] },
    // GET /metrics: a recorder per app (src/metrics.rs), rendered by the router, not a listener of its own.
    { name: 'metrics' },
    { name: 'metrics-exporter-prometheus' },
    { name: 'serde', features: ['derive'] },
    {
      name: 'sqlx',
      // `runtime`: no `macros`, whose proc macro compiles sqlx and the driver twice
      // (src/db.rs embeds the migrations and maps rows itself). TLS for servers, which usually require it.
      features: [
        ...(queries === 'checked' ? ['macros'] : []),
        'migrate',
        'runtime-tokio',
        ...(db === 'sqlite' ? ['sqlite'] : [db, 'tls-rustls-ring-webpki']),
      ],
    },
    // `fs`: DATABASE_URL_FILE.
    { name: 'tokio', features: ['fs', 'macros', 'net', 'rt-multi-thread', 'signal', 'time'] },
    { name: 'tower' },
    { name: 'tower-http', features: ['catch-panic', 'cors', 'request-id', 'timeout', 'trace'] },
    { name: 'tracing' },
    // `filter::Targets` reads RUST_LOG; `env-filter` would add a regex engine.
    { name: 'tracing-subscriber', features: ['fmt', 'json'] },
    // The `otlp` feature (off by default): spans exported over OTLP/HTTP with a
    // blocking client without TLS (a collector next to the service), W3C traceparent.
    { name: 'opentelemetry', features: ['trace'], optional: true },
    { name: 'opentelemetry-http', optional: true },
    { name: 'opentelemetry-otlp', features: ['http-proto', 'reqwest-blocking-client', 'trace'], optional: true },
    { name: 'opentelemetry_sdk', features: ['trace'], optional: true },
    { name: 'tracing-opentelemetry', optional: true },
    ...errorStyleDependencies(errors),
    { name: 'http-body-util', kind: 'dev' },
    { name: 'serde_json', kind: 'dev' },
    // tests/serve.rs talks HTTP over raw sockets.
    { name: 'tokio', kind: 'dev', features: ['io-util'] },
    ...(db === 'sqlite' ? [{ name: 'tempfile', kind: 'dev' } as const] : []),
    // `ServiceExt::oneshot` drives the router in tests.
    { name: 'tower', kind: 'dev', features: ['util'] },
  ],
  usesPeer: (own, peer) => own['db'] === 'postgres' && isQueueWorker(peer),
  context: ({ db, port, queries }, { peers }) => ({
    db,
    /** The queue worker of the workspace, whose jobs the service takes (see queueWorkerOf). */
    jobs: queueWorkerOf(db, peers),
    ...choiceFlags(DB, db),
    ...choiceFlags(QUERIES, queries),
    dbLabel: LABELS[db],
    /** The sqlx driver type: `sqlx::Sqlite`, `sqlx::Postgres`, `sqlx::MySql`. */
    dbType: SQLX_TYPES[db],
    port,
    /**
     * The columns of a `User` in a checked query (inside a Rust string):
     * SQLite's INTEGER is an i64 to sqlx, so `age` is read as the model's i32.
     */
    userColumns: db === 'sqlite' ? 'id, name, email, age AS \\"age: i32\\"' : 'id, name, email, age',
    /** The n-th bound parameter in the dialect: `$1` in PostgreSQL, `?` elsewhere. */
    p: (n: number): string => (db === 'postgres' ? `$${n}` : '?'),
  }),
  plan: [
    {
      templates: [
        'Cargo.toml',
        'README.md',
        'dot-env.example',
        'Dockerfile',
        'Dockerfile.dockerignore',
        'docker-compose.yml',
        'migrations/0001_create_users.sql',
        'src/lib.rs',
        'src/main.rs',
        'src/config.rs',
        'src/db.rs',
        'src/error.rs',
        'src/extract.rs',
        'src/metrics.rs',
        'src/model.rs',
        'src/repository.rs',
        'src/routes.rs',
        'src/routes/health.rs',
        'src/routes/users.rs',
        'src/server.rs',
        'src/shutdown.rs',
        'src/state.rs',
        'src/telemetry.rs',
        'tests/api.rs',
        'tests/common/mod.rs',
        'tests/serve.rs',
      ],
    },
    { condition: (ctx) => ctx.jobs !== null, templates: ['src/routes/jobs.rs'] },
    // Checked queries: cargo rebuilds `migrate!` when a migration is added, and
    // the offline query data of the database (`npm run sqlx:prepare` writes it).
    { condition: (ctx) => ctx.queriesChecked, templates: ['build.rs'] },
    ...DB.choices.map((choice) => offlineQueryData(choice.value)),
  ],
});
