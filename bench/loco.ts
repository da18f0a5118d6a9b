/**
 * 7. The service beside loco, the Rails-like framework a team might pick
 * instead: loco's own generator (`loco new`, installed from crates.io at the
 * version of lib/versions.ts) makes its API starter on SQLite.
 *
 * - Cold `cargo build` (dev profile, each in a private CARGO_TARGET_DIR, after
 *   `cargo fetch`): seconds and crates compiled, of our service and of loco's
 *   starter as each generator writes it.
 * - The rebuild after touching one handler (ours src/routes/users.rs, loco's
 *   src/controllers/auth.rs), BENCH_INCR_REPS times each.
 * - `GET` of one row: release builds, both on SQLite with 10 pooled
 *   connections, one seeded user each, wrk alternating (the runtime
 *   section's settings); loco's read is the show action its scaffold writes.
 *
 * Settings: BENCH_LOCO_VERSION overrides the pinned loco; BENCH_INCR_REPS,
 * BENCH_WRK_DURATION, BENCH_WRK_REPS, BENCH_WRK_CONNECTIONS, BENCH_WRK_THREADS.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TOOLS } from '../lib/versions.js';
import {
  BIN,
  alternate,
  atMost,
  fmtRatio,
  fmtSeconds,
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
import { coldBuild, rebuildsAfterEdits } from './build.js';
import { startServer, stopServer, wrk, wrkSettings, type Server } from './runtime.js';

const WS = 'lws';
const SERVICE = `${WS}-service`;
const LOCO_APP = 'lapp';
/** Goals of issue 16: at most half of loco's cold build and rebuild times, and more requests per second. */
const BUILD_GOAL = 0.5;
const RPS_GOAL = 1.0;

/**
 * loco's starter has a users table but no public read of one row, and its
 * scaffold generator needs sea-orm-cli; this is the show action the scaffold
 * writes (find by id, JSON), on that table.
 */
const LOCO_ROW_CONTROLLER = `//! GET of one user by id, for the benchmark: the show action loco's scaffold writes.
use loco_rs::prelude::*;

use crate::models::_entities::users;

#[debug_handler]
pub async fn show(Path(id): Path<i64>, State(ctx): State<AppContext>) -> Result<Response> {
    let user = users::Entity::find_by_id(id)
        .one(&ctx.db)
        .await?
        .ok_or(Error::NotFound)?;
    format::json(serde_json::json!({ "id": user.id, "name": user.name, "email": user.email }))
}

pub fn routes() -> Routes {
    Routes::new().prefix("api/rows").add("/{id}", get(show))
}
`;
const LOCO_ROW_PATH = '/api/rows/1';

function addRowController(app: string): void {
  writeFileSync(join(app, 'src', 'controllers', 'rows.rs'), LOCO_ROW_CONTROLLER);
  const mod = join(app, 'src', 'controllers', 'mod.rs');
  writeFileSync(mod, `${readFileSync(mod, 'utf8').trimEnd()}\npub mod rows;\n`);
  const appFile = join(app, 'src', 'app.rs');
  const text = readFileSync(appFile, 'utf8');
  const anchor = '.add_route(controllers::auth::routes())';
  if (!text.includes(anchor)) throw new Error(`loco's src/app.rs has no \`${anchor}\` to add the row route after`);
  writeFileSync(appFile, text.replace(anchor, `${anchor}\n            .add_route(controllers::rows::routes())`));
}

/** The loco CLI at the pinned version, installed into the cache on first use (a few minutes, once). */
async function locoCli(version: string): Promise<string> {
  const root = join(homedir(), '.cache', 'generator-rust-patterns', `loco-${version}`);
  const bin = join(root, 'bin', 'loco');
  if (!existsSync(bin)) {
    log(`loco: cargo install loco --version ${version} (once; cached in ${root})`);
    await run('cargo', ['install', 'loco', '--locked', '--version', version, '--root', root], {
      env: { CARGO_TARGET_DIR: join(root, 'target') },
      timeout: 1800,
    });
  }
  return bin;
}

