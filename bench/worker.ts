/**
 * 6. Worker: the parallel speed-up of the generated worker on this machine's
 * cores (goal ≥ 1.8× on 2 cores).
 *
 * Generates a workspace holding the worker member, builds its binary in
 * release, writes a corpus of text files, then runs the binary on the corpus
 * with `--threads 1` and `--threads N` (N = available cores) alternately; the
 * figure is the median of the per-pair time ratios t(1)/t(N). The crate's own
 * divan benchmark (`cargo bench`: the same word statistics in one process,
 * sequential `iter` against `par_iter`) gives the in-process figure beside it.
 *
 *   npm run build && node --import tsx/esm bench/worker.ts      # this section alone, prints the figures
 *
 * The timed runs go in a session of their own at the highest priority the
 * user may set (autogroup and nice -19; as root): on a 2-core machine shared
 * with other work, a speed-up is only visible if both threads get a core.
 * BENCH_WORKER_PRIORITY=0 times them at normal priority instead.
 *
 * Settings: BENCH_WORKER_REPS (pairs, default 5), BENCH_WORKER_FILES (corpus
 * files, default 64), BENCH_WORKER_WORDS (words per file, default 150000),
 * BENCH_WORKER_PRIORITY (1), BENCH_DIR (scratch space).
 */
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
  type SectionResult,
} from './lib.js';

const GOAL = 1.8;

