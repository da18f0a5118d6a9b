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
import { defineMember, errorStyleDependencies } from '../../lib/member-generator.js';
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

const LABELS: Readonly<Record<Database, string>> = { sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MySQL' };
const SQLX_TYPES: Readonly<Record<Database, string>> = { sqlite: 'Sqlite', postgres: 'Postgres', mysql: 'MySql' };

export const SERVICE = defineMember({
  kind: 'service',
  description:
    'Axum and SQLx HTTP service on SQLite, PostgreSQL or MySQL: users CRUD, health/ready, JSON errors, graceful shutdown, Dockerfile',
  options: [DB, PORT],
  dependencies: ({ db, errors }) => [
    { name: 'axum', features: ['http1', 'json', 'macros', 'matched-path', 'query', 'tokio'] },
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
      // No `macros`: its proc macro compiles sqlx and the driver twice (src/db.rs
      // embeds the migrations and maps rows itself). TLS for servers, which usually require it.
      features: ['migrate', 'runtime-tokio', ...(db === 'sqlite' ? ['sqlite'] : [db, 'tls-rustls-ring-webpki'])],
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
  context: ({ db, port }) => ({
    db,
    ...choiceFlags(DB, db),
    dbLabel: LABELS[db],
    /** The sqlx driver type: `sqlx::Sqlite`, `sqlx::Postgres`, `sqlx::MySql`. */
    dbType: SQLX_TYPES[db],
    port,
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
  ],
});
