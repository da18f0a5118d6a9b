/**
 * The service member's own e2e: a fresh database per run for PostgreSQL and
 * MySQL (created before cargo runs, dropped afterwards together with every
 * per-test database named after it), a check that the generated tests left no
 * database behind, clippy with the `otlp` feature on (its tests in the default error style), and a smoke test of the built binary: start, /health,
 * `migrate`, /ready, create and read a user, count it in /metrics, reject malformed JSON, and on SIGTERM answer
 * /ready with 503, finish a slow request in flight and exit 0 within the drain
 * deadline although a client hangs with half a request head.
 *
 * Servers: E2E_POSTGRES (default postgres://postgres@127.0.0.1:5432/postgres)
 * and E2E_MYSQL (default mysql://root@127.0.0.1:3306), reached with the psql
 * and mariadb (or mysql) clients; `.ci/services` starts the local ones.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database, Queries } from '../../../generators/service/member.js';
import { ERRORS } from '../../../lib/options.js';
import { TOOLS } from '../../../lib/versions.js';
import { Skip, type MemberE2e, type StepContext } from '../member-steps.js';

/** How to reach a database server from the e2e runner, and the SQL it needs. */
interface Server {
  /** The URL the generated code gets, for a database `name` on this server. */
  readonly url: (name: string) => string;
  /** Runs SQL through the command-line client; resolves to its output. */
  readonly sql: (ctx: Pick<StepContext, 'run'>, statement: string) => Promise<string>;
  readonly list: (prefix: string) => string;
  readonly drop: (name: string) => string;
}

export function server(db: Exclude<Database, 'sqlite'>): Server {
  if (db === 'postgres') {
    const admin = new URL(process.env['E2E_POSTGRES'] ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    return {
      url: (name) => Object.assign(new URL(admin.href), { pathname: `/${name}` }).href,
      sql: (ctx, statement) => ctx.run('psql', [admin.href, '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', statement]),
      list: (prefix) => `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%'`,
      // FORCE: a leftover session must not keep garbage alive.
      drop: (name) => `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`,
    };
  }
  const admin = new URL(process.env['E2E_MYSQL'] ?? 'mysql://root@127.0.0.1:3306');
  const client = ['-h', admin.hostname, '-P', admin.port || '3306', '-u', decodeURIComponent(admin.username || 'root')];
  if (admin.password) client.push(`-p${decodeURIComponent(admin.password)}`);
  return {
    url: (name) => Object.assign(new URL(admin.href), { pathname: `/${name}` }).href,
    sql: (ctx, statement) =>
      ctx.run('mariadb', [...client, '-N', '-B', '-e', statement]).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        return ctx.run('mysql', [...client, '-N', '-B', '-e', statement]);
      }),
    list: (prefix) => `SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '${prefix}%'`,
    drop: (name) => `DROP DATABASE IF EXISTS \`${name}\``,
  };
}

export const lines = (output: string): string[] =>
  output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** The run's database; the generated tests name theirs `<run>_<pid>_<n>` (kept under 40 characters). */
const runDatabase = (): string => `e2e_svc_${process.pid}_${Date.now().toString(36)}`;

/**
 * Checked queries build from the committed `.sqlx/` data alone: every cargo
 * step runs with SQLX_OFFLINE=true, as the generated CI and Dockerfile do.
 */
const offline = (ctx: Pick<StepContext, 'member'>): Record<string, string> =>
  (ctx.member.options['queries'] as Queries) === 'checked' ? { SQLX_OFFLINE: 'true' } : {};

