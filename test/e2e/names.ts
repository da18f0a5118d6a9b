/**
 * rustfmt-clean as written, for any valid name: a property test. Random valid
 * names (1 to 64 characters, letters, digits, `-` and `_`, any case) are used
 * for whole workspaces (every member; the name then stays short enough for
 * `<name>-service`) and for members added one by one to a workspace, all with
 * `--skip-install`, so no `cargo fmt` runs after the generator; then
 * `cargo fmt --all --check` must pass in each.
 *
 *   npm run test:e2e:names                 # a fresh seed each run, printed
 *   NAMES_SEED=1234 npm run test:e2e:names # the same names again
 *   NAMES_COUNT=40                         # names per kind of run (default 12)
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MEMBERS } from '../../generators/members.js';
import { MAX_NAME_LENGTH, crateNameError } from '../../lib/crate-name.js';
import { PACKAGE_ROOT } from '../../lib/paths.js';
import { run } from '../process.js';

const seed = Number(process.env['NAMES_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const count = Number(process.env['NAMES_COUNT'] ?? 12);
const dir = resolve(process.env['E2E_DIR'] ?? join(PACKAGE_ROOT, '.e2e'), 'names');
const bin = join(PACKAGE_ROOT, 'dist', 'bin', 'rust-patterns.js');

/** mulberry32: a small seeded generator, so a failing seed can be replayed. */
function random(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = random(seed);
const pick = (chars: string): string => chars[Math.floor(next() * chars.length)]!;
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * A valid package name of `min`..`max` characters, `-` and `_` included often;
 * mostly lower case, as names usually are (import order then depends on them most).
 */
function validName(min: number, max: number): string {
  for (;;) {
    const length = min + Math.floor(next() * (max - min + 1));
    const letters = next() < 0.8 ? LETTERS.slice(0, 26) : LETTERS;
    let name = pick(`${letters}_`);
    while (name.length < length) name += pick(`${letters}0123456789--__`);
    if (crateNameError(name) === undefined) return name;
  }
}

const longestKind = Math.max(...MEMBERS.map((m) => m.kind.length)) + 1;

async function check(workspace: string): Promise<void> {
  await run('cargo', ['fmt', '--all', '--check'], { cwd: workspace });
}

async function main(): Promise<void> {
  console.log(`names: seed ${seed} (NAMES_SEED=${seed} replays it), ${count} names per case`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const failures: string[] = [];
  const allMembers = `--members=${MEMBERS.map((m) => m.kind).join(',')}`;
  // Short and long names both: half up to 8 characters, half up to the limit.
  for (let i = 0; i < count; i++) {
    const name = i % 2 === 0 ? validName(1, 8) : validName(9, MAX_NAME_LENGTH - longestKind);
    try {
      await run(process.execPath, [bin, 'app', name, allMembers, '--defaults', '--skip-install', '--skip-git'], { cwd: dir });
      await check(join(dir, name));
      console.log(`  ok  workspace ${name}`);
    } catch (error) {
      failures.push(`workspace ${name}: ${(error as Error).message}`);
      console.log(`  FAILED  workspace ${name}`);
    } finally {
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
  // Members named directly, up to crates.io's limit, into one workspace.
  const host = join(dir, 'host');
  await run(process.execPath, [bin, 'app', 'host', '--members=cli', '--defaults', '--skip-install', '--skip-git'], { cwd: dir });
  for (let i = 0; i < count; i++) {
    const kind = MEMBERS[i % MEMBERS.length]!.kind;
    const name = i % 3 === 0 ? validName(1, 6) : validName(40, MAX_NAME_LENGTH);
    try {
      await run(process.execPath, [bin, kind, name, '--defaults', '--skip-install'], { cwd: host });
      console.log(`  ok  ${kind} ${name}`);
    } catch (error) {
      failures.push(`${kind} ${name}: ${(error as Error).message}`);
    }
  }
  try {
    await check(host);
  } catch (error) {
    failures.push(`members in one workspace: ${(error as Error).message}`);
  }
  if (failures.length > 0) {
    console.log(`\n${failures.join('\n\n')}\n\nnames: ${failures.length} failed (seed ${seed})`);
    process.exitCode = 1;
  } else {
    console.log(`names: all passed (seed ${seed})`);
  }
}

await main();