export async function loco(): Promise<SectionResult> {
  const result = section('loco', 'Service vs loco');
  const version = textSetting('BENCH_LOCO_VERSION', TOOLS.loco.version);
  const reps = Math.max(1, intSetting('BENCH_INCR_REPS', 3));
  const root = freshDir('loco');

  // Our service, as `rust-patterns app` writes it.
  await run(process.execPath, [BIN, 'app', WS, '--members', 'service', '--defaults', '--skip-install', '--skip-git'], {
    cwd: root,
  });
  const ours = join(root, WS);
  // loco's API starter on SQLite, as `loco new` writes it (outside any git repository: loco asks otherwise).
  const cli = await locoCli(version);
  await run(cli, ['new', '-n', LOCO_APP, '--db', 'sqlite', '--bg', 'async', '--assets', 'none'], {
    cwd: root,
  });
  const theirs = join(root, LOCO_APP);

  log('loco: cold builds (dev profile, private target directories)');
  const ourTarget = join(root, 'target-ours');
  const theirTarget = join(root, 'target-loco');
  await run('cargo', ['fetch'], { cwd: ours, timeout: 900 });
  await run('cargo', ['fetch'], { cwd: theirs, timeout: 900 });
  const ourBuild = await coldBuild(ours, ourTarget);
  const theirBuild = await coldBuild(theirs, theirTarget);
  const buildRatio = ourBuild.seconds / theirBuild.seconds;
  result.figures.push(
    {
      name: 'cold build time (dev profile)',
      ours: fmtSeconds(ourBuild.seconds),
      reference: `${fmtSeconds(theirBuild.seconds)} loco ${version}`,
      ratio: buildRatio,
      goal: `≤ ${BUILD_GOAL}×`,
      met: atMost(BUILD_GOAL)(buildRatio),
      note: 'one cold build each, one after the other',
    },
    {
      name: 'crates compiled',
      ours: String(ourBuild.crates),
      reference: `${theirBuild.crates} loco`,
      ratio: ourBuild.crates / theirBuild.crates,
    },
  );

  log(`loco: ${reps} rebuild(s) each after touching one handler`);
  const ourRebuilds = await rebuildsAfterEdits(
    ours,
    join(ours, 'crates', 'service', 'src', 'routes', 'users.rs'),
    ourTarget,
    reps,
  );
  const theirRebuilds = await rebuildsAfterEdits(theirs, join(theirs, 'src', 'controllers', 'auth.rs'), theirTarget, reps);
  const rebuildRatio = median(ourRebuilds) / median(theirRebuilds);
  result.figures.push({
    name: 'rebuild after touching one handler',
    ours: fmtSeconds(median(ourRebuilds)),
    reference: `${fmtSeconds(median(theirRebuilds))} loco`,
    ratio: rebuildRatio,
    goal: `≤ ${BUILD_GOAL}×`,
    met: atMost(BUILD_GOAL)(rebuildRatio),
    note: `ours ${fmtSpread(ourRebuilds, fmtSeconds)}, loco ${fmtSpread(theirRebuilds, fmtSeconds)}`,
  });

  if (!(await hasCommand('wrk'))) {
    result.notes.push('GET of one row skipped: wrk is not installed (.ci/setup.d/bench.sh installs it).');
  } else {
    await compareOneRow(result, root, ours, theirs);
  }

  result.method.push(
    `Ours: \`rust-patterns app ${WS} --members service --defaults\` (SQLite). loco: \`loco new -n ${LOCO_APP} --db sqlite --bg async --assets none\` from the loco ${version} CLI (crates.io), its API starter (users and JWT auth, no views, no assets).`,
    'Cold builds: `cargo fetch` first (not timed), then `cargo build` in a fresh private CARGO_TARGET_DIR each; crates compiled = `Compiling` lines. One build each (minutes for loco), run one after the other on the same machine.',
    `Rebuilds: a comment inserted at the top of ours src/routes/users.rs and loco's src/controllers/auth.rs, then \`cargo build\`, ${reps} time(s) each; medians.`,
    "GET of one row: on loco's users table, the show action its scaffold writes (bench/loco.ts: find by id, JSON; the scaffold generator itself needs sea-orm-cli), both built with `cargo build --release`, both on SQLite with a pool of 10 (loco's `DB_MAX_CONNECTIONS`, our `DATABASE_MAX_CONNECTIONS`), loco at LOG_LEVEL=error and ours at its default filter (neither writes a line per request); one user created through each API (our POST /users, loco's POST /api/auth/register), then wrk on `GET /users/1` and `GET /api/rows/1` alternating.",
  );
  return result;
}

