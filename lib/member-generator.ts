/**
 * The base of every member generator (cli, service, worker, wasm, pyo3): it
 * finds the workspace, answers the shared and the member's own options, renders
 * the member's write plan into `<path>`, and registers the member and its
 * dependencies in the root `Cargo.toml`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, posix, relative } from 'node:path';
import ejs from 'ejs';
import {
  addProfile,
  addWorkspaceDependencies,
  addWorkspaceMember,
  lockedVersions,
  lookup,
  memberDependencyEntry,
  normalizeMemberPath,
  parseManifest,
  planDependencies,
  type CargoProfile,
  type DependencyDecision,
  type MemberDependency,
} from './cargo-manifest.js';
import { findWorkspaceRoot, memberPathProblem, shownPath, workspacePackages } from './cargo-workspace.js';
import { crateNameError, pascalCase, snakeCase, suggestCrateName } from './crate-name.js';
import { MEMBER_SHARED_OPTIONS, NEW_WORKSPACE, nameOption, type ErrorStyle, type OptionSpec } from './options.js';
import { templatesDir } from './paths.js';
import { PatternsGenerator, type Answers, type PatternOptions } from './patterns-generator.js';
import { EDITION, RUST_VERSION, lintTables, workspaceRootContext } from './rust-conventions.js';
import { plannedFiles, type WritePlan } from './write-plan.js';
import { runCargoSteps } from './cargo-steps.js';

/** What the templates of every member see; members add their own derived values. */
export interface MemberContext {
  /** Package name, e.g. `my-tool`. */
  readonly name: string;
  /** Rust identifier of the library, e.g. `my_tool`. */
  readonly crate: string;
  /** Type-name form, e.g. `MyTool`. */
  readonly pascal: string;
  /** The member directory relative to the workspace root, e.g. `crates/my-tool`. */
  readonly memberPath: string;
  readonly errors: ErrorStyle;
  /** Library code uses thiserror (styles split and thiserror). */
  readonly libThiserror: boolean;
  /** Binary code uses anyhow (styles split and anyhow). */
  readonly binAnyhow: boolean;
  /** The `[package]` keys inherited from, or set beside, the workspace. */
  readonly packageFields: string;
  /** Rendered `[dependencies]`, `[dev-dependencies]` and `[build-dependencies]` entries. */
  readonly dependencies: string;
  readonly devDependencies: string;
  readonly buildDependencies: string;
  /** The `[lints]` section: inherited, or the workspace's lints written out. */
  readonly lints: string;
}

/** The template context: the shared values plus the member's own derived ones. */
export type TemplateContext = MemberContext & Readonly<Record<string, unknown>>;

/**
 * What a member adds to the files of a new workspace root, rendered from its
 * optional `templates/<kind>/_workspace/` snippets: a README section, job-level
 * keys of the workspace CI check job (services, env), steps that job needs
 * before cargo runs (e.g. a Python with libpython), and CI jobs of its own.
 */
export interface MemberSummary {
  readonly kind: string;
  readonly name: string;
  readonly path: string;
  readonly readme: string;
  readonly ciCheck: string;
  readonly ciCheckSteps: string;
  readonly ciJobs: string;
}

export interface MemberDefinition {
  /** Generator name and template folder: `cli` -> `yo rust-patterns:cli`, `templates/cli`. */
  readonly kind: string;
  readonly description: string;
  /** The member's own options (its e2e matrix crosses every value of each choice option). */
  readonly options: readonly OptionSpec[];
  /** The crates the member's code uses, with the features it needs. */
  readonly dependencies: (answers: Answers) => readonly MemberDependency[];
  /** Derived template values beyond the shared ones. */
  readonly context?: (answers: Answers, base: MemberContext) => Readonly<Record<string, unknown>>;
  readonly plan: WritePlan<TemplateContext>;
  /** Named profiles the member needs in the workspace root (Cargo reads profiles only there). */
  readonly profiles?: readonly CargoProfile[];
}

/**
 * The error crates of a member with library code and a binary: thiserror for
 * the typed errors of styles split and thiserror, anyhow for styles split and
 * anyhow, with its `std` feature (backtraces), which the workspace entry
 * leaves off for the wasm member.
 */
