/**
 * `npm run sqlx:prepare`: writes the offline query data of the service's
 * checked queries, `templates/service/sqlx/<db>/query-<hash>.json`, which the
 * generator copies into a checked workspace's `.sqlx/`. For each database it
 * generates a checked service, applies its migrations to a fresh database on
 * the real server (MySQL's in utf8mb4, so the data fits MariaDB and MySQL
 * alike), runs `cargo sqlx prepare` there and copies the result back. Run it
 * after changing a checked query or a migration; the e2e's `sqlx checks` step
 * fails until then.
 *
 * Needs sqlx-cli from .ci/setup.d/sqlx.sh and the servers of the e2e
 * (E2E_POSTGRES, E2E_MYSQL); `--only <db>` limits it to one database.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DB, type Database } from '../../generators/service/member.js';
import { PACKAGE_ROOT, templatesDir } from '../../lib/paths.js';
import { TOOLS } from '../../lib/versions.js';
import { run } from '../process.js';
import { server } from './members/service.js';

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const cache = process.env['RUST_PATTERNS_CACHE'] ?? join(homedir(), '.cache', 'generator-rust-patterns');
const sqlxBin = join(cache, `sqlx-cli-${TOOLS['sqlx-cli'].version}`, 'bin');
const targetDir = process.env['CARGO_TARGET_DIR'] ?? join(homedir(), '.cache', 'generator-rust-patterns', 'target');
const bin = join(PACKAGE_ROOT, 'dist', 'bin', 'rust-patterns.js');

async function prepare(db: Database): Promise<void> {
  const parent = mkdtempSync(join(tmpdir(), `sqlx-prepare-${db}-`));
  const name = `sqlx_prepare_${process.pid}`;
  const env = { CARGO_TARGET_DIR: targetDir, PATH: `${sqlxBin}:${process.env['PATH'] ?? ''}`, SQLX_OFFLINE: 'false' };
  const ctx = { run: (command: string, args: readonly string[]) => run(command, args).then((r) => r.stdout) };
  const srv = db === 'sqlite' ? undefined : server(db);
  try {
    await run(
      process.execPath,
      [bin, 'app', 'ws', '--members=service', `--db=${db}`, '--queries=checked', '--defaults', '--skip-install', '--skip-git'],
      {
        cwd: parent,
      },
    );
    const member = join(parent, 'ws', 'crates', 'service');
    let url: string;
    if (srv) {
      await srv.sql(ctx, db === 'mysql' ? `CREATE DATABASE ${name} CHARACTER SET utf8mb4` : `CREATE DATABASE ${name}`);
      url = srv.url(name);
    } else {
      url = `sqlite://${join(parent, 'schema.db')}`;
      await run('cargo', ['sqlx', 'database', 'create'], { cwd: member, env: { ...env, DATABASE_URL: url } });
    }
    await run('cargo', ['sqlx', 'migrate', 'run', '--source', 'migrations'], { cwd: member, env: { ...env, DATABASE_URL: url } });
    await run('cargo', ['sqlx', 'prepare'], { cwd: member, env: { ...env, DATABASE_URL: url } });
    const out = join(templatesDir('service'), 'sqlx', db);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const files = readdirSync(join(member, '.sqlx')).filter((f) => f.endsWith('.json'));
    // MySQL's data names each column's table as `<database>.<table>`: the
    // template names the database after the crate, as the generated CI's is.
    for (const file of files) {
      const data = readFileSync(join(member, '.sqlx', file), 'utf8');
      writeFileSync(join(out, file), db === 'mysql' ? data.replaceAll(`"${name}.`, '"<%= crate %>.') : data);
    }
    console.log(`${db}: ${files.length} queries -> templates/service/sqlx/${db}/`);
  } finally {
    if (srv) await srv.sql(ctx, srv.drop(name));
    rmSync(parent, { recursive: true, force: true });
  }
}

if (!existsSync(join(sqlxBin, 'cargo-sqlx'))) throw new Error(`no sqlx-cli in ${sqlxBin}: run .ci/setup.d/sqlx.sh`);
if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`);
for (const choice of DB.choices) if (only === undefined || only === choice.value) await prepare(choice.value);