/** Release builds of both, one seeded row each, wrk on a GET of that row, alternating. */
async function compareOneRow(result: SectionResult, root: string, ours: string, theirs: string): Promise<void> {
  const theirTarget = join(root, 'target-loco-release');
  const ourTarget = join(root, 'target-ours-release');
  const env = (target: string) => ({ CARGO_TARGET_DIR: target, CARGO_TERM_COLOR: 'never' });
  log("loco: a show action on loco's users table, release builds");
  addRowController(theirs);
  await run('cargo', ['build', '--release'], { cwd: theirs, env: env(theirTarget), timeout: 3600 });
  await run('cargo', ['build', '--release', '-p', SERVICE], { cwd: ours, env: env(ourTarget), timeout: 3600 });

  const data = join(root, 'data');
  mkdirSync(data, { recursive: true });
  const servers: Server[] = [];
  try {
    const ourServer = await startServer(
      join(ourTarget, 'release', SERVICE),
      { DATABASE_URL: `sqlite://${join(data, 'ours.db')}`, DATABASE_MAX_CONNECTIONS: '10' },
      data,
    );
    servers.push(ourServer);
    const theirServer = await startServer(
      join(theirTarget, 'release', `${LOCO_APP}-cli`),
      {
        DATABASE_URL: `sqlite://${join(data, 'loco.sqlite')}?mode=rwc`,
        DB_MAX_CONNECTIONS: '10',
        LOG_LEVEL: 'error',
        BINDING: '127.0.0.1',
      },
      theirs,
      { args: ['start', '-e', 'development'], healthPath: '/_ping' },
    );
    servers.push(theirServer);
    const user = { name: 'User 1', email: 'user1@example.com' };
    for (const [url, path, body] of [
      [ourServer.url, '/users', { ...user, age: 30 }],
      [theirServer.url, '/api/auth/register', { ...user, password: 'correct horse battery staple' }],
    ] as const) {
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
    }
    const settings = wrkSettings();
    const reps = Math.max(1, intSetting('BENCH_WRK_REPS', 3));
    log(`loco: GET of one row, ${reps} pair(s) of ${settings.duration} s wrk runs`);
    const warm = { ...settings, duration: Math.min(2, settings.duration) };
    await wrk(ourServer.url, warm, '/users/1');
    await wrk(theirServer.url, warm, LOCO_ROW_PATH);
    const pairs = await alternate(
      reps,
      async () => (await wrk(ourServer.url, settings, '/users/1')).rps,
      async () => (await wrk(theirServer.url, settings, LOCO_ROW_PATH)).rps,
    );
    const ratio = median(pairs.ratios);
    const rps = (v: number): string => `${Math.round(v).toLocaleString('en-US')} req/s`;
    result.figures.push({
      name: 'GET of one row on SQLite: throughput',
      ours: rps(median(pairs.a)),
      reference: `${rps(median(pairs.b))} loco`,
      ratio,
      goal: `> ${RPS_GOAL}×`,
      met: ratio > RPS_GOAL,
      ...(reps > 1 ? { note: `pair ratios ${fmtSpread(pairs.ratios, fmtRatio)}` } : {}),
    });
  } finally {
    for (const server of servers) await stopServer(server);
  }
}