export function errorStyleDependencies(errors: unknown): MemberDependency[] {
  return [
    ...(errors === 'thiserror' ? [] : [{ name: 'anyhow', features: ['std'] } as const]),
    ...(errors === 'anyhow' ? [] : [{ name: 'thiserror' } as const]),
  ];
}

export abstract class MemberGenerator extends PatternsGenerator {
  protected readonly definition: MemberDefinition;
  /** True when run by the app generator for a workspace it is writing. */
  private composed = false;
  /** No Cargo.toml at or above the current directory: the run may create a workspace there. */
  private outsideCargo = false;
  /** Creating a new workspace in the current directory (`--new-workspace`, or confirmed). */
  private freshWorkspace = false;

  constructor(args: string[], options: PatternOptions, definition: MemberDefinition) {
    const specs = [nameOption(`${definition.kind} crate`, definition.kind), ...MEMBER_SHARED_OPTIONS, ...definition.options];
    super(args, options, specs);
    this.definition = definition;
    this.argument('name', { type: String, required: false, description: `Package name of the ${definition.kind} crate` });
    this.sourceRoot(templatesDir(definition.kind));
  }

  protected get memberName(): string {
    return this.answers['name'] as string;
  }

  protected get memberPath(): string {
    const path = this.answers['path'] as string;
    return path === '' ? `crates/${this.memberName}` : posix.normalize(normalizeMemberPath(path));
  }

  /** Reads through mem-fs, so files pending from an earlier generator in this run count too. */
  private readonly read = (file: string): string | undefined => (this.fs.exists(file) ? this.fs.read(file) : undefined);

  /** A path for messages, relative to where the user runs the generator. */
  private shown(...parts: string[]): string {
    return shownPath(this.env.cwd, this.destinationPath(...parts));
  }

  initializing(): void {
    this.checkGivenOptions();
    const root = (this.answers['workspace-root'] as string | undefined) ?? '';
    this.composed = root !== '';
    if (this.composed) {
      this.destinationRoot(root);
      return;
    }
    const found = findWorkspaceRoot(this.env.cwd, this.read);
    this.outsideCargo = found === undefined;
    this.destinationRoot(found ?? this.env.cwd);
  }

  async prompting(): Promise<void> {
    if (this.outsideCargo) await this.confirmNewWorkspace();
    const workspace = suggestCrateName(basename(this.destinationRoot()));
    await this.answer(this.specsToAnswer(), { name: `${workspace}-${this.definition.kind}` });
  }

  /** Outside any Cargo repository: create a workspace in place only when told (`--new-workspace`) or after asking. */
  private async confirmNewWorkspace(): Promise<void> {
    const given = this.answers[NEW_WORKSPACE.flag];
    const where = this.env.cwd;
    const notCargo = `No Cargo.toml at or above ${where}: this is not a Cargo repository`;
    if (given === false) throw new Error(`${notCargo}, and --no-${NEW_WORKSPACE.flag} forbids creating one. Nothing was written.`);
    if (given !== true) {
      if (this.answers['defaults'] === true) {
        throw new Error(
          `${notCargo}. Run again with --${NEW_WORKSPACE.flag} to create a workspace here, run it from inside a Cargo repository, or create a new one with \`rust-patterns app <name>\`. Nothing was written.`,
        );
      }
      const { create } = await this.prompt<{ create: boolean }>([
        { type: 'confirm', name: 'create', message: `${notCargo}. Create a new Cargo workspace in ${where}?`, default: false },
      ]);
      if (!create) throw new Error(`${notCargo}; no workspace created. Nothing was written.`);
    }
    this.freshWorkspace = true;
  }

  private specsToAnswer(): OptionSpec[] {
    return [nameOption(`${this.definition.kind} crate`, this.definition.kind), ...MEMBER_SHARED_OPTIONS, ...this.definition.options];
  }

  /** Every check before anything is written: a failure here leaves every file as it was. */
  configuring(): void {
    const problem = crateNameError(this.memberName, `${this.definition.kind} crate name`);
    if (problem) throw new Error(problem);
    const recorded = (this.config.get('members') as Record<string, { kind: string; path: string }> | undefined) ?? {};
    const ours = recorded[this.memberName];
    const regenerating = ours?.kind === this.definition.kind && ours.path === this.memberPath;
    if (!this.composed && !this.freshWorkspace) this.checkWorkspace(regenerating);
    const target = this.destinationPath(this.memberPath);
    if (existsSync(target) && !regenerating) {
      throw new Error(
        `${this.shown(this.memberPath)} already exists. Choose another name, or another place with --path. Nothing was written.`,
      );
    }
    this.storeAnswers({ keep: true });
    this.config.set('members', { ...recorded, [this.memberName]: { kind: this.definition.kind, path: this.memberPath } });
  }