const service: MemberE2e = {
  prepare: async (ctx) => {
    const db = ctx.member.options['db'] as Database;
    if (db === 'sqlite') return { env: offline(ctx) };
    const srv = server(db);
    try {
      await srv.sql(ctx, 'SELECT 1');
    } catch (error) {
      throw new Skip(`no ${db} server for the service tests (${(error as Error).message.split('\n')[0]})`);
    }
    const name = runDatabase();
    await srv.sql(ctx, `CREATE DATABASE ${name}`);
    return {
      env: { DATABASE_URL: srv.url(name), ...offline(ctx) },
      cleanup: async () => {
        for (const leftover of lines(await srv.sql(ctx, srv.list(name)))) await srv.sql(ctx, srv.drop(leftover));
        const remaining = lines(await srv.sql(ctx, srv.list(name)));
        assert.deepEqual(remaining, [], `databases left behind: ${remaining.join(', ')}`);
      },
    };
  },
  steps: (ctx) => {
    const db = ctx.member.options['db'] as Database;
    const otlp = (command: 'clippy' | 'test'): string[] => [
      command,
      '-p',
      ctx.member.name,
      '--features',
      'otlp',
      ...(command === 'clippy' ? ['--all-targets', '--', '-D', 'warnings'] : []),
    ];
    return [
      // The `otlp` feature (off by default) on: it compiles, is lint-clean and its tests pass.
      {
        name: 'otlp clippy',
        run: async (c: StepContext) => {
          await c.run('cargo', otlp('clippy'));
        },
      },
      // Its tests in the default error style only: the feature's code does not
      // depend on the style, which clippy above compiles in every one.
      ...(ctx.combination.errors === ERRORS.default
        ? [
            {
              name: 'otlp test',
              run: async (c: StepContext) => {
                await c.run('cargo', otlp('test'));
              },
            },
          ]
        : []),
      ...(db === 'sqlite'
        ? []
        : [
            {
              name: 'no garbage',
              run: async (c: StepContext) => {
                // `cargo test` ran: every per-test database must be gone, passed or failed.
                const srv = server(db);
                const master = new URL(c.env['DATABASE_URL']!).pathname.slice(1);
                const left = lines(await srv.sql(c, srv.list(`${master}\\_`)));
                assert.deepEqual(left, [], `the tests left databases behind: ${left.join(', ')}`);
              },
            },
          ]),
      { name: 'smoke', run: (c: StepContext) => smoke(c, db) },
      ...(queueWorkerBeside(ctx)
        ? [{ name: 'jobs', run: (c: StepContext) => jobsThroughTheQueue(c, queueWorkerBeside(c)!) }]
        : []),
      ...((ctx.member.options['queries'] as Queries) === 'checked' ? checkedSteps(db) : []),
    ];
  },
};

/** sqlx-cli as .ci/setup.d/sqlx.sh installs it: `<cache>/sqlx-cli-<version>/bin`. */
function sqlxCliBin(): string {
  const cache = process.env['RUST_PATTERNS_CACHE'] ?? join(homedir(), '.cache', 'generator-rust-patterns');
  return join(cache, `sqlx-cli-${TOOLS['sqlx-cli'].version}`, 'bin');
}

/**
 * A database migrated by the build's own `migrate`, for the checks that need
 * the schema: the run's database on a server, a fresh file for SQLite.
 */
