/**
 * `npm run bench`: how fast we generate, how cheap the output is to build, how
 * fast it runs, each against its reference (issue 8). Prints a table and
 * writes BENCHMARKS.md with the figures, the method, the machine and the date.
 * Not part of the pass/fail tests. A and B run alternately in one session and
 * the median of the per-pair ratios is reported, because the machine is noisy.
 *
 *   npm run bench                                   # everything (budget: 30 minutes)
 *   BENCH_ONLY=generation,build npm run bench       # some sections
 *   BENCH_QUICK=1 npm run bench                     # short settings, to check the scripts
 *   BENCH_ONLY=runtime BENCH_MERGE=1 npm run bench  # one section again, the rest of BENCHMARKS.md kept
 *
 * Sections (BENCH_ONLY, comma list; default all): generation, build, runtime, loco, pyo3, wasm, worker, queue.
 * A section whose member does not exist yet, or whose tool or database is
 * missing, is reported as skipped with the reason.
 *
 * Settings (environment; defaults are for the final run on a quiet machine, about
 * 30 minutes on 2 cores; BENCH_QUICK=1 lowers the repetitions and durations):
 *   BENCH_DIR              scratch space (default $TMPDIR/generator-rust-patterns-bench; no dot-directory)
 *   BENCH_OUTPUT           the report (default BENCHMARKS.md in the repository; "-" writes none)
 *   generation
 *   BENCH_GEN_REPS         pairs for the full workspace (15)
 *   BENCH_COMPOSE_REPS     pairs per composed member kind (5)
 *   BENCH_COMPOSE_KINDS    member kinds to compose into a workspace (every member)
 *   build
 *   BENCH_BUILD_REPS       cold builds per variant, ours and naive alternating (1)
 *   BENCH_INCR_REPS        incremental rebuilds per variant (3)
 *   BENCH_BUILD_KINDS      member kinds (every member)
 *   BENCH_SERVICE_DBS      service databases (sqlite,postgres,mysql)
 *   runtime
 *   BENCH_WRK_DURATION     seconds per wrk run (6)
 *   BENCH_WRK_REPS         wrk runs per side, alternating (3)
 *   BENCH_WRK_CONNECTIONS  open connections (32); BENCH_WRK_THREADS wrk threads (1)
 *   BENCH_RUNTIME_DBS      databases for GET /users/{id} (sqlite,postgres; mysql also works)
 *   BENCH_USERS            users seeded through POST /users (1000)
 *   BENCH_PG_URL           PostgreSQL server (postgres://postgres:postgres@127.0.0.1:5432)
 *   BENCH_MYSQL_URL        MySQL/MariaDB server (mysql://root@127.0.0.1:3306)
 *   loco
 *   BENCH_LOCO_VERSION     loco CLI to install and generate with (lib/versions.ts); the wrk and rebuild settings above
 *   pyo3
 *   BENCH_PYO3_REPS        timing repetitions per figure (7); BENCH_PYO3_N floats (1000000)
 *   wasm
 *   BENCH_WASM_ERRORS      error styles to build (split,thiserror,anyhow)
 *   worker
 *   BENCH_WORKER_REPS      pairs of 1-thread / N-thread runs (5)
 *   BENCH_WORKER_FILES     corpus files (64); BENCH_WORKER_WORDS words per file (150000)
 *   queue
 *   BENCH_QUEUE_JOBS       CPU-bound jobs per drain (200); BENCH_QUEUE_WORDS words per job (150000)
 *   BENCH_QUEUE_REPS       pairs per comparison (3); BENCH_QUEUE_LATENCY_JOBS small jobs for the latency (100)
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { isAbsolute, join } from 'node:path';
import { BENCH_DIR, PACKAGE_ROOT, fmtRatio, log, settingsUsed, textSetting, type SectionResult } from './lib.js';
import { buildCost } from './build.js';
import { generation } from './generation.js';
import { loco } from './loco.js';
import { pyo3 } from './pyo3.js';
import { runtime } from './runtime.js';
import { wasm } from './wasm.js';
import { queue } from './queue.js';
import { worker } from './worker.js';

type Runner = () => Promise<SectionResult>;

const SECTIONS: readonly { id: string; title: string; run: Runner }[] = [
  { id: 'generation', title: 'Generation', run: generation },
  { id: 'build', title: 'Build cost', run: buildCost },
  { id: 'runtime', title: 'Service runtime', run: runtime },
  { id: 'loco', title: 'Service vs loco', run: loco },
  { id: 'pyo3', title: 'PyO3', run: pyo3 },
  { id: 'wasm', title: 'WASM', run: wasm },
  { id: 'worker', title: 'Worker', run: worker },
  { id: 'queue', title: 'Worker queue', run: queue },
];

if (process.env['BENCH_QUICK'] === '1') {
  const quick: Record<string, string> = {
    BENCH_GEN_REPS: '3',
    BENCH_COMPOSE_REPS: '2',
    BENCH_BUILD_REPS: '1',
    BENCH_INCR_REPS: '1',
    BENCH_WRK_DURATION: '3',
    BENCH_WRK_REPS: '1',
    BENCH_PYO3_REPS: '2',
    BENCH_WORKER_REPS: '2',
    BENCH_QUEUE_JOBS: '40',
    BENCH_QUEUE_REPS: '1',
    BENCH_QUEUE_LATENCY_JOBS: '20',
    BENCH_WORKER_FILES: '16',
    BENCH_USERS: '200',
  };
  for (const [key, value] of Object.entries(quick)) process.env[key] ??= value;
  settingsUsed.set('BENCH_QUICK', '1');
}

const only = textSetting('BENCH_ONLY', SECTIONS.map((s) => s.id).join(','))
  .split(',')
  .map((s) => s.trim());
const outputSetting = textSetting('BENCH_OUTPUT', 'BENCHMARKS.md');
const output = outputSetting === '-' ? undefined : isAbsolute(outputSetting) ? outputSetting : join(PACKAGE_ROOT, outputSetting);

function sh(command: string): string {
  try {
    return execSync(command, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unavailable';
  }
}

function machine(): string[] {
  const cpus = os.cpus();
  const osRelease = /PRETTY_NAME="([^"]+)"/.exec(sh('cat /etc/os-release'))?.[1] ?? `${os.type()} ${os.release()}`;
  return [
    `CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} logical cores (\`nproc\` ${sh('nproc')})`,
    `Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `OS: ${osRelease}, kernel ${os.release()}`,
    `Node ${process.version}; ${sh('rustc --version')}; ${sh('cargo --version')}`,
    `wrk: ${sh('wrk --version 2>&1 | head -1')}; Python: ${sh('python3 --version')}`,
  ];
}

const loadavg = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

function table(results: readonly SectionResult[]): string[][] {
  const header = ['section', 'figure', 'ours', 'reference', 'ratio', 'goal', 'met', 'notes'];
  const rows: string[][] = [];
  for (const result of results) {
    for (const f of result.figures) {
      rows.push([
        result.title,
        f.name,
        f.ours,
        f.reference ?? '',
        f.ratio === undefined ? '' : fmtRatio(f.ratio),
        f.goal ?? '',
        f.met === undefined ? '' : f.met ? 'yes' : 'NO',
        f.note ?? '',
      ]);
    }
    if (result.figures.length === 0) rows.push([result.title, '(no figures: see the notes below)', '', '', '', '', '', '']);
  }
  return [header, ...rows].map((r) => r.map((c) => c.replace(/\|/g, '\\|')));
}

function printTable(cells: readonly string[][]): void {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  for (const [index, row] of cells.entries()) {
    console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

function markdown(results: readonly SectionResult[], started: Date, seconds: number, loadStart: string): string {
  const cells = table(results);
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${started.toISOString().replace(/\.\d+Z$/, 'Z')}, in ${(seconds / 60).toFixed(1)} minutes. ` +
      'Each figure is the median; a ratio is the median of per-pair ratios, A and B run alternately in one session. ' +
      'Benchmarks are not part of the pass/fail tests.',
    '',
    `| ${cells[0]!.join(' | ')} |`,
    `|${cells[0]!.map(() => '---').join('|')}|`,
    ...cells.slice(1).map((r) => `| ${r.join(' | ')} |`),
    '',
    '## Machine',
    '',
    ...machine().map((l) => `- ${l}`),
    `- Load average (1, 5, 15 min) at the start: ${loadStart}; at the end: ${loadavg()}`,
    `- Settings: ${settingsUsed.size === 0 ? 'defaults' : [...settingsUsed].map(([k, v]) => `${k}=${v}`).join(', ')}`,
    '',
  ];
  for (const result of results) {
    lines.push(`## ${result.title}`, '');
    if (result.seconds !== undefined) lines.push(`Took ${(result.seconds / 60).toFixed(1)} minutes.`, '');
    if (result.method.length > 0) lines.push('Method:', '', ...result.method.map((m) => `- ${m}`), '');
    if (result.notes.length > 0) lines.push('Notes:', '', ...result.notes.map((n) => `- ${n}`), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

async function main(): Promise<void> {
  const started = new Date();
  const t0 = performance.now();
  const loadStart = loadavg();
  log(`bench: sections ${only.join(', ')}; scratch ${BENCH_DIR}; load ${loadStart}`);
  const results: SectionResult[] = [];
  for (const spec of SECTIONS.filter((s) => only.includes(s.id))) {
    const s0 = performance.now();
    let result: SectionResult;
    try {
      result = await spec.run();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = {
        id: spec.id,
        title: spec.title,
        figures: [],
        method: [],
        notes: [`FAILED: ${message.split('\n').slice(0, 12).join(' / ')}`],
      };
    }
    result.seconds = (performance.now() - s0) / 1000;
    log(`${spec.title}: done in ${result.seconds.toFixed(0)} s`);
    for (const note of result.notes) log(`  note: ${note}`);
    results.push(result);
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log('');
  printTable(table(results));
  console.log(`\nTotal ${(seconds / 60).toFixed(1)} minutes; load average now ${loadavg()}.`);
  if (output !== undefined) {
    const report = markdown(results, started, seconds, loadStart);
    const merge = process.env['BENCH_MERGE'] === '1' && existsSync(output);
    writeFileSync(output, merge ? mergeSections(readFileSync(output, 'utf8'), report, results, started) : report);
    console.log(`${merge ? 'Updated' : 'Wrote'} ${output}.`);
  }
}

/**
 * BENCH_MERGE=1 with BENCH_ONLY: the sections of this run replace theirs in
 * the existing report (rows of the table, and the section's text), the others
 * stay as they were, and the header says which were run again and when. A
 * rerun of one section after a fix need not repeat the whole half hour.
 */
