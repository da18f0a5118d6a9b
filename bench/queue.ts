/**
 * 7. Worker queue: the PostgreSQL job queue of `--queue postgres` (issue 17).
 *
 * Generates a workspace with the queue worker, builds it in release, and on a
 * database of its own:
 *
 * - throughput: N CPU-bound jobs (the batch mode's word statistics of one
 *   text each) drained by 1 consumer process and by 2, each with one Rayon
 *   thread, alternately; the figure is the median of t(1)/t(2) (goal ≥ 1.8×
 *   on 2 cores);
 * - latency when idle: small jobs enqueued one at a time into a waiting
 *   consumer; enqueue-to-done is the row's `updated_at - created_at`, stamped
 *   by the server itself (p50, p99);
 * - cost per job: the same texts as files through the batch mode
 *   (`<worker> <dir> --threads 1`), against 1 consumer process.
 *
 *   npm run build && node --import tsx/esm bench/queue.ts      # this section alone
 *
 * Settings: BENCH_QUEUE_JOBS (CPU-bound jobs, 200), BENCH_QUEUE_WORDS (words
 * per job, 150000), BENCH_QUEUE_REPS (pairs, 3), BENCH_QUEUE_LATENCY_JOBS
 * (100), BENCH_PG_URL (server URL without a database), BENCH_DIR.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BIN,
  alternate,
  atLeast,
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
import { corpusFile } from './worker.js';

const GOAL = 1.8;
const WS = 'qbench';
const MEMBER = `${WS}-worker`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The `q`-th quantile (0..1) of `values`, nearest rank. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

export async function queue(): Promise<SectionResult> {
  const result = section('queue', 'Worker queue');
  const jobs = intSetting('BENCH_QUEUE_JOBS', 200);
  const words = intSetting('BENCH_QUEUE_WORDS', 150_000);
  const reps = intSetting('BENCH_QUEUE_REPS', 3);
  const latencyJobs = intSetting('BENCH_QUEUE_LATENCY_JOBS', 100);
  const server = textSetting('BENCH_PG_URL', 'postgres://postgres:postgres@127.0.0.1:5432');
  if (!(await hasCommand('psql'))) {
    result.notes.push('Skipped: psql is missing.');
    return result;
  }
  try {
    await run('psql', [`${server}/postgres`, '-qAt', '-c', 'SELECT 1']);
  } catch (error) {
    result.notes.push(`Skipped: no PostgreSQL at ${server} (${(error as Error).message.split('\n')[0]}).`);
    return result;
  }

  const dir = freshDir('queue');
  log('queue: generating the workspace');
  await run(
    process.execPath,
    [BIN, 'app', WS, '--members=worker', '--queue=postgres', '--defaults', '--skip-install', '--skip-git'],
    {
      cwd: dir,
    },
  );
  const workspace = join(dir, WS);
  const env = { CARGO_TARGET_DIR: join(dir, 'target'), CARGO_TERM_COLOR: 'never' };
  log('queue: cargo build --release (cold)');
  const build = await run('cargo', ['build', '--release', '-p', MEMBER], { cwd: workspace, env });
  const crates = (build.stderr.match(/^\s+Compiling /gm) ?? []).length;
  result.notes.push(`Cold \`cargo build --release -p ${MEMBER}\`: ${fmtSeconds(build.seconds)}, ${crates} crates compiled.`);
  const bin = join(dir, 'target', 'release', MEMBER);

  const database = `qbench_${process.pid}`;
  const url = `${server}/${database}`;
  const admin = (sql: string) => run('psql', [`${server}/postgres`, '-qAt', '-c', sql]);
  const sql = async (statement: string): Promise<string> => (await run('psql', [url, '-qAt', '-c', statement])).stdout.trim();
  await admin(`DROP DATABASE IF EXISTS ${database}`);
  await admin(`CREATE DATABASE ${database}`);
  const consumers: ChildProcess[] = [];
  const startConsumer = (): ChildProcess => {
    const child = spawn(bin, ['consume', '--threads', '1'], {
      env: { ...process.env, DATABASE_URL: url, RUST_LOG: 'warn', QUEUE_CONCURRENCY: '1', QUEUE_POLL_MS: '1000' },
      stdio: 'ignore',
    });
    consumers.push(child);
    return child;
  };
  const stopConsumers = async (): Promise<void> => {
    const running = consumers.splice(0).filter((c) => c.exitCode === null);
    await Promise.all(
      running.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => {
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  };
  const count = async (status: string): Promise<number> =>
    Number(await sql(`SELECT count(*) FROM jobs WHERE status = '${status}'`));

  try {
    // The first consumer creates the table (its migrate at start).
    startConsumer();
    for (let i = 0; i < 100 && (await sql("SELECT to_regclass('jobs') IS NOT NULL")) !== 't'; i++) await sleep(100);
    await stopConsumers();

    // The same texts as the batch mode's files and as jobs (COPY's text format: \\ \n \t escaped).
    const texts = freshDir('queue', 'texts');
    const rows: string[] = [];
    for (let i = 0; i < jobs; i++) {
      const text = corpusFile(i, words);
      writeFileSync(join(texts, `job-${String(i).padStart(4, '0')}.txt`), text);
      // max_attempts has no default: `queue::NewJob` always sets it (DEFAULT_MAX_ATTEMPTS, 5).
      rows.push(`${text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\t', '\\t')}\t5`);
    }
    const copyFile = join(freshDir('queue', 'copy'), 'jobs.tsv');
    writeFileSync(copyFile, `${rows.join('\n')}\n`);
    /**
     * Seconds from the moment every job is committed to the last one done,
     * with `processes` consumers started (and listening) beforehand: both ends
     * are PostgreSQL's clock, so neither process start-up nor the polling
     * here counts.
     */
    const drain = async (processes: number): Promise<number> => {
      await sql('TRUNCATE jobs');
      for (let i = 0; i < processes; i++) startConsumer();
      await sleep(1500);
      const copied = await run('psql', [
        url,
        '-qAt',
        '-c',
        `\\copy jobs (text, max_attempts) FROM '${copyFile}'`,
        '-c',
        "SELECT extract(epoch FROM clock_timestamp()), pg_notify('jobs_queued', '')",
      ]);
      const committed = Number(copied.stdout.trim().split('\n').at(-1)?.split('|')[0]);
      while ((await count('done')) < jobs) {
        if ((await count('failed')) > 0) {
          throw new Error(
            `queue bench: a job failed: ${await sql("SELECT last_error FROM jobs WHERE status = 'failed' LIMIT 1")}`,
          );
        }
        await sleep(200);
      }
      const finished = Number(await sql('SELECT extract(epoch FROM max(updated_at)) FROM jobs'));
      await stopConsumers();
      return finished - committed;
    };

    log(`queue: ${reps} pairs of 1 / 2 consumer processes draining ${jobs} jobs of ${words} words`);
    await drain(1); // warm-up
    const pairs = await alternate(
      reps,
      () => drain(1),
      () => drain(2),
    );
    const speedup = median(pairs.ratios);
    result.figures.push({
      name: `throughput, 2 consumer processes over 1 (1 thread each, ${jobs} CPU-bound jobs)`,
      ours: `${(jobs / median(pairs.b)).toFixed(0)} jobs/s (2 processes)`,
      reference: `${(jobs / median(pairs.a)).toFixed(0)} jobs/s (1 process)`,
      ratio: speedup,
      goal: `≥ ${GOAL}× on 2 cores`,
      met: os.availableParallelism() === 2 ? atLeast(GOAL)(speedup) : undefined,
      note: `pair ratios ${fmtSpread(pairs.ratios, fmtRatio)}`,
    });

    log('queue: the same texts through the batch mode, alternating with 1 consumer');
    const batch = async (): Promise<number> => (await run(bin, [texts, '--threads', '1', '--format', 'json', '--quiet'])).seconds;
    const cost = await alternate(reps, () => drain(1), batch);
    const perJob = (seconds: number): number => (seconds / jobs) * 1000;
    result.figures.push({
      name: 'cost per job: queue (1 consumer, 1 thread) against the batch mode (1 thread)',
      ours: `${perJob(median(cost.a)).toFixed(2)} ms/job`,
      reference: `${perJob(median(cost.b)).toFixed(2)} ms/job batch`,
      ratio: median(cost.ratios),
      note: `queue overhead ${(perJob(median(cost.a)) - perJob(median(cost.b))).toFixed(2)} ms/job; pair ratios ${fmtSpread(cost.ratios, fmtRatio)}`,
    });

    log(`queue: latency of ${latencyJobs} small jobs into an idle consumer`);
    await sql('TRUNCATE jobs');
    startConsumer();
    await sleep(1500);
    for (let i = 0; i < latencyJobs; i++) {
      // As `queue::enqueue` does: the row, then NOTIFY to wake the consumer.
      await sql(
        `WITH j AS (INSERT INTO jobs (text, max_attempts) VALUES ('one small job ${i}', 5) RETURNING id) SELECT pg_notify('jobs_queued', id::text) FROM j`,
      );
      await sleep(50);
    }
    while ((await count('done')) < latencyJobs) await sleep(20);
    await stopConsumers();
    const latencies = (await sql("SELECT extract(epoch FROM updated_at - created_at) * 1000 FROM jobs WHERE status = 'done'"))
      .split('\n')
      .map(Number);
    result.figures.push({
      name: 'enqueue-to-done latency, idle consumer (LISTEN/NOTIFY)',
      ours: `p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms`,
      reference: '',
      note: `${latencies.length} jobs, one every 50 ms; the poll interval (1000 ms) is the bound without NOTIFY`,
    });
  } finally {
    await stopConsumers();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }

  result.method.push(
    `A workspace with the queue worker (\`rust-patterns app ${WS} --members worker --queue postgres\`), built with \`cargo build --release\`; a database of its own on the local PostgreSQL.`,
    `Throughput: ${jobs} jobs of ${words} words each (the worker's own corpus generator) copied into the table in one transaction while 1 or 2 \`${MEMBER} consume --threads 1\` processes (QUEUE_CONCURRENCY=1) wait on it; time from the commit to the last \`updated_at\` of a done job, both read from PostgreSQL's clock (process start-up and this script's polling do not count). ${reps} pairs, alternating; one warm-up drain first.`,
    `Cost per job: the same ${jobs} texts as files through \`${MEMBER} <dir> --threads 1\`, alternating with a 1-process drain.`,
    `Latency: ${latencyJobs} one-line jobs, one every 50 ms, each inserted with \`pg_notify\` as \`queue::enqueue\` does, into one waiting consumer; enqueue-to-done = \`updated_at - created_at\`, both stamped by PostgreSQL.`,
  );
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await queue();
  console.log(JSON.stringify(result, null, 2));
}