async function migratedUrl(c: StepContext, db: Database): Promise<{ url: string; cleanup: () => Promise<void> }> {
  let url = c.env['DATABASE_URL'] ?? '';
  let cleanup = (): Promise<void> => Promise.resolve();
  if (db === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'e2e-sqlx-'));
    url = `sqlite://${join(dir, 'schema.db')}`;
    cleanup = () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    };
  } else if (db === 'mysql') {
    // MySQL's query data names each column's table with its database, which
    // the template names after the crate (as the generated CI's database is).
    const srv = server(db);
    const name = c.member.name.replaceAll('-', '_');
    await srv.sql(c, srv.drop(name));
    await srv.sql(c, `CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
    url = srv.url(name);
    cleanup = async () => {
      await srv.sql(c, srv.drop(name));
    };
  }
  await c.run('cargo', ['run', '-q', '-p', c.member.name, '--', 'migrate'], {
    env: { DATABASE_URL: url, SQLX_OFFLINE: 'true', MIGRATE_ON_START: 'false' },
  });
  return { url, cleanup };
}

/** The steps of a checked-queries combination beyond the cargo steps (which built offline). */
function checkedSteps(db: Database): { name: string; run: (c: StepContext) => Promise<void> }[] {
  return [
    {
      // No database reachable at all: the build must come from .sqlx/ alone.
      name: 'offline build',
      run: async (c) => {
        await c.run('cargo', ['build', '-p', c.member.name], {
          env: { SQLX_OFFLINE: 'true', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/unreachable' },
        });
      },
    },
    {
      // The committed query data against the real server's migrated schema:
      // fails when a template's query and templates/service/sqlx/ disagree.
      name: 'sqlx checks',
      run: async (c) => {
        const bin = sqlxCliBin();
        if (!existsSync(join(bin, 'cargo-sqlx'))) {
          const message = `sqlx-cli ${TOOLS['sqlx-cli'].version} is missing from ${bin}: run .ci/setup.d/sqlx.sh`;
          throw underCiOrSkip(message);
        }
        const { url, cleanup } = await migratedUrl(c, db);
        try {
          await c.run('cargo', ['sqlx', 'prepare', '--check'], {
            cwd: c.member.dir,
            env: { DATABASE_URL: url, SQLX_OFFLINE: 'false', PATH: `${bin}:${process.env['PATH'] ?? ''}` },
          });
        } finally {
          await cleanup();
        }
      },
    },
    {
      // The checking is real: a query naming a column the schema lacks does not compile.
      name: 'checked for real',
      run: async (c) => {
        const file = join(c.member.dir, 'src', 'repository.rs');
        const original = readFileSync(file, 'utf8');
        const { url, cleanup } = await migratedUrl(c, db);
        writeFileSync(
          file,
          `${original}\n/// Not in the schema.\npub async fn nickname(pool: &crate::db::DbPool) -> Result<Vec<String>, sqlx::Error> {\n` +
            `    sqlx::query_scalar!("SELECT nickname FROM users").fetch_all(pool).await\n}\n`,
        );
        try {
          const outcome = await c
            .run('cargo', ['check', '-p', c.member.name, '--message-format', 'short'], {
              env: { DATABASE_URL: url, SQLX_OFFLINE: 'false' },
            })
            .then(
              () => 'compiled',
              (error: unknown) => (error as Error).message,
            );
          assert.notEqual(outcome, 'compiled', 'a query naming a missing column compiled');
          assert.match(outcome, /nickname/, `the error does not name the missing column:\n${outcome}`);
        } finally {
          writeFileSync(file, original);
          await cleanup();
        }
      },
    },
  ];
}

/** A missing tool: a failure under CI=true, a skip elsewhere. */
function underCiOrSkip(message: string): Error {
  return process.env['CI'] === 'true' ? new Error(message) : new Skip(message);
}

export default service;

const portFree = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => {
      done(false);
    });
    probe.listen(port, '127.0.0.1', () => {
      probe.close(() => {
        done(true);
      });
    });
  });

const anyFreePort = (): Promise<number> =>
  new Promise((done) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => {
        done(port);
      });
    });
  });

const sleep = (ms: number): Promise<void> =>
  new Promise((done) => {
    setTimeout(done, ms);
  });

/** The built binary as an operator runs it, with default settings (SQLite: no DATABASE_URL). */
/** Default settings: none of the service's own variables, except the database URL of a server. */
function defaultSettings(ctx: StepContext, db: Database): Record<string, string> {
  const settings = [
    'HOST',
    'PORT',
    'DATABASE_MAX_CONNECTIONS',
    'DATABASE_ACQUIRE_TIMEOUT_SECS',
    'REQUEST_TIMEOUT_SECS',
    'BODY_LIMIT_BYTES',
    'HEADER_READ_TIMEOUT_SECS',
    'SHUTDOWN_DELAY_SECS',
    'DRAIN_TIMEOUT_SECS',
    'MIGRATE_ON_START',
    'LOG_FORMAT',
    'DATABASE_URL_FILE',
    'CORS_ALLOWED_ORIGINS',
  ];
  return Object.fromEntries(
    Object.entries({ ...process.env, ...ctx.env, RUST_LOG: 'info', RUST_BACKTRACE: '0' }).filter(
      ([key]) => !settings.includes(key) && !(db === 'sqlite' && key === 'DATABASE_URL'),
    ),
  );
}

