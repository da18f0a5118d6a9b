/**
 * 3. Runtime of the service: wrk against release builds, on loopback, of the
 * generated service and of a bare axum reference (bench/reference/) built in
 * the same workspace from the same dependency entries.
 *
 * - `GET /health` against a bare handler returning the same body, with the
 *   service's default log filter (info: requests are traced at debug, so not
 *   logged) and with every request logged (RUST_LOG=info,tower_http=debug,
 *   <crate>=debug, to /dev/null).
 * - `GET /users/{id}` (ids drawn at random from the seeded users) on each
 *   database in BENCH_RUNTIME_DBS, against a bare handler running the same
 *   sqlx query on a pool of the same size (DATABASE_MAX_CONNECTIONS, 10).
 *
 * Settings: BENCH_WRK_DURATION (seconds per run, default 6), BENCH_WRK_REPS
 * (runs per side, alternating; default 3), BENCH_WRK_CONNECTIONS (32),
 * BENCH_WRK_THREADS (1), BENCH_RUNTIME_DBS (sqlite,postgres), BENCH_USERS
 * (seeded users, 1000), BENCH_PG_URL (server URL without a database,
 * default postgres://postgres:postgres@127.0.0.1:5432).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  BIN,
  PACKAGE_ROOT,
  alternate,
  atLeast,
  fmtRatio,
  fmtSpread,
  freshDir,
  hasCommand,
  intSetting,
  log,
  median,
  run,
  section,
  textSetting,
  type SectionResult,
} from './lib.js';

const WS = 'rws';
const SERVICE = `${WS}-service`;
const REFERENCE = 'bench-reference';
const HEALTH_GOAL = 0.95;
/** The filter that logs one line per request, as the service's .env.example has it. */
const REQUEST_LOG_FILTER = `info,tower_http=debug,${SERVICE.replaceAll('-', '_')}=debug`;
const USERS_GOAL = 0.9;

type Db = 'sqlite' | 'postgres' | 'mysql';

/** The reference's database module: the service's query and pool options (crates/service/src/db.rs). */
const REFERENCE_DB: Record<Db, string> = {
  sqlite: `use std::str::FromStr;
use std::time::Duration;
use sqlx::pool::PoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
pub type Db = sqlx::Sqlite;
pub type DbPool = sqlx::Pool<Db>;
pub const SELECT_USER: &str = "SELECT id, name, email, age FROM users WHERE id = ?";
pub async fn connect(url: &str, max: u32) -> Result<DbPool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(5));
    PoolOptions::new().max_connections(max).acquire_timeout(Duration::from_secs(5)).connect_with(options).await
}
`,
  postgres: `use std::time::Duration;
use sqlx::pool::PoolOptions;
pub type Db = sqlx::Postgres;
pub type DbPool = sqlx::Pool<Db>;
pub const SELECT_USER: &str = "SELECT id, name, email, age FROM users WHERE id = $1";
pub async fn connect(url: &str, max: u32) -> Result<DbPool, sqlx::Error> {
    PoolOptions::new().max_connections(max).acquire_timeout(Duration::from_secs(5)).connect(url).await
}
`,
  mysql: `use std::time::Duration;
use sqlx::pool::PoolOptions;
pub type Db = sqlx::MySql;
pub type DbPool = sqlx::Pool<Db>;
pub const SELECT_USER: &str = "SELECT id, name, email, age FROM users WHERE id = ?";
pub async fn connect(url: &str, max: u32) -> Result<DbPool, sqlx::Error> {
    PoolOptions::new().max_connections(max).acquire_timeout(Duration::from_secs(5)).connect(url).await
}
`,
};

