/** Shared test helpers: generators run from their compiled entries, as yo runs them. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import helpers from 'yeoman-test';
import { memberTemplateContext, type MemberAnswers, type MemberDefinition } from '../lib/member-generator.js';
import { MEMBER_SHARED_OPTIONS, type OptionSpec } from '../lib/options.js';
import { PACKAGE_ROOT, generatorPath } from '../lib/paths.js';
import type { PatternsGenerator } from '../lib/patterns-generator.js';
import { plannedFiles } from '../lib/write-plan.js';
import { writeTree, type Tree } from './fixtures/repos.js';

/** Typed with our generators' options, so `.withOptions` takes any of our flags. */
export function runGenerator(name: string) {
  return helpers.run<PatternsGenerator>(generatorPath(name), { namespace: `rust-patterns:${name}` });
}

/** The built `rust-patterns` bin. */
export const BIN = join(PACKAGE_ROOT, 'dist', 'bin', 'rust-patterns.js');

/** Runs the bin in `cwd` as a script would: no TTY to ask on, output captured. */
export function rustPatterns(cwd: string, ...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Writes fixture trees into fresh temporary directories, each removed after
 * the test that made it; call it in a `describe` (it registers the `afterEach`).
 */
export function tempRepos(prefix: string): (files: Tree) => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (files) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    writeTree(dir, files);
    return dir;
  };
}

/** Options that keep a test run offline and quick: no cargo, no git, no prompts. */
export const QUIET = { 'skip-install': true, 'skip-git': true, defaults: true } as const;

/** Every file below `dir`, as sorted paths relative to it. */
export function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as { isFile(): boolean; name: string; parentPath: string }[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

/**
 * The files a member's write plan gives for its default answers with
 * `overrides` (the member's name and path as the app passes them, say),
 * relative to the member directory, sorted.
 */
export function plannedMemberFiles<O extends readonly OptionSpec[], X extends object>(
  definition: MemberDefinition<O, X>,
  overrides: Readonly<Record<string, unknown>>,
): string[] {
  const specs: readonly OptionSpec[] = [...MEMBER_SHARED_OPTIONS, ...definition.options];
  const answers = { ...Object.fromEntries(specs.map((s) => [s.flag, s.default])), ...overrides } as MemberAnswers<O>;
  const ctx = memberTemplateContext(definition, answers, {});
  return plannedFiles(definition.plan, ctx)
    .map((f) => f.output)
    .sort();
}