/** Seconds, or milliseconds below one second (divan's samples are tens of ms). */
const fmtTime = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(s < 0.1 ? 1 : 0)} ms` : fmtSeconds(s));
const WS = 'wbench';
const MEMBER = `${WS}-worker`;

/**
 * `command args` in a new session (so a new scheduler autogroup) raised to
 * nice -19 where permitted, else unchanged. Children inherit both.
 */
const RAISE =
  'echo -19 > /proc/self/autogroup 2>/dev/null; if nice -n -19 true 2>/dev/null; then exec nice -n -19 "$@"; else exec "$@"; fi';
function prioritized(raise: boolean, command: string, args: readonly string[]): [string, string[]] {
  return raise ? ['setsid', ['--wait', 'sh', '-c', RAISE, 'sh', command, ...args]] : [command, [...args]];
}

/** Deterministic text: a Zipf-like draw from a vocabulary of a few thousand words, twelve words a line. */
export function corpusFile(seed: number, words: number): string {
  let state = (seed * 0x9e3779b1 + 1) >>> 0;
  const next = (): number => {
    // xorshift32: enough to pick words, the same on every machine.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
  const common = 'the of and to in a is that for it as was with be by on not this are or from at which but have'.split(' ');
  const accented = ['café', 'naïve', 'Straße', 'über', 'façade', 'Ærø', 'νέο', 'Мир', '東京', 'Zürich'];
  const lines: string[] = [];
  let line: string[] = [];
  for (let i = 0; i < words; i++) {
    const r = next();
    // Half the words from a short common list, the rest spread over ~5,000 rarer ones.
    const word =
      r < 0.5
        ? common[Math.floor(next() * common.length)]!
        : r < 0.55
          ? accented[Math.floor(next() * accented.length)]!
          : `w${Math.floor(5000 * next() ** 2)}`;
    line.push(i % 97 === 0 ? word.toUpperCase() : word);
    if (line.length === 12) {
      lines.push(`${line.join(' ')}.`);
      line = [];
    }
  }
  lines.push(line.join(' '));
  return `${lines.join('\n')}\n`;
}

/** Median times in seconds of `sequential` and each `parallel/<threads>` row of divan's table. */
export function parseDivan(output: string): { sequential?: number; parallel: Map<number, number> } {
  const units: Record<string, number> = { ns: 1e-9, µs: 1e-6, us: 1e-6, ms: 1e-3, s: 1 };
  const time = (cell: string): number | undefined => {
    const match = /([\d.]+)\s*(ns|µs|us|ms|s)\b/.exec(cell);
    return match ? Number(match[1]) * units[match[2]!]! : undefined;
  };
  const result: { sequential?: number; parallel: Map<number, number> } = { parallel: new Map() };
  let group = '';
  for (const line of output.split('\n')) {
    const cells = line.split('│');
    const head = cells[0] ?? '';
    // Columns after the name: fastest │ slowest │ median │ mean │ samples │ iters.
    const medianCell = cells[3];
    const top = /^[├╰]─ (\w+)/.exec(head);
    if (top) {
      group = top[1]!;
      if (group === 'sequential' && medianCell !== undefined) result.sequential = time(medianCell);
      continue;
    }
    const arg = /^\s*[├╰]─ (\d+)\s/.exec(line.startsWith('│') ? line.slice(1) : line);
    if (arg && group === 'parallel') {
      const t = medianCell === undefined ? undefined : time(medianCell);
      if (t !== undefined) result.parallel.set(Number(arg[1]), t);
    }
  }
  return result;
}

export async function worker(): Promise<SectionResult> {
  const result = section('worker', 'Worker');
  const reps = intSetting('BENCH_WORKER_REPS', 5);
  const files = intSetting('BENCH_WORKER_FILES', 64);
  const words = intSetting('BENCH_WORKER_WORDS', 150_000);
  const cores = os.availableParallelism();
  const raise = intSetting('BENCH_WORKER_PRIORITY', 1) === 1 && (await hasCommand('setsid'));

  const dir = freshDir('worker');
  log('worker: generating the workspace');
  await run(process.execPath, [BIN, 'app', WS, '--members=worker', '--defaults', '--skip-install', '--skip-git'], { cwd: dir });
  const workspace = join(dir, WS);
  const env = { CARGO_TARGET_DIR: join(dir, 'target'), CARGO_TERM_COLOR: 'never' };

  log('worker: cargo build --release (cold)');
  const build = await run('cargo', ['build', '--release', '-p', MEMBER], { cwd: workspace, env });
  const crates = (build.stderr.match(/^\s+Compiling /gm) ?? []).length;
  result.notes.push(`Cold \`cargo build --release -p ${MEMBER}\`: ${fmtSeconds(build.seconds)}, ${crates} crates compiled.`);

  const corpus = freshDir('worker', 'corpus');
  let bytes = 0;
  for (let seed = 0; seed < files; seed++) {
    const text = corpusFile(seed, words);
    bytes += Buffer.byteLength(text);
    writeFileSync(join(corpus, `doc-${String(seed).padStart(3, '0')}.txt`), text);
  }
  const bin = join(dir, 'target', 'release', MEMBER);
  const timed = async (threads: number): Promise<number> =>
    (await run(...prioritized(raise, bin, [corpus, '--threads', String(threads), '--format', 'json', '--quiet']))).seconds;

  log(`worker: ${reps} pairs of --threads 1 / --threads ${cores} on ${files} files (${(bytes / 1024 / 1024).toFixed(0)} MiB)`);
  await timed(cores); // warm the page cache and the binary
  const pairs = await alternate(
    reps,
    () => timed(1),
    () => timed(cores),
  );
  const speedup = median(pairs.ratios);
  result.figures.push({
    name: `binary speed-up, ${cores} threads over 1`,
    ours: `${fmtTime(median(pairs.b))} (${cores} threads)`,
    reference: `${fmtTime(median(pairs.a))} (1 thread)`,
    ratio: speedup,
    goal: cores >= 2 ? `≥ ${GOAL}× on 2 cores` : undefined,
    met: cores === 2 ? atLeast(GOAL)(speedup) : undefined,
    note: `pair ratios ${fmtSpread(pairs.ratios, fmtRatio)}`,
  });

  log('worker: cargo bench (divan, in process)');
  await run('cargo', ['bench', '-p', MEMBER, '--no-run'], { cwd: workspace, env });
  const bench = await run(...prioritized(raise, 'cargo', ['bench', '-p', MEMBER, '--', '--sample-count', '20']), {
    cwd: workspace,
    env,
  });
  const divan = parseDivan(bench.stdout);
  const parallel = divan.parallel.get(cores) ?? divan.parallel.get(2);
  if (divan.sequential !== undefined && parallel !== undefined) {
    result.figures.push({
      name: `cargo bench speed-up, par_iter on ${cores} threads over iter`,
      ours: fmtTime(parallel),
      reference: fmtTime(divan.sequential),
      ratio: divan.sequential / parallel,
      goal: cores >= 2 ? `≥ ${GOAL}× on 2 cores` : undefined,
      met: cores === 2 ? atLeast(GOAL)(divan.sequential / parallel) : undefined,
      note: 'divan medians of 20 samples',
    });
  } else {
    result.notes.push(`Could not read divan's table:\n${bench.stdout.slice(-1500)}`);
  }

  result.method.push(
    `A workspace with the worker member (\`${MEMBER}\`), its binary built with \`cargo build --release\` (thin LTO, the workspace profile).`,
    `Corpus: ${files} text files of ${words} words each (${(bytes / 1024 / 1024).toFixed(1)} MiB), a Zipf-like mix of common, accented and ~5,000 rare words; warm page cache.`,
    `\`${MEMBER} <corpus> --threads T --format json --quiet\`, T = 1 and T = ${cores} (available cores) alternately, ${reps} pairs; ratio = median of t(1)/t(${cores}). One warm-up run first.`,
    'In-process figure: `cargo bench` (divan) of the same crate, `sequential` (`iter`) against `parallel` (`par_iter` on a pool of N threads), medians of 20 samples.',
    raise
      ? 'Timed runs in a session of their own at autogroup and nice -19 (where permitted), so builds running beside them on the shared machine barely take their cores.'
      : 'Timed runs at normal priority (BENCH_WORKER_PRIORITY=0 or no setsid): other work on the machine lowers the figure.',
  );
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await worker();
  for (const f of result.figures) {
    console.log(
      `${f.name}: ${f.ours} vs ${f.reference ?? ''}: speed-up ${fmtRatio(f.ratio ?? Number.NaN)}${f.goal ? ` (goal ${f.goal}: ${f.met === false ? 'NOT met' : f.met ? 'met' : 'n/a'})` : ''}${f.note ? `; ${f.note}` : ''}`,
    );
  }
  for (const note of result.notes) console.log(`note: ${note}`);
  console.log(
    `load average now ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