  /** The existing workspace takes the member: a readable root manifest, a free name, an allowed place. */
  private checkWorkspace(regenerating: boolean): void {
    const rootFile = this.destinationPath('Cargo.toml');
    const root = parseManifest(this.read(rootFile)!, this.shown('Cargo.toml'));
    const pathProblem = memberPathProblem(this.destinationRoot(), this.memberPath, this.read);
    if (pathProblem) throw new Error(`--path: ${pathProblem}. Nothing was written.`);
    const clash = workspacePackages(this.destinationRoot(), root, this.read, this.env.cwd).find(
      (p) => p.name === this.memberName && !(regenerating && p.dir === this.memberPath),
    );
    if (clash) {
      throw new Error(
        `The workspace already has a package named ${clash.name}, in ${this.shown(clash.dir, 'Cargo.toml')}. Choose another name. Nothing was written.`,
      );
    }
    // The same edit writing() makes, run now so that its errors (an excluded path, say) stop the run here.
    addWorkspaceMember(root.text, this.memberPath, root.file);
  }

  writing(): void {
    const rootManifestPath = this.destinationPath('Cargo.toml');
    if (this.freshWorkspace) this.writeWorkspaceRoot();
    const rootText = this.fs.read(rootManifestPath);
    const root = parseManifest(rootText, this.shown('Cargo.toml'));
    const deps = this.definition.dependencies(this.answers);
    const previousFile = this.destinationPath(this.memberPath, 'Cargo.toml');
    const previous = this.read(previousFile);
    const decisions = planDependencies(
      root.value,
      deps,
      lockedVersions(this.read(this.destinationPath('Cargo.lock'))),
      previous === undefined ? undefined : parseManifest(previous, this.shown(this.memberPath, 'Cargo.toml')).value,
    );
    for (const { dep, reason } of decisions) {
      if (reason) {
        this.log.info(`${dep.name}: ${reason}, so ${this.memberPath}/Cargo.toml asks for it itself; your Cargo.toml keeps its line.`);
      }
    }
    const ctx = this.templateContext(root.value, decisions);
    for (const { template, output } of plannedFiles(this.definition.plan, ctx)) {
      this.fs.copyTpl(this.templatePath(template), this.destinationPath(this.memberPath, output), ctx);
    }
    if (this.needsOwnClippyConfig(root.value)) {
      this.fs.copy(join(templatesDir('app'), 'clippy.toml'), this.destinationPath(this.memberPath, 'clippy.toml'));
    }
    let updated = addWorkspaceMember(rootText, this.memberPath, root.file);
    updated = addWorkspaceDependencies(
      updated,
      decisions.filter((d) => d.source === 'add').map((d) => d.dep.name),
      root.file,
    );
    for (const profile of this.definition.profiles ?? []) updated = addProfile(updated, profile, root.file);
    if (updated !== rootText) {
      this.fs.write(rootManifestPath, updated);
      // Our edit only adds text: Yeoman's overwrite prompt, meant for generated files, would
      // let the member be written but not registered. A dry run still shows the diff.
      if (!this.isDryRun && existsSync(rootManifestPath)) {
        (this.fs.store.get(rootManifestPath) as { conflicter?: string }).conflicter = 'force';
      }
    }
    // Yeoman confirms its own .yo-rc.json through a `**/.yo-rc.json` glob, which skips
    // dot-directories: a workspace under ~/.local/src would otherwise get an overwrite prompt.
    const rc = this.destinationPath('.yo-rc.json');
    if (!this.isDryRun && existsSync(rc)) (this.fs.store.get(rc) as { conflicter?: string }).conflicter = 'force';
  }

  /**
   * A new workspace in the current directory: the root manifest of `rust-patterns app`
   * (members are added below), its rustfmt and clippy settings and .gitignore, each
   * only where the directory has none.
   */
  private writeWorkspaceRoot(): void {
    const ctx = workspaceRootContext();
    for (const [template, file] of [
      ['Cargo.toml', 'Cargo.toml'],
      ['rustfmt.toml', 'rustfmt.toml'],
      ['clippy.toml', 'clippy.toml'],
      ['gitignore', '.gitignore'],
    ] as const) {
      if (this.fs.exists(this.destinationPath(file))) continue;
      this.fs.copyTpl(join(templatesDir('app'), template), this.destinationPath(file), ctx);
    }
  }

