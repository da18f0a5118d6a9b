/**
 * What the benchmark sections share: settings from the environment, running
 * commands with a wall clock, A/B alternation with the median ratio, and the
 * result rows that bench/run.ts prints and writes to BENCHMARKS.md.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../lib/paths.js';
import { run, type RunOptions, type RunResult } from '../test/process.js';

export { PACKAGE_ROOT, run, type RunOptions, type RunResult };

/** A whole-number setting from the environment, e.g. BENCH_GEN_REPS=10. */
export function intSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}=${raw}: expected a whole number`);
  settingsUsed.set(name, String(value));
  return value;
}

export function textSetting(name: string, fallback: string): string {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  settingsUsed.set(name, raw);
  return raw;
}

/** Settings given in the environment, for the report. */
export const settingsUsed = new Map<string, string>();

/**
 * Scratch space for generated workspaces and cargo target directories (a few
 * GB while the build section runs). Not under a dot-directory such as ~/.cache
 * or .e2e/: Yeoman forces its own `.yo-rc.json` through a glob that does not
 * enter dot-directories, so adding a member to a workspace there stops at an
 * overwrite prompt.
 */
export const BENCH_DIR = resolve(textSetting('BENCH_DIR', join(tmpdir(), 'generator-rust-patterns-bench')));

export const BIN = join(PACKAGE_ROOT, 'dist', 'bin', 'rust-patterns.js');

/** A clean directory under BENCH_DIR. */
export function freshDir(...parts: string[]): string {
  const dir = join(BENCH_DIR, ...parts);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function copyDir(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
}

/** GNU time, for the CPU time (user + system) of a child process; Node does not report it. */
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * Like `run`, and also the command's CPU time (user + system, in seconds)
 * when GNU time is installed: less sensitive than wall time to other load on
 * the machine. The wrapper's own cost (one exec) falls on both sides of a comparison.
 */
export async function runWithCpu(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult & { readonly cpu?: number }> {
  if (GNU_TIME === undefined) return run(command, args, options);
  mkdirSync(BENCH_DIR, { recursive: true });
  const file = join(BENCH_DIR, `.cpu-${process.pid}`);
  const result = await run(GNU_TIME, ['-f', '%U %S', '-o', file, command, ...args], options);
  const [user, system] = readFileSync(file, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
  return { ...result, cpu: (user ?? Number.NaN) + (system ?? Number.NaN) };
}

/** True when `command` is on PATH. */
export async function hasCommand(command: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${command}`]);
    return true;
  } catch {
    return false;
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Alternation {
  readonly a: number[];
  readonly b: number[];
  /** a/b of each pair. */
  readonly ratios: number[];
}

/**
 * Runs A and B `reps` times each, alternating which goes first in each pair
 * (A B, B A, A B, ...) so drifts in machine load hit both sides alike. Each
 * measurement returns the figure to compare (seconds, req/s, ...).
 */
export async function alternate(
  reps: number,
  a: (rep: number) => Promise<number>,
  b: (rep: number) => Promise<number>,
): Promise<Alternation> {
  const result: Alternation = { a: [], b: [], ratios: [] };
  for (let rep = 0; rep < reps; rep++) {
    let va: number;
    let vb: number;
    if (rep % 2 === 0) {
      va = await a(rep);
      vb = await b(rep);
    } else {
      vb = await b(rep);
      va = await a(rep);
    }
    result.a.push(va);
    result.b.push(vb);
    result.ratios.push(va / vb);
  }
  return result;
}

/** One line of the results table. */
export interface Figure {
  readonly name: string;
  /** Our figure, formatted (median). */
  readonly ours: string;
  /** The reference figure, formatted, or '' when the figure stands alone. */
  readonly reference?: string;
  /** Median of the per-pair ratios ours/reference (or what `ratioLabel` says). */
  readonly ratio?: number;
  /** The goal as written in issue 8, e.g. '≤ 1.15×'. */
  readonly goal?: string;
  /** Whether the goal is met; undefined when there is no goal. */
  readonly met?: boolean;
  readonly note?: string;
}

export interface SectionResult {
  readonly id: string;
  readonly title: string;
  readonly figures: Figure[];
  /** How the figures were taken, for BENCHMARKS.md. */
  readonly method: string[];
  /** Findings, skips and caveats. */
  readonly notes: string[];
  seconds?: number;
}

export function section(id: string, title: string): SectionResult {
  return { id, title, figures: [], method: [], notes: [] };
}

/** Goal checks: `atMost(1.15)(ratio)` and `atLeast(0.95)(ratio)`. */
export const atMost = (limit: number) => (value: number) => value <= limit;
export const atLeast = (limit: number) => (value: number) => value >= limit;

export const fmtSeconds = (s: number): string =>
  s >= 100 ? `${s.toFixed(0)} s` : s >= 10 ? `${s.toFixed(1)} s` : `${s.toFixed(2)} s`;
export const fmtRatio = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');
export const fmtBytes = (n: number): string =>
  n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
export const fmtSpread = (values: readonly number[], fmt: (v: number) => string): string =>
  values.length > 1 ? `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}` : '';

/** Every file under `dir`, as `{ relative path: content }`. */
export function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(dir, path).split('\\').join('/')] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return files;
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value));
}

export const fileSize = (path: string): number => (existsSync(path) ? statSync(path).size : Number.NaN);

/** A log line with the time since the run started, so a slow step shows while it runs. */
const runStarted = performance.now();
export function log(message: string): void {
  const t = ((performance.now() - runStarted) / 1000).toFixed(0).padStart(5);
  console.log(`${t}s  ${message}`);
}
