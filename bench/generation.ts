/**
 * 1. Generation: wall time of our bin against the floor, a one-file Yeoman
 * generator writing the same bytes through the same yeoman-environment
 * (bench/floor/generator.ts). Both are separate `node` processes, timed from
 * spawn to exit, as a user waits for them.
 *
 * - full workspace: `rust-patterns app ws --members <every member> --defaults --skip-install --skip-git`
 * - compose: `rust-patterns <kind> extra-<kind> --defaults --skip-install` inside a
 *   workspace holding the cli member, for each member kind (BENCH_COMPOSE_KINDS).
 *
 * Settings: BENCH_GEN_REPS (pairs for the full workspace, default 15),
 * BENCH_COMPOSE_REPS (pairs per composed kind, default 5), BENCH_COMPOSE_KINDS
 * (comma list, default every member).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { MEMBERS } from '../generators/members.js';
import {
  BIN,
  PACKAGE_ROOT,
  alternate,
  atMost,
  copyDir,
  fmtSeconds,
  fmtSpread,
  freshDir,
  intSetting,
  log,
  median,
  readTree,
  run,
  runWithCpu,
  section,
  textSetting,
  writeJson,
  type SectionResult,
} from './lib.js';

const GOAL = 1.15;

/** Compiles the floor to plain JavaScript beside our compiled bin, so neither side pays for a TypeScript loader. */
function compileFloor(): string {
  const source = readFileSync(join(PACKAGE_ROOT, 'bench', 'floor', 'generator.ts'), 'utf8');
  const output = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: true },
  });
  const dir = join(PACKAGE_ROOT, 'dist', 'bench', 'floor');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'generator.js');
  writeFileSync(file, output.outputText);
  return file;
}

/** CPU times (user + system) of each side, in run order, beside the wall times `alternate` keeps. */
class Cpu {
  private readonly a: number[] = [];
  private readonly b: number[] = [];

  ours(result: { seconds: number; cpu?: number }): number {
    if (result.cpu !== undefined) this.a.push(result.cpu);
    return result.seconds;
  }

  floor(result: { seconds: number; cpu?: number }): number {
    if (result.cpu !== undefined) this.b.push(result.cpu);
    return result.seconds;
  }

  /** `; CPU 1.42 s vs 1.21 s (1.17×)`, the median of per-pair CPU ratios; '' without GNU time. */
  note(): string {
    if (this.a.length === 0 || this.a.length !== this.b.length) return '';
    const ratio = median(this.a.map((v, i) => v / this.b[i]!));
    return `; CPU time ${fmtSeconds(median(this.a))} vs ${fmtSeconds(median(this.b))} (${ratio.toFixed(2)}×)`;
  }
}

/** Files added or changed between two trees. */
function changedFiles(before: Record<string, string>, after: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(after).filter(([path, content]) => before[path] !== content));
}

function sameTree(a: Record<string, string>, b: Record<string, string>): string | undefined {
  const paths = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const path of paths) if (a[path] !== b[path]) return path;
  return undefined;
}

