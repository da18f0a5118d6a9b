/**
 * 2. Build cost of the output: cold `cargo build` time and the number of
 * crates compiled (`Compiling` lines) of each member's generated crate, each
 * build in a private CARGO_TARGET_DIR, and the incremental rebuild after
 * editing one source file. The service, on each database, is compared with
 * the same generated code built with naive features (tokio `full`, sqlx and
 * axum default features, tower-http `full`), made by rewriting the member's
 * Cargo.toml in a copy of the workspace.
 *
 * Downloads are not timed: `cargo fetch` runs first. The build is what a user
 * runs after generating: `cargo build` in the workspace (dev profile, host).
 *
 * Settings: BENCH_BUILD_REPS (cold builds per variant, alternating; default 1),
 * BENCH_INCR_REPS (incremental rebuilds, default 3), BENCH_BUILD_KINDS (member
 * kinds, default every member), BENCH_SERVICE_DBS (default every database),
 * BENCH_QUERY_MODES=0 to leave out the service's checked-vs-runtime query rows.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEMBERS } from '../generators/members.js';
import { CRATES, type CrateName } from '../lib/versions.js';
import {
  BIN,
  alternate,
  atMost,
  copyDir,
  fmtSeconds,
  fmtSpread,
  freshDir,
  intSetting,
  log,
  median,
  run,
  runWithCpu,
  section,
  textSetting,
  type SectionResult,
} from './lib.js';

const GOAL = 0.6;
const WS = 'bws';

/** What a naive manifest asks for: all of tokio and tower-http, every default feature of axum and sqlx. */
const NAIVE: Partial<Record<CrateName, (features: readonly string[]) => string>> = {
  tokio: () => 'features = ["full"]',
  'tower-http': () => 'features = ["full"]',
  // Default features on, plus what the code needs that is not a default (sqlx's driver and TLS, axum's macros).
  axum: (features) => `features = [${features.map((f) => `"${f}"`).join(', ')}]`,
  sqlx: (features) => `features = [${features.map((f) => `"${f}"`).join(', ')}]`,
};

/** The first of these files a member has is the one edited for the incremental rebuild. */
const TOUCH_CANDIDATES = ['src/routes/users.rs', 'src/stats.rs', 'src/jobs.rs', 'src/pricing.rs', 'src/lib.rs', 'src/main.rs'];

export const SERVICE_DBS = ['sqlite', 'postgres', 'mysql'] as const;

/**
 * Rewrites `[dependencies]` entries of a member manifest the way a user
 * without our version table would write them: explicit versions, default
 * features on, `full` where a crate has it.
 */
export function naiveManifest(text: string): string {
  let inDependencies = false;
  return text
    .split('\n')
    .map((line) => {
      const header = /^\s*\[([^\]]+)\]/.exec(line);
      if (header) inDependencies = header[1]!.trim() === 'dependencies';
      if (!inDependencies) return line;
      const entry = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
      if (!entry) return line;
      const name = entry[1] as CrateName;
      const naive = NAIVE[name];
      if (naive === undefined) return line;
      const features = [...(/features\s*=\s*\[([^\]]*)\]/.exec(entry[2]!)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
      const optional = /optional\s*=\s*true/.test(entry[2]!) ? ', optional = true' : '';
      return `${name} = { version = "${CRATES[name].version}", ${naive(features)}${optional} }`;
    })
    .join('\n');
}

interface Target {
  readonly label: string;
  readonly kind: string;
  readonly flags: readonly string[];
  readonly naive: boolean;
}

function targets(): Target[] {
  const all = MEMBERS.map((m) => m.kind);
  const kinds = textSetting('BENCH_BUILD_KINDS', all.join(','))
    .split(',')
    .filter((k) => all.includes(k));
  const dbs = textSetting('BENCH_SERVICE_DBS', SERVICE_DBS.join(','))
    .split(',')
    .filter((d) => (SERVICE_DBS as readonly string[]).includes(d));
  return kinds.flatMap((kind): Target[] =>
    kind === 'service'
      ? dbs.map((db) => ({ label: `service (${db})`, kind, flags: ['--db', db], naive: true }))
      : [{ label: kind, kind, flags: [], naive: false }],
  );
}

