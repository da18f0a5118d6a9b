/**
 * `yo rust-patterns [name]`: a new edition-2024 Cargo workspace. It writes the
 * workspace root and composes one member generator per chosen member kind.
 *
 * The order matters and is Yeoman's run loop: `configuring` composes the
 * members (they answer and check in their own `configuring`), this generator's
 * `writing` renders the root with an empty `members` list, and each member's
 * `writing`, queued after it, renders the member and inserts it into the root
 * `Cargo.toml` (see lib/workspace-root.ts).
 */
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import yosay from 'yosay';
import { runCargoSteps } from '../../lib/cargo-steps.js';
import { MAX_NAME_LENGTH, crateNameError, suggestCrateName } from '../../lib/crate-name.js';
import type { MemberGenerator } from '../../lib/member-generator.js';
import type { AnswersOf, OptionSpec } from '../../lib/options.js';
import { generatorPath, templatesDir } from '../../lib/paths.js';
import { PatternsGenerator, type PatternOptions } from '../../lib/patterns-generator.js';
import { ROOT_PLAN, rootContext } from '../../lib/workspace-root.js';
import type { RecordedWorkspace } from '../../lib/yo-rc.js';
import { plannedFiles } from '../../lib/write-plan.js';
import { MEMBERS } from '../members.js';
import { APP_OPTIONS, MEMBER_KINDS, MEMBER_OPTIONS, WORKSPACE_NAME } from './options.js';

export default class AppGenerator extends PatternsGenerator<AnswersOf<typeof APP_OPTIONS>> {
  private readonly members: MemberGenerator[] = [];

  constructor(args: string[], options: PatternOptions) {
    super(args, options, APP_OPTIONS);
    this.argument('name', { type: String, required: false, description: 'Workspace name; also its directory' });
    this.sourceRoot(templatesDir('app'));
  }

  initializing(): void {
    this.checkGivenOptions();
    // The banner is for people at a terminal (yosay writes colour codes whatever the stream).
    if (this.answers.defaults !== true && process.stdout.isTTY) this.log(yosay('Production Rust patterns, ready to build.'));
  }

  async prompting(): Promise<void> {
    // Stored member options (e.g. --db) are asked below, only for the members chosen.
    await this.answer([
      WORKSPACE_NAME,
      MEMBER_KINDS,
      ...APP_OPTIONS.filter((o: OptionSpec) => o.stored === true && !MEMBER_OPTIONS.includes(o)),
    ]);
    const chosen = this.chosenMembers();
    await this.answer(MEMBERS.filter((m) => chosen.includes(m.kind)).flatMap((m) => m.options));
  }

  async configuring(): Promise<void> {
    const [name, errors] = [this.answerTo('name'), this.answerTo('errors')];
    const problem = workspaceNameProblem(name, this.chosenMembers());
    if (problem) throw new Error(`${problem} Nothing was written.`);
    const target = resolve(this.env.cwd, name);
    const existing = targetProblem(target);
    if (existing) throw new Error(`${relative(this.env.cwd, target)} ${existing} Nothing was written.`);
    this.destinationRoot(target);
    this.storeAnswers();
    this.config.set('workspace', { generated: 'app', name } satisfies RecordedWorkspace);
    for (const kind of this.chosenMembers()) {
      const definition = MEMBERS.find((m) => m.kind === kind)!;
      const memberOptions = Object.fromEntries(definition.options.map((o) => [o.flag, this.answers[o.flag]]));
      const member = await this.composeWith<MemberGenerator>(generatorPath(kind), {
        generatorArgs: [`${name}-${kind}`],
        generatorOptions: {
          ...memberOptions,
          errors,
          path: `crates/${kind}`,
          'workspace-root': target,
          defaults: true,
        },
      });
      this.members.push(member);
    }
  }

  writing(): void {
    const ctx = rootContext({
      name: this.answerTo('name'),
      members: this.members.map((m) => m.summary()),
      supplyChain: this.answerTo('supply-chain'),
    });
    for (const { template, output } of plannedFiles(ROOT_PLAN, ctx)) {
      this.fs.copyTpl(this.templatePath(template), this.destinationPath(output), ctx);
    }
  }

  async install(): Promise<void> {
    if (this.skipsInstall || this.isDryRun) return;
    await runCargoSteps(this, this.destinationRoot(), [
      ['fmt', '--all'],
      ['check', '--workspace'],
    ]);
  }

  async end(): Promise<void> {
    if (this.isDryRun) return;
    if (this.answers['skip-git'] !== true && !existsSync(this.destinationPath('.git'))) {
      try {
        await this.spawn('git', ['init', '--quiet'], { cwd: this.destinationRoot() });
      } catch {
        this.log.info('git init failed or git is missing: the workspace is not a repository yet.');
      }
    }
    const dir = relative(this.env.cwd, this.destinationRoot());
    this.log(`\nWorkspace ready in ${dir}/. Next:\n  cd ${dir}\n  cargo test --workspace\n`);
  }

  private chosenMembers(): readonly string[] {
    return this.answers.members ?? [];
  }
}

/**
 * Why a workspace name cannot be used, or undefined: Cargo's rules for the
 * name itself and for the member names it implies (`<name>-<kind>`), whose
 * length can pass crates.io's limit where the name alone does not. The
 * suggested name is valid for both.
 */
export function workspaceNameProblem(name: string, kinds: readonly string[]): string | undefined {
  const own = crateNameError(name, 'workspace name');
  const longest = Math.max(0, ...kinds.map((kind) => kind.length + 1));
  if (own) {
    return own.replace(/Try '[^']*'\.$/, `Try '${suggestCrateName(name, MAX_NAME_LENGTH - longest)}'.`);
  }
  for (const kind of kinds) {
    const implied = crateNameError(`${name}-${kind}`, `${kind} crate name`);
    if (implied) {
      return `Invalid workspace name '${name}': its ${kind} member would be named '${name}-${kind}', and ${implied.replace(/^Invalid [^:]*: /, '').replace(/ Try '[^']*'\.$/, '')}. Try '${suggestCrateName(name, MAX_NAME_LENGTH - longest)}'.`;
    }
  }
  return undefined;
}

/** Why the new workspace cannot go to `target`, or undefined: it must be absent or an empty directory. */
function targetProblem(target: string): string | undefined {
  let entry;
  try {
    entry = lstatSync(target);
  } catch {
    return undefined;
  }
  if (entry.isSymbolicLink()) return 'exists as a symbolic link. Choose another name, or remove the link.';
  if (!entry.isDirectory()) return 'exists and is a file. Choose another name, or move the file away.';
  if (readdirSync(target).length > 0) {
    return 'already exists and is not empty. Choose another name, or add members to it with `rust-patterns <member>` from inside.';
  }
  return undefined;
}