export async function generation(): Promise<SectionResult> {
  const result = section('generation', 'Generation');
  const reps = intSetting('BENCH_GEN_REPS', 15);
  const composeReps = intSetting('BENCH_COMPOSE_REPS', 5);
  const allKinds = MEMBERS.map((m) => m.kind);
  const composeKinds = textSetting('BENCH_COMPOSE_KINDS', allKinds.join(','))
    .split(',')
    .filter((k) => allKinds.includes(k));
  const floor = compileFloor();
  const root = freshDir('generation');
  const node = process.execPath;

  // --- Full workspace ---
  const appArgs = ['app', 'ws', '--members', allKinds.join(','), '--defaults', '--skip-install', '--skip-git'];
  const snapshot = join(root, 'full-snapshot.json');
  const warm = freshDir('generation', 'warm-ours');
  await run(node, [BIN, ...appArgs], { cwd: warm });
  const ours = readTree(join(warm, 'ws'));
  writeJson(snapshot, ours);
  const warmFloor = freshDir('generation', 'warm-floor');
  await run(node, [floor, 'ws'], { cwd: warmFloor, env: { BENCH_FLOOR_SNAPSHOT: snapshot } });
  const differs = sameTree(ours, readTree(join(warmFloor, 'ws')));
  if (differs !== undefined) throw new Error(`the floor wrote ${differs} differently from rust-patterns`);
  log(`generation: full workspace (${allKinds.join(',')}), ${Object.keys(ours).length} files, ${reps} pairs`);

  const fullCpu = new Cpu();
  const full = await alternate(
    reps,
    async (rep) => fullCpu.ours(await runWithCpu(node, [BIN, ...appArgs], { cwd: freshDir('generation', `ours-${rep}`) })),
    async (rep) =>
      fullCpu.floor(
        await runWithCpu(node, [floor, 'ws'], {
          cwd: freshDir('generation', `floor-${rep}`),
          env: { BENCH_FLOOR_SNAPSHOT: snapshot },
        }),
      ),
  );
  const fullRatio = median(full.ratios);
  result.figures.push({
    name: `full workspace (${allKinds.join(', ')}; ${Object.keys(ours).length} files)`,
    ours: fmtSeconds(median(full.a)),
    reference: `${fmtSeconds(median(full.b))} floor`,
    ratio: fullRatio,
    goal: `≤ ${GOAL}×`,
    met: atMost(GOAL)(fullRatio),
    note: `ours ${fmtSpread(full.a, fmtSeconds)}, floor ${fmtSpread(full.b, fmtSeconds)}${fullCpu.note()}`,
  });

  // --- Composing a member into an existing workspace ---
  const base = freshDir('generation', 'base');
  await run(node, [BIN, 'app', 'ws', '--members', 'cli', '--defaults', '--skip-install', '--skip-git'], { cwd: base });
  const baseWs = join(base, 'ws');
  const baseTree = readTree(baseWs);
  const composeOne = async (kind: string): Promise<void> => {
    const args = [BIN, kind, `extra-${kind}`, '--defaults', '--skip-install'];
    const warmWs = join(root, `compose-${kind}-warm`);
    copyDir(baseWs, warmWs);
    await run(node, args, { cwd: warmWs });
    const composed = readTree(warmWs);
    const kindSnapshot = join(root, `compose-${kind}-snapshot.json`);
    writeJson(kindSnapshot, changedFiles(baseTree, composed));
    const warmFloorWs = join(root, `compose-${kind}-warm-floor`);
    copyDir(baseWs, warmFloorWs);
    await run(node, [floor, '.'], { cwd: warmFloorWs, env: { BENCH_FLOOR_SNAPSHOT: kindSnapshot } });
    const floorDiffers = sameTree(composed, readTree(warmFloorWs));
    if (floorDiffers !== undefined) throw new Error(`compose ${kind}: the floor wrote ${floorDiffers} differently`);
    const changed = Object.keys(changedFiles(baseTree, composed)).length;
    log(`generation: compose ${kind} into a workspace, ${changed} files written or changed, ${composeReps} pairs`);

    const cpu = new Cpu();
    const pairs = await alternate(
      composeReps,
      async (rep) => {
        const ws = join(root, `compose-${kind}-ours-${rep}`);
        copyDir(baseWs, ws);
        return cpu.ours(await runWithCpu(node, args, { cwd: ws }));
      },
      async (rep) => {
        const ws = join(root, `compose-${kind}-floor-${rep}`);
        copyDir(baseWs, ws);
        return cpu.floor(await runWithCpu(node, [floor, '.'], { cwd: ws, env: { BENCH_FLOOR_SNAPSHOT: kindSnapshot } }));
      },
    );
    const ratio = median(pairs.ratios);
    result.figures.push({
      name: `compose ${kind} into a workspace (${changed} files)`,
      ours: fmtSeconds(median(pairs.a)),
      reference: `${fmtSeconds(median(pairs.b))} floor`,
      ratio,
      goal: `≤ ${GOAL}×`,
      met: atMost(GOAL)(ratio),
      note: `ours ${fmtSpread(pairs.a, fmtSeconds)}, floor ${fmtSpread(pairs.b, fmtSeconds)}${cpu.note()}`,
    });
  };
  for (const kind of composeKinds) {
    try {
      await composeOne(kind);
    } catch (error) {
      // One member's failure (a generator being changed under us, say) leaves the other figures standing.
      const message = error instanceof Error ? error.message : String(error);
      result.notes.push(`compose ${kind}: FAILED: ${message.split('\n').slice(0, 6).join(' / ')}`);
    }
  }

  result.method.push(
    `Each side is a separate \`node\` process timed from spawn to exit, in a fresh directory. Ours: \`node dist/bin/rust-patterns.js ${appArgs.join(' ')}\`. ` +
      'The floor: bench/floor/generator.ts, one Yeoman generator file with no options, templates or TOML editing, ' +
      'compiled to plain JavaScript beside ours and run through the same yeoman-environment, writing a snapshot of the very files ours wrote ' +
      '(checked byte for byte before timing). One warm-up run of each side is not counted.',
    `Composing: a copy of a workspace holding the cli member, then \`rust-patterns <kind> extra-<kind> --defaults --skip-install\` ` +
      'against the floor writing the same new and changed files (member files, root Cargo.toml, .yo-rc.json; the floor with `force`, as it overwrites them).',
    `${reps} pairs for the full workspace, ${composeReps} per composed kind, alternating which side goes first; ` +
      'the ratio is the median of the per-pair ratios ours/floor. The notes add CPU time (user + system, GNU time) with its own median ratio: ' +
      'on a busy machine it moves less than wall time.',
  );
  return result;
}

/** Cleans the generated directories (hundreds of small workspaces). */
export function cleanGeneration(): void {
  freshDir('generation');
}