const cargoEnv = (targetDir: string): Record<string, string | undefined> => ({
  CARGO_TARGET_DIR: targetDir,
  CARGO_TERM_COLOR: 'never',
  // Measure rustc, not a cache in front of it.
  RUSTC_WRAPPER: '',
  CARGO_BUILD_RUSTC_WRAPPER: '',
});

interface Unit {
  readonly name: string;
  readonly version: string;
  readonly target: string;
  readonly duration: number;
}

interface Cold {
  readonly seconds: number;
  /** CPU time of cargo and every rustc and build script it ran (user + system), when GNU time is there. */
  readonly cpu?: number;
  /** `Compiling` lines: packages. */
  readonly crates: number;
  /** Compilation units from `--timings` (a package built for the host and the target counts twice; build scripts count). */
  readonly units: readonly Unit[];
}

/** The units of cargo's `--timings` report (the UNIT_DATA table of cargo-timing.html). */
export function timingUnits(html: string): Unit[] {
  const data = /const UNIT_DATA = (\[[\s\S]*?\n\]);/.exec(html)?.[1];
  if (data === undefined) return [];
  return (JSON.parse(data) as { name: string; version: string; target: string; duration: number }[]).map((u) => ({
    name: u.name,
    version: u.version,
    target: u.target.trim(),
    duration: u.duration,
  }));
}

/** `cargo build` from cold in `targetDir`, offline (the caller ran `cargo fetch`), with its `--timings` units. */
export async function coldBuild(workspace: string, targetDir: string): Promise<Cold> {
  rmSync(targetDir, { recursive: true, force: true });
  const result = await runWithCpu('cargo', ['build', '--offline', '--timings'], { cwd: workspace, env: cargoEnv(targetDir) });
  const report = join(targetDir, 'cargo-timings', 'cargo-timing.html');
  return {
    seconds: result.seconds,
    ...(result.cpu === undefined ? {} : { cpu: result.cpu }),
    crates: (result.stderr.match(/^\s*Compiling /gm) ?? []).length,
    units: existsSync(report) ? timingUnits(readFileSync(report, 'utf8')) : [],
  };
}