function mergeSections(previous: string, report: string, results: readonly SectionResult[], started: Date): string {
  const titles = new Set(results.map((r) => r.title));
  const rowsOf = (text: string): string[] =>
    text.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| section |'));
  const titleOf = (row: string): string => row.slice(2, row.indexOf(' | '));
  const sectionsOf = (text: string): Map<string, string> =>
    new Map(
      text
        .split(/^(?=## )/m)
        .slice(1)
        .map((block) => [block.slice(3, block.indexOf('\n')), block.trimEnd()]),
    );
  const newRows = rowsOf(report);
  // Each section run again takes the place of its old rows; a section new to the report goes last.
  const rows: string[] = [];
  const replaced = new Set<string>();
  for (const row of rowsOf(previous)) {
    const title = titleOf(row);
    if (!titles.has(title)) rows.push(row);
    else if (!replaced.has(title)) {
      replaced.add(title);
      rows.push(...newRows.filter((r) => titleOf(r) === title));
    }
  }
  rows.push(...newRows.filter((r) => !replaced.has(titleOf(r))));
  const sections = sectionsOf(previous);
  for (const [title, block] of sectionsOf(report)) if (titles.has(title)) sections.set(title, block);
  const [head = ''] = previous.split(/^\| section \|/m);
  const stamp = `Section(s) run again on ${started.toISOString().replace(/\.\d+Z$/, 'Z')} (BENCH_MERGE): ${[...titles].join(', ')}.`;
  const table = [
    `| ${['section', 'figure', 'ours', 'reference', 'ratio', 'goal', 'met', 'notes'].join(' | ')} |`,
    '|---|---|---|---|---|---|---|---|',
    ...rows,
  ];
  return `${head.trimEnd()}\n${stamp}\n\n${table.join('\n')}\n\n${[...sections.values()].join('\n\n')}\n`;
}

await main();