/** The service member's [dependencies] entries the reference needs, verbatim. */
function referenceDependencies(serviceManifest: string): string {
  const section = /\n\[dependencies\]\n([\s\S]*?)(\n\[|$)/.exec(serviceManifest)?.[1] ?? '';
  const wanted = ['axum', 'serde', 'sqlx', 'tokio'];
  const lines = section
    .split('\n')
    .filter((line) => wanted.some((name) => line.startsWith(`${name} `) || line.startsWith(`${name}.`)));
  if (lines.length !== wanted.length)
    throw new Error(`expected entries for ${wanted.join(', ')} in the service manifest, found:\n${lines.join('\n')}`);
  return lines.map((l) => l.replace(/,?\s*optional = true/, '')).join('\n');
}

/** Adds the reference crate to the generated workspace, as a member. */
function addReference(workspace: string, db: Db): void {
  const dir = join(workspace, 'bench-reference');
  cpSync(join(PACKAGE_ROOT, 'bench', 'reference'), dir, { recursive: true });
  const deps = referenceDependencies(readFileSync(join(workspace, 'crates', 'service', 'Cargo.toml'), 'utf8'));
  writeFileSync(join(dir, 'Cargo.toml'), `${readFileSync(join(dir, 'Cargo.toml'), 'utf8').trimEnd()}\n${deps}\n`);
  writeFileSync(join(dir, 'src', 'db.rs'), REFERENCE_DB[db]);
  const root = join(workspace, 'Cargo.toml');
  const text = readFileSync(root, 'utf8');
  const updated = text.replace(/members = \[\n/, 'members = [\n    "bench-reference",\n');
  if (updated === text) throw new Error('cannot add the reference crate to the workspace members');
  writeFileSync(root, updated);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

export interface Server {
  readonly url: string;
  readonly child: ChildProcess;
  stderr: string;
}

/** Starts `bin` on a free port (PORT, HOST) and waits until `healthPath` answers 2xx. */
export async function startServer(
  bin: string,
  env: Record<string, string>,
  cwd: string,
  { args = [], healthPath = '/health' }: { readonly args?: readonly string[]; readonly healthPath?: string } = {},
): Promise<Server> {
  const port = await freePort();
  const child = spawn(bin, args, {
    cwd,
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port) },
    // Logs go to stdout: discarded, as a container runtime would take them off our hands.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const server: Server = { url: `http://127.0.0.1:${port}`, child, stderr: '' };
  child.stderr.on('data', (chunk: Buffer) => (server.stderr = (server.stderr + chunk.toString()).slice(-4000)));
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) throw new Error(`${bin} exited with ${child.exitCode}: ${server.stderr}`);
    try {
      if ((await fetch(`${server.url}${healthPath}`)).ok) return server;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${bin} did not answer ${healthPath} within 20 s: ${server.stderr}`);
}

export function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
    server.child.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    server.child.kill('SIGTERM');
  });
}

async function seed(url: string, users: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < users) {
      const i = next++;
      const response = await fetch(`${url}/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `User ${i}`, email: `user${i}@example.com`, age: 20 + (i % 50) }),
      });
      if (response.status !== 201) throw new Error(`POST /users answered ${response.status}: ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

interface Wrk {
  readonly rps: number;
  /** 99th percentile latency in milliseconds. */
  readonly p99: number;
}

const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };

export function parseWrk(output: string): Wrk {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(output);
  if (!rps || !p99) throw new Error(`cannot read wrk's output:\n${output}`);
  if (/Non-2xx or 3xx responses/.test(output)) throw new Error(`wrk saw error responses:\n${output}`);
  return { rps: Number(rps[1]), p99: Number(p99[1]) * UNITS[p99[2]!]! };
}

interface WrkSettings {
  readonly duration: number;
  readonly connections: number;
  readonly threads: number;
}

/** The wrk settings of the environment (BENCH_WRK_*). */
export function wrkSettings(): WrkSettings {
  return {
    duration: intSetting('BENCH_WRK_DURATION', 6),
    connections: intSetting('BENCH_WRK_CONNECTIONS', 32),
    threads: intSetting('BENCH_WRK_THREADS', 1),
  };
}

export async function wrk(url: string, settings: WrkSettings, path: string, lua?: string): Promise<Wrk> {
  const args = ['-t', String(settings.threads), '-c', String(settings.connections), '-d', `${settings.duration}s`, '--latency'];
  if (lua !== undefined) args.push('-s', lua);
  const result = await run('wrk', [...args, `${url}${path}`], { timeout: settings.duration + 30 });
  return parseWrk(result.stdout);
}