/** Where the build time goes: units, the slowest ones, and packages compiled more than once. */
function unitNote(label: string, cold: Cold): string {
  if (cold.units.length === 0) return `${label}: no --timings report.`;
  const total = cold.units.reduce((sum, u) => sum + u.duration, 0);
  const slowest = [...cold.units]
    .sort((a, b) => b.duration - a.duration)
    .slice(0, 6)
    .map((u) => `${u.name}${u.target === '' ? '' : ` (${u.target})`} ${u.duration.toFixed(1)} s`);
  // A library built twice: the same package and target, for the host and for the target platform.
  const libraries = cold.units.filter((u) => u.target === '');
  const counts = new Map<string, number>();
  const id = (u: Unit): string => `${u.name} ${u.version}`;
  for (const u of libraries) counts.set(id(u), (counts.get(id(u)) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1).map(([name]) => name);
  const twiceSeconds = libraries.filter((u) => twice.includes(id(u))).reduce((sum, u) => sum + u.duration, 0);
  return (
    `${label}: ${cold.units.length} compilation units, ${total.toFixed(0)} s summed over units (run in parallel); slowest: ${slowest.join(', ')}. ` +
    (twice.length === 0
      ? 'No package is compiled twice.'
      : `${twice.length} packages compiled twice (for the host, under a proc macro or build script, and for the target; ${twiceSeconds.toFixed(0)} s of units): ${twice.join(', ')}.`)
  );
}

/**
 * An edit as a developer makes one: a comment line inserted at the top of the
 * file (a new one each time), which moves every span below it, so rustc's
 * incremental cache cannot treat the file as unchanged. The file is restored
 * afterwards.
 */
async function incremental(
  workspace: string,
  memberDir: string,
  targetDir: string,
  reps: number,
): Promise<{ file: string; seconds: number[] }> {
  const file = TOUCH_CANDIDATES.find((f) => existsSync(join(memberDir, f)));
  if (file === undefined) throw new Error(`no source file to edit in ${memberDir}`);
  return { file, seconds: await rebuildsAfterEdits(workspace, join(memberDir, file), targetDir, reps) };
}

/** The seconds of `reps` rebuilds, each after an edit of `path` as {@link incremental} makes it; the file is restored. */
export async function rebuildsAfterEdits(workspace: string, path: string, targetDir: string, reps: number): Promise<number[]> {
  const original = readFileSync(path, 'utf8');
  const seconds: number[] = [];
  try {
    for (let rep = 0; rep < reps; rep++) {
      writeFileSync(path, `// bench: edit ${rep + 1}\n${original}`);
      const build = await run('cargo', ['build', '--offline'], { cwd: workspace, env: cargoEnv(targetDir) });
      if (!/^\s*Compiling /m.test(build.stderr)) throw new Error(`editing ${path} rebuilt nothing:\n${build.stderr}`);
      seconds.push(build.seconds);
    }
  } finally {
    writeFileSync(path, original);
  }
  return seconds;
}

export async function buildCost(): Promise<SectionResult> {
  const result = section('build', 'Build cost');
  const reps = Math.max(1, intSetting('BENCH_BUILD_REPS', 1));
  const incrReps = intSetting('BENCH_INCR_REPS', 3);
  for (const target of targets()) {
    const dir = freshDir('build', target.label.replace(/[^a-z0-9]+/g, '-'));
    await run(
      process.execPath,
      [BIN, 'app', WS, '--members', target.kind, ...target.flags, '--defaults', '--skip-install', '--skip-git'],
      {
        cwd: dir,
      },
    );
    const ours = join(dir, WS);
    const memberDir = join(ours, 'crates', target.kind);
    await run('cargo', ['fetch'], { cwd: ours });
    const oursTarget = join(dir, 'target-ours');

    if (target.naive) {
      const naive = join(dir, 'naive');
      copyDir(ours, naive);
      const manifest = join(naive, 'crates', target.kind, 'Cargo.toml');
      writeFileSync(manifest, naiveManifest(readFileSync(manifest, 'utf8')));
      rmSync(join(naive, 'Cargo.lock'), { force: true });
      await run('cargo', ['fetch'], { cwd: naive });
      const naiveTarget = join(dir, 'target-naive');
      log(`build: ${target.label}: ${reps} cold build pair(s), ours and naive features`);
      const crates = { ours: [] as number[], naive: [] as number[] };
      const cpu = { ours: [] as number[], naive: [] as number[] };
      let lastOurs: Cold | undefined;
      let lastNaive: Cold | undefined;
      const pairs = await alternate(
        reps,
        async () => {
          lastOurs = await coldBuild(ours, oursTarget);
          crates.ours.push(lastOurs.crates);
          if (lastOurs.cpu !== undefined) cpu.ours.push(lastOurs.cpu);
          return lastOurs.seconds;
        },
        async () => {
          lastNaive = await coldBuild(naive, naiveTarget);
          crates.naive.push(lastNaive.crates);
          if (lastNaive.cpu !== undefined) cpu.naive.push(lastNaive.cpu);
          return lastNaive.seconds;
        },
      );
      result.notes.push(unitNote(`${target.label}, ours`, lastOurs!), unitNote(`${target.label}, naive`, lastNaive!));
      const timeRatio = median(pairs.ratios);
      const crateRatio = median(crates.ours) / median(crates.naive);
      result.figures.push(
        {
          name: `${target.label}: cold build time`,
          ours: fmtSeconds(median(pairs.a)),
          reference: `${fmtSeconds(median(pairs.b))} naive`,
          ratio: timeRatio,
          goal: `≤ ${GOAL}×`,
          met: atMost(GOAL)(timeRatio),
          note: [
            reps > 1 ? `ours ${fmtSpread(pairs.a, fmtSeconds)}, naive ${fmtSpread(pairs.b, fmtSeconds)}` : '',
            cpu.ours.length === reps && cpu.naive.length === reps
              ? `CPU time ${fmtSeconds(median(cpu.ours))} vs ${fmtSeconds(median(cpu.naive))} (${median(cpu.ours.map((c, i) => c / cpu.naive[i]!)).toFixed(2)}×)`
              : '',
          ]
            .filter(Boolean)
            .join('; '),
        },
        {
          name: `${target.label}: crates compiled`,
          ours: String(median(crates.ours)),
          reference: `${median(crates.naive)} naive`,
          ratio: crateRatio,
          goal: `≤ ${GOAL}×`,
          met: atMost(GOAL)(crateRatio),
        },
      );
      if (incrReps > 0) {
        const incrOurs = await incremental(ours, memberDir, oursTarget, incrReps);
        const incrNaive = await incremental(naive, join(naive, 'crates', target.kind), naiveTarget, incrReps);
        result.figures.push({
          name: `${target.label}: rebuild after editing ${incrOurs.file}`,
          ours: fmtSeconds(median(incrOurs.seconds)),
          reference: `${fmtSeconds(median(incrNaive.seconds))} naive`,
          ratio: median(incrOurs.seconds) / median(incrNaive.seconds),
          note: `${incrReps} rebuild${incrReps === 1 ? '' : 's'} each`,
        });
      }
      rmSync(naiveTarget, { recursive: true, force: true });
    } else {
      log(`build: ${target.label}: ${reps} cold build(s)`);
      const colds: Cold[] = [];
      for (let rep = 0; rep < reps; rep++) colds.push(await coldBuild(ours, oursTarget));
      result.notes.push(unitNote(target.label, colds[colds.length - 1]!));
      const seconds = colds.map((c) => c.seconds);
      const cpus = colds.flatMap((c) => (c.cpu === undefined ? [] : [c.cpu]));
      result.figures.push({
        name: `${target.label}: cold build time, crates compiled`,
        ours: `${fmtSeconds(median(seconds))}, ${median(colds.map((c) => c.crates))} crates`,
        note: [reps > 1 ? fmtSpread(seconds, fmtSeconds) : '', cpus.length > 0 ? `CPU time ${fmtSeconds(median(cpus))}` : '']
          .filter(Boolean)
          .join('; '),
      });
      if (incrReps > 0) {
        const incr = await incremental(ours, memberDir, oursTarget, incrReps);
        result.figures.push({
          name: `${target.label}: rebuild after editing ${incr.file}`,
          ours: fmtSeconds(median(incr.seconds)),
          note: `${incrReps} rebuild${incrReps === 1 ? '' : 's'}`,
        });
      }
    }
    rmSync(oursTarget, { recursive: true, force: true });
  }
  if (targets().some((t) => t.kind === 'service') && intSetting('BENCH_QUERY_MODES', 1) > 0) {
    await queryModeCost(result, reps, incrReps);
  }
  result.method.push(
    `Each member alone in a workspace (\`rust-patterns app ${WS} --members <kind> [--db <db>] --defaults --skip-install --skip-git\`), ` +
      'dependencies fetched first (`cargo fetch`, not timed), then `cargo build --offline --timings` (dev profile, host target) in an empty private CARGO_TARGET_DIR; ' +
      '"crates compiled" counts cargo\'s `Compiling` lines (packages); the notes add the compilation units of the `--timings` report, ' +
      'where a package built both for the host (under a proc macro or build script) and for the target counts twice. ' +
      'The notes column adds the CPU time of the build (cargo and all it ran, user + system, GNU time), steadier than wall time when other work shares the machine.',
    "Naive features (service only): the same generated code, with the member's `tokio`, `sqlx`, `axum` and `tower-http` entries rewritten to " +
      'explicit versions from the same version table with default features on: tokio `full`, tower-http `full`, axum and sqlx defaults plus the features the code needs ' +
      '(sqlx driver, runtime and TLS, axum `macros`). Its own lockfile, resolved the same day. Cold builds alternate ours and naive.',
    `Incremental: after the cold build, a comment line is inserted at the top of one source file (the users handlers for the service) ` +
      `and \`cargo build\` runs again (dev profile, incremental); median of ${incrReps} edits.`,
  );
  return result;
}

/**
 * The service's two query modes on each database (issue 18, `--queries`):
 * checked (`query!` macros, sqlx `macros`, offline data) against runtime
 * (plain queries), cold builds alternating, then rebuilds after editing the
 * file of the queries. Checked builds read `.sqlx/` (SQLX_OFFLINE=true), as
 * the generated Dockerfile and CI do.
 */
async function queryModeCost(result: SectionResult, reps: number, incrReps: number): Promise<void> {
  const dbs = textSetting('BENCH_SERVICE_DBS', SERVICE_DBS.join(','))
    .split(',')
    .filter((d) => (SERVICE_DBS as readonly string[]).includes(d));
  process.env['SQLX_OFFLINE'] = 'true';
  for (const db of dbs) {
    const dir = freshDir('build', `queries-${db}`);
    const workspaces = { runtime: '', checked: '' };
    for (const queries of ['runtime', 'checked'] as const) {
      const parent = join(dir, queries);
      mkdirSync(parent, { recursive: true });
      await run(
        process.execPath,
        [BIN, 'app', WS, '--members', 'service', '--db', db, '--queries', queries, '--defaults', '--skip-install', '--skip-git'],
        { cwd: parent },
      );
      workspaces[queries] = join(parent, WS);
      await run('cargo', ['fetch'], { cwd: workspaces[queries] });
    }
    const target = (queries: string): string => join(dir, `target-${queries}`);
    log(`build: service (${db}): ${reps} cold build pair(s), checked and runtime queries`);
    const colds = { checked: [] as Cold[], runtime: [] as Cold[] };
    const pairs = await alternate(
      reps,
      async () => {
        const cold = await coldBuild(workspaces.checked, target('checked'));
        colds.checked.push(cold);
        return cold.seconds;
      },
      async () => {
        const cold = await coldBuild(workspaces.runtime, target('runtime'));
        colds.runtime.push(cold);
        return cold.seconds;
      },
    );
    const cpus = (list: readonly Cold[]): number[] => list.flatMap((c) => (c.cpu === undefined ? [] : [c.cpu]));
    const crates = (list: readonly Cold[]): number => median(list.map((c) => c.crates));
    const cpuNote =
      cpus(colds.checked).length === reps && cpus(colds.runtime).length === reps
        ? `CPU time ${fmtSeconds(median(cpus(colds.checked)))} vs ${fmtSeconds(median(cpus(colds.runtime)))} ` +
          `(${(median(cpus(colds.checked)) / median(cpus(colds.runtime))).toFixed(2)}×)`
        : '';
    result.figures.push(
      {
        name: `service (${db}): checked queries, cold build time`,
        ours: fmtSeconds(median(pairs.a)),
        reference: `${fmtSeconds(median(pairs.b))} runtime`,
        ratio: median(pairs.ratios),
        note: cpuNote,
      },
      {
        name: `service (${db}): checked queries, crates compiled`,
        ours: String(crates(colds.checked)),
        reference: `${crates(colds.runtime)} runtime`,
        ratio: crates(colds.checked) / crates(colds.runtime),
      },
    );
    if (incrReps > 0) {
      const edit = (queries: 'runtime' | 'checked'): Promise<number[]> =>
        rebuildsAfterEdits(
          workspaces[queries],
          join(workspaces[queries], 'crates', 'service', 'src', 'repository.rs'),
          target(queries),
          incrReps,
        );
      const checked = await edit('checked');
      const runtime = await edit('runtime');
      result.figures.push({
        name: `service (${db}): checked queries, rebuild after editing src/repository.rs`,
        ours: fmtSeconds(median(checked)),
        reference: `${fmtSeconds(median(runtime))} runtime`,
        ratio: median(checked) / median(runtime),
        note: `${incrReps} rebuild${incrReps === 1 ? '' : 's'} each`,
      });
    }
    for (const queries of ['runtime', 'checked']) rmSync(target(queries), { recursive: true, force: true });
  }
  result.method.push(
    'Query modes (service): the generated service with `--queries checked` (sqlx `macros`, `query!` against `.sqlx/`, SQLX_OFFLINE=true) ' +
      'and `--queries runtime`, cold builds alternating as above; the rebuild edits `src/repository.rs`, where the queries are.',
  );
}