  /**
   * Where the member brings its own lints (the workspace has none), it also
   * brings the clippy.toml they assume (tests may unwrap), unless the
   * repository already has a clippy configuration on the member's way up.
   */
  private needsOwnClippyConfig(rootValue: Record<string, unknown>): boolean {
    if (lookup(rootValue, ['workspace', 'lints']) !== undefined) return false;
    for (let dir = this.destinationPath(this.memberPath); ; dir = dirname(dir)) {
      if (['clippy.toml', '.clippy.toml'].some((f) => this.read(join(dir, f)) !== undefined)) return false;
      if (relative(this.destinationRoot(), dir) === '' || dirname(dir) === dir) return true;
    }
  }

  async install(): Promise<void> {
    // The app generator formats and checks the whole new workspace itself.
    if (this.composed || this.skipsInstall || this.isDryRun) return;
    await runCargoSteps(this, this.destinationRoot(), [
      ['fmt', '-p', this.memberName],
      ['check', '-p', this.memberName],
    ]);
  }

  /** Called by the app generator once answers are known (after configuring). */
  summary(): MemberSummary {
    const ctx = this.templateContext({});
    const snippet = (file: string): string => {
      const path = this.templatePath('_workspace', file);
      return existsSync(path) ? ejs.render(readFileSync(path, 'utf8'), ctx) : '';
    };
    return {
      kind: this.definition.kind,
      name: this.memberName,
      path: this.memberPath,
      readme: snippet('README.md'),
      ciCheck: snippet('ci-check.yml'),
      ciCheckSteps: snippet('ci-check-steps.yml'),
      ciJobs: snippet('ci-jobs.yml'),
    };
  }

  private templateContext(rootValue: Record<string, unknown>, decisions?: readonly DependencyDecision[]): TemplateContext {
    const errors = this.answers['errors'] as ErrorStyle;
    const name = this.memberName;
    const planned = decisions ?? planDependencies(rootValue, this.definition.dependencies(this.answers));
    const section = (kind: MemberDependency['kind']): string =>
      planned
        .filter((d) => (d.dep.kind ?? 'normal') === kind)
        .sort((a, b) => a.dep.name.localeCompare(b.dep.name))
        .map((d) => memberDependencyEntry(d.dep, d))
        .join('\n');
    const base: MemberContext = {
      name,
      crate: snakeCase(name),
      pascal: pascalCase(name),
      memberPath: this.memberPath,
      errors,
      libThiserror: errors !== 'anyhow',
      binAnyhow: errors !== 'thiserror',
      packageFields: packageFields(rootValue),
      dependencies: section('normal'),
      devDependencies: section('dev'),
      buildDependencies: section('build'),
      lints: lookup(rootValue, ['workspace', 'lints']) === undefined ? lintTables('lints') : '[lints]\nworkspace = true',
    };
    return { ...base, ...this.definition.context?.(this.answers, base) };
  }
}

/**
 * `[package]` keys: inherited where the workspace defines them at a level we
 * support, otherwise written out, so the workspace's own settings win: a
 * workspace on an older edition or Rust keeps it, and the member states its own.
 */
function packageFields(rootValue: Record<string, unknown>): string {
  const ws = (key: string): unknown => lookup(rootValue, ['workspace', 'package', key]);
  const edition = ws('edition');
  const rustVersion = ws('rust-version');
  const inherited = (key: string): string | undefined => (ws(key) !== undefined ? `${key}.workspace = true` : undefined);
  return [
    ws('version') !== undefined ? 'version.workspace = true' : 'version = "0.1.0"',
    edition === EDITION ? 'edition.workspace = true' : `edition = "${EDITION}"`,
    typeof rustVersion === 'string' && compareVersions(rustVersion, RUST_VERSION) >= 0
      ? 'rust-version.workspace = true'
      : `rust-version = "${RUST_VERSION}"`,
    inherited('authors'),
    inherited('license'),
    inherited('repository'),
    inherited('homepage'),
  ]
    .filter((line) => line !== undefined)
    .join('\n');
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