export async function runtime(): Promise<SectionResult> {
  const result = section('runtime', 'Service runtime');
  if (!(await hasCommand('wrk'))) {
    result.notes.push('Skipped: wrk is not installed (`apt-get install wrk`; .ci/setup.d/bench.sh does it).');
    return result;
  }
  const settings = wrkSettings();
  const reps = Math.max(1, intSetting('BENCH_WRK_REPS', 3));
  const users = Math.max(1, intSetting('BENCH_USERS', 1000));
  const dbs = textSetting('BENCH_RUNTIME_DBS', 'sqlite,postgres')
    .split(',')
    .filter((d): d is Db => d === 'sqlite' || d === 'postgres' || d === 'mysql');
  const pgServer = textSetting('BENCH_PG_URL', 'postgres://postgres:postgres@127.0.0.1:5432');
  const mysqlServer = textSetting('BENCH_MYSQL_URL', 'mysql://root@127.0.0.1:3306');
  const root = freshDir('runtime');
  const targetDir = join(root, 'target');
  const lua = join(root, 'users.lua');
  writeFileSync(
    lua,
    `-- A random seeded user per request.\nmath.randomseed(42)\nrequest = function()\n  return wrk.format(nil, "/users/" .. math.random(1, ${users}))\nend\n`,
  );

  const compare = async (
    name: string,
    /** Undefined for the configuration that is measured for information only. */
    goal: number | undefined,
    ours: Server,
    reference: Server,
    path: string,
    script?: string,
  ): Promise<void> => {
    log(`runtime: ${name}: ${reps} pair(s) of ${settings.duration} s wrk runs`);
    // Warm both sides (connections, caches) before measuring.
    const warm = { ...settings, duration: Math.min(2, settings.duration) };
    await wrk(ours.url, warm, path, script);
    await wrk(reference.url, warm, path, script);
    const p99 = { ours: [] as number[], reference: [] as number[] };
    const pairs = await alternate(
      reps,
      async () => {
        const r = await wrk(ours.url, settings, path, script);
        p99.ours.push(r.p99);
        return r.rps;
      },
      async () => {
        const r = await wrk(reference.url, settings, path, script);
        p99.reference.push(r.p99);
        return r.rps;
      },
    );
    const ratio = median(pairs.ratios);
    const rps = (v: number): string => `${Math.round(v).toLocaleString('en-US')} req/s`;
    const ms = (v: number): string => `${v.toFixed(2)} ms`;
    result.figures.push({
      name: `${name}: throughput`,
      ours: rps(median(pairs.a)),
      reference: `${rps(median(pairs.b))} bare axum`,
      ratio,
      ...(goal === undefined ? {} : { goal: `≥ ${goal}×`, met: atLeast(goal)(ratio) }),
      ...(reps > 1 ? { note: `pair ratios ${fmtSpread(pairs.ratios, fmtRatio)}` } : {}),
    });
    const p99Ratio = median(p99.reference.map((r, i) => r / p99.ours[i]!));
    result.figures.push({
      name: `${name}: p99 latency`,
      ours: ms(median(p99.ours)),
      reference: `${ms(median(p99.reference))} bare axum`,
      ratio: p99Ratio,
      ...(goal === undefined ? {} : { goal: `≥ ${goal}× (bare/ours)`, met: atLeast(goal)(p99Ratio) }),
    });
  };

  let healthDone = false;
  for (const db of dbs) {
    let databaseUrl: string;
    let cleanup = async (): Promise<void> => {};
    if (db === 'sqlite') {
      databaseUrl = `sqlite://${join(root, `${db}.db`)}`;
    } else if (db === 'postgres') {
      if (!(await hasCommand('psql'))) {
        result.notes.push('PostgreSQL skipped: psql is missing.');
        continue;
      }
      const name = `rp_bench_${process.pid}`;
      const admin = (sql: string): Promise<unknown> => run('psql', [`${pgServer}/postgres`, '-q', '-c', sql]);
      try {
        await admin(`DROP DATABASE IF EXISTS ${name}`);
        await admin(`CREATE DATABASE ${name}`);
      } catch (error) {
        result.notes.push(
          `PostgreSQL skipped: ${String(error instanceof Error ? error.message : error).split('\n')[0]} (start it with .ci/services).`,
        );
        continue;
      }
      databaseUrl = `${pgServer}/${name}`;
      cleanup = async () => {
        await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      };
    } else {
      const name = `rp_bench_${process.pid}`;
      const admin = (sql: string): Promise<unknown> => run('mariadb', ['-h', '127.0.0.1', '-u', 'root', '-e', sql]);
      try {
        await admin(`DROP DATABASE IF EXISTS ${name}; CREATE DATABASE ${name}`);
      } catch (error) {
        result.notes.push(`MySQL skipped: ${String(error instanceof Error ? error.message : error).split('\n')[0]}.`);
        continue;
      }
      databaseUrl = `${mysqlServer}/${name}`;
      cleanup = async () => {
        await admin(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
      };
    }

    const dir = join(root, db);
    mkdirSync(dir, { recursive: true });
    await run(
      process.execPath,
      [BIN, 'app', WS, '--members', 'service', '--db', db, '--defaults', '--skip-install', '--skip-git'],
      { cwd: dir },
    );
    const workspace = join(dir, WS);
    addReference(workspace, db);
    log(`runtime: ${db}: cargo build --release -p ${SERVICE} -p ${REFERENCE}`);
    const build = await run('cargo', ['build', '--release', '-p', SERVICE, '-p', REFERENCE], {
      cwd: workspace,
      env: { CARGO_TARGET_DIR: targetDir, CARGO_TERM_COLOR: 'never' },
    });
    result.notes.push(
      `${db}: release build of the service and the reference took ${build.seconds.toFixed(0)} s (shared target directory).`,
    );
    const bin = (name: string): string => join(targetDir, 'release', name);
    const env = { DATABASE_URL: databaseUrl, DATABASE_MAX_CONNECTIONS: '10' };
    // The release step of a deploy: on a database server, serving does not migrate by default.
    await run(bin(SERVICE), ['migrate'], { cwd: dir, env });
    const servers: Server[] = [];
    try {
      const ours = await startServer(bin(SERVICE), env, dir);
      servers.push(ours);
      await seed(ours.url, users);
      const logged = await startServer(bin(SERVICE), { ...env, RUST_LOG: REQUEST_LOG_FILTER }, dir);
      servers.push(logged);
      const reference = await startServer(bin(REFERENCE), env, dir);
      servers.push(reference);
      const check = await (await fetch(`${ours.url}/users/1`)).text();
      const checkRef = await (await fetch(`${reference.url}/users/1`)).text();
      if (check !== checkRef)
        throw new Error(`the service and the reference answer /users/1 differently: ${check} vs ${checkRef}`);

      if (!healthDone) {
        const body = await (await fetch(`${ours.url}/health`)).text();
        const refBody = await (await fetch(`${reference.url}/health`)).text();
        if (body !== refBody) throw new Error(`/health bodies differ: ${body} vs ${refBody}`);
        await compare('GET /health, default log filter', HEALTH_GOAL, ours, reference, '/health');
        await compare('GET /health, every request logged', undefined, logged, reference, '/health');
        healthDone = true;
      }
      await compare(`GET /users/{id} on ${db}, default log filter`, USERS_GOAL, ours, reference, '', lua);
      await compare(`GET /users/{id} on ${db}, every request logged`, undefined, logged, reference, '', lua);
    } finally {
      for (const server of servers) await stopServer(server);
      await cleanup();
    }
  }

  result.method.push(
    `Release builds (\`cargo build --release\`, the workspace profile: thin LTO) of the generated service (\`rust-patterns app ${WS} --members service --db <db>\`) ` +
      "and of bench/reference, a bare axum app added to the same workspace with the service's own axum, serde, sqlx and tokio entries, " +
      'so both use the same crates, versions and features. bench/reference has no middleware, tracing or error mapping; its `/users/{id}` runs the same SELECT on a pool with the same options and size (10).',
    `Both listen on 127.0.0.1; the service's logs go to /dev/null. ${users} users are created through \`POST /users\` first; ` +
      '`/users/{id}` runs pick a random seeded id per request (a wrk Lua script with a fixed seed). Both answer byte-identical bodies (checked).',
    `\`wrk -t${settings.threads} -c${settings.connections} -d${settings.duration}s --latency\`, one ${Math.min(2, settings.duration)} s warm-up run per side, ` +
      `then ${reps} runs per side alternating; throughput ratio = median of ours/bare per pair, p99 ratio = median of bare/ours (higher is better for both). ` +
      "wrk, the servers and the database share the machine's cores.",
    `Two configurations of the service: its default log filter (\`info\`: the trace layer works at debug level, so a request writes no line) and every request logged (\`RUST_LOG=${REQUEST_LOG_FILTER}\`: a span and one line per request, as .env.example suggests). The goals are for the default.`,
  );
  return result;
}