async function smoke(ctx: StepContext, db: Database): Promise<void> {
  const bin = join(ctx.targetDir, 'debug', ctx.member.name);
  const cwd = mkdtempSync(join(tmpdir(), 'service-smoke-'));
  const env = defaultSettings(ctx, db);
  // A short shutdown: 1 s of draining with the listener open, then at most 3 s for connections.
  env['SHUTDOWN_DELAY_SECS'] = '1';
  env['DRAIN_TIMEOUT_SECS'] = '3';
  const defaultPort = ctx.member.options['port'] as number;
  // The default port unless something else holds it.
  const port = (await portFree(defaultPort)) ? defaultPort : await anyFreePort();
  if (port !== defaultPort) env['PORT'] = String(port);
  const base = `http://127.0.0.1:${port}`;

  // The release step of a rolling deploy; serve migrates at start only on SQLite by default.
  const migrated = await ctx.run(bin, ['migrate'], { cwd, env });
  assert.match(migrated, /migrations applied/);
  const child = spawn(bin, [], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) => {
    child.on('exit', (code, signal) => {
      done({ code, signal, at: performance.now() });
    });
  });
  const failure = (message: string): Error => new Error(`${message}\n--- service log ---\n${log}`);
  try {
    for (let attempt = 0; ; attempt++) {
      const health = await fetch(`${base}/health`).catch(() => undefined);
      if (health?.status === 200) {
        assert.deepEqual(await health.json(), { status: 'ok' });
        break;
      }
      if (child.exitCode !== null) throw failure(`the service exited with ${child.exitCode} at startup`);
      if (attempt > 150) throw failure('the service did not answer /health within 30 s');
      await sleep(200);
    }
    const ready = await fetch(`${base}/ready`);
    if (ready.status !== 200) throw failure(`/ready answered ${ready.status}`);

    const json = { 'content-type': 'application/json' };
    const created = await fetch(`${base}/users`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'Ada', email: 'ada@example.com', age: 36 }),
    });
    if (created.status !== 201) throw failure(`POST /users answered ${created.status}: ${await created.text()}`);
    const user = (await created.json()) as { id: number };
    const location = created.headers.get('location');
    if (!location) throw failure('no Location header');
    const read = await fetch(new URL(location, base));
    assert.equal(read.status, 200);
    assert.deepEqual(await read.json(), user);

    // Counted by matched route, never by raw path.
    const scraped = await (await fetch(`${base}/metrics`)).text();
    if (!scraped.includes('http_requests_total{method="GET",route="/users/{id}",status="200"} 1'))
      throw failure(`/metrics lacks the GET of a user:\n${scraped}`);

    const malformed = await fetch(`${base}/users`, { method: 'POST', headers: json, body: '{"name": ' });
    assert.ok([400, 422].includes(malformed.status), `malformed JSON answered ${malformed.status}`);
    assert.equal(typeof ((await malformed.json()) as { error: unknown }).error, 'string');

    // A hung client: half a request head, never the rest. The header-read
    // timeout (10 s by default) is longer than the drain: only the drain deadline ends it.
    const hung = connect(port, '127.0.0.1');
    await new Promise((done, reject) => hung.once('connect', done).once('error', reject));
    hung.on('error', () => undefined);
    hung.write('GET /users HTTP/1.1\r\nhost: 127.0.0.1\r\n');

    // A slow request: the headers and part of the body, then SIGTERM, then the rest.
    const body = JSON.stringify({ name: 'Slow', email: 'slow@example.com' });
    const socket = connect(port, '127.0.0.1');
    await new Promise((done, reject) => socket.once('connect', done).once('error', reject));
    let response = '';
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    const closed = new Promise((done) => socket.once('close', done));
    socket.write(
      `POST /users HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    await sleep(300);
    child.kill('SIGTERM');
    const signalled = performance.now();
    await sleep(300);
    // Draining: /ready turns 503 at once while the listener still accepts.
    const draining = await fetch(`${base}/ready`).catch(() => undefined);
    if (draining?.status !== 503) throw failure(`/ready answered ${draining?.status ?? 'nothing'} while draining`);
    assert.equal(draining.headers.get('retry-after'), '1');
    await sleep(100);
    if (child.exitCode !== null) throw failure('the service exited with a request in flight');
    // `write`, not `end`: a half-closed connection is a client gone, and hyper drops it.
    socket.write(body.slice(10));
    await Promise.race([closed, sleep(10_000)]);
    assert.match(response, /^HTTP\/1\.1 201 /, `the in-flight request got: ${response}`);
    // 1 s delay + 3 s drain, which the hung client uses up, + at most 1 s to close the pool.
    const exit = await Promise.race([exited, sleep(8000).then(() => undefined)]);
    hung.destroy();
    if (!exit) throw failure('still running 8 s after SIGTERM: the hung client held the drain');
    if (exit.code !== 0) throw failure(`exited with ${exit.code ?? exit.signal} after SIGTERM`);
    const took = exit.at - signalled;
    assert.ok(took < 6000, `exited ${Math.round(took)} ms after SIGTERM, past the drain deadline`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** The package of the combination's `--queue postgres` worker when the service is on PostgreSQL: its jobs go there. */
function queueWorkerBeside(ctx: Pick<StepContext, 'combination' | 'member'>): string | undefined {
  const worker = ctx.combination.members.find((m) => m.kind === 'worker' && m.options['queue'] === 'postgres');
  if (!worker || ctx.member.options['db'] !== 'postgres') return undefined;
  return ctx.member.name.replace(/-service$/, '-worker');
}

/**
 * The service and two consumer processes of the worker on one database: jobs
 * posted to the service are done by the consumers and read back done, with
 * the worker's statistics as the result; SIGTERM stops all three with 0.
 */
async function jobsThroughTheQueue(ctx: StepContext, worker: string): Promise<void> {
  const bin = join(ctx.targetDir, 'debug', ctx.member.name);
  const env: Record<string, string> = { ...defaultSettings(ctx, 'postgres'), RUST_LOG: 'warn' };
  const port = await anyFreePort();
  env['PORT'] = String(port);
  env['SHUTDOWN_DELAY_SECS'] = '0';
  const base = `http://127.0.0.1:${port}`;
  // One migrate for both: the service's tables and the queue's.
  await ctx.run(bin, ['migrate'], { env });
  const consumer = () =>
    spawn(join(ctx.targetDir, 'debug', worker), ['consume', '--threads', '1'], {
      env: { ...env, QUEUE_POLL_MS: '200' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  const children = [spawn(bin, [], { env, stdio: ['ignore', 'ignore', 'pipe'] }), consumer(), consumer()];
  let log = '';
  for (const child of children) child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exits = children.map(
    (child) =>
      new Promise<number | null>((done) => {
        child.on('exit', (code) => {
          done(code);
        });
      }),
  );
  const failure = (message: string): Error => new Error(`${message}\n--- log ---\n${log}`);
  try {
    const ready = (): Promise<boolean> =>
      fetch(`${base}/ready`).then(
        (response) => response.ok,
        () => false,
      );
    for (let attempt = 0; !(await ready()); attempt++) {
      if (attempt > 150) throw failure('the service was not ready within 30 s');
      await sleep(200);
    }
    const texts = Array.from({ length: 12 }, (_, i) => `${'to be or not to be '.repeat(i + 1)}that is job ${i}`);
    const ids: number[] = [];
    for (const text of texts) {
      const posted = await fetch(`${base}/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      });
      if (posted.status !== 202) throw failure(`POST /jobs answered ${posted.status}: ${await posted.text()}`);
      ids.push(((await posted.json()) as { id: number }).id);
    }
    const deadline = performance.now() + 30_000;
    for (const [i, id] of ids.entries()) {
      for (;;) {
        const job = (await (await fetch(`${base}/jobs/${id}`)).json()) as {
          status: string;
          attempts: number;
          result?: { words?: number };
          error?: string;
        };
        if (job.status === 'done') {
          assert.equal(job.result?.words, 6 * (i + 1) + 4, `the words of job ${id}`);
          assert.equal(job.attempts, 1);
          break;
        }
        if (job.status === 'failed') throw failure(`job ${id} failed: ${job.error ?? ''}`);
        if (performance.now() > deadline) throw failure(`job ${id} still ${job.status} after 30 s`);
        await sleep(100);
      }
    }
    for (const child of children) child.kill('SIGTERM');
    const codes = await Promise.race([Promise.all(exits), sleep(15_000).then(() => undefined)]);
    if (!codes) throw failure('the service or a consumer was still running 15 s after SIGTERM');
    assert.deepEqual(codes, [0, 0, 0], `exit statuses after SIGTERM\n${log}`);
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
