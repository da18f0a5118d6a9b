/**
 * The base of every member generator (cli, service, worker, wasm, pyo3): it
 * finds the workspace, answers the shared and the member's own options, renders
 * the member's write plan into `<path>`, and registers the member and its
 * dependencies in the root `Cargo.toml`.
 */
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { isFilePending } from 'mem-fs-editor/state';
import { basename, dirname, join, posix, relative } from 'node:path';
import ejs from 'ejs';
import { addProfile, addWorkspaceDependencies, addWorkspaceMember, parseManifest, type CargoProfile } from './cargo-manifest.js';
import { compareVersions, parseVersion } from './cargo-version.js';
import { runCargoSteps } from './cargo-steps.js';
import { findWorkspaceRoot, memberPathProblem, patchedCrate, shownPath, workspacePackages } from './cargo-workspace.js';
import { crateNameError, pascalCase, sameCrateName, snakeCase, suggestCrateName } from './crate-name.js';
import {
  lockedVersions,
  memberDependencyEntry,
  planDependencies,
  type DependencyDecision,
  type MemberDependency,
} from './dependency-plan.js';
import {
  ERRORS,
  MEMBER_SHARED_OPTIONS,
  NEW_WORKSPACE,
  OWN_LINTS,
  choiceFlags,
  nameOption,
  type AnswersOf,
  type ChoiceFlags,
  type ErrorStyle,
  type OptionSpec,
} from './options.js';
import { disallowedConflicts, disallowedPaths, toolchainLints, workspaceLintConflicts, type LintConflict } from './lint-fit.js';
import { generatorPath, templatesDir } from './paths.js';
import { PatternsGenerator, type PatternOptions } from './patterns-generator.js';
import { EDITION, RUST_VERSION, lintTables } from './rust-conventions.js';
import { MAX_WIDTH, formatIfTooWide } from './rust-format.js';
import { isTable, lookup } from './toml-value.js';
import { TEMPLATE_VERSIONS } from './versions.js';
import { normalizeMemberPath } from './workspace-members.js';
import { ROOT_PLAN, rootContext, type MemberSummary } from './workspace-root.js';
import { checkResolves, explainResolveFailure, type PendingWrite } from './resolve-check.js';
import { plannedFiles, type WritePlan } from './write-plan.js';
import { checkYoRc, type RecordedMember, type RecordedWorkspace } from './yo-rc.js';

/** The part of the update generator a member generator composes to render other members again. */
interface Refresher {
  /** The refreshed members' files as rendered: what the baseline records of them. */
  refreshedFiles(): Map<string, string>;
  /** Whether `path` (relative to the root) belongs to a refreshed member. */
  renderedHere(path: string): boolean;
}

/** What the templates of every member see; members add their own derived values. */
export interface MemberContext extends ChoiceFlags<typeof ERRORS> {
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
  /** A fallible return type of library code in the error style: `Result<T, E>`, or `anyhow::Result<T>`. */
  readonly result: (ok: string, err: string) => string;
  /**
   * Context on a fallible call in anyhow-style library code, on a new line
   * indented by `indent`: `.context("…")`, or `.with_context(|| format!("…"))`
   * when the message interpolates (`{id}`). Empty where library errors are
   * typed: their variants say what failed.
   */
  readonly context: (indent: number, message: string) => string;
  /** The `[package]` keys inherited from, or set beside, the workspace. */
  readonly packageFields: string;
  /** Rendered `[dependencies]`, `[dev-dependencies]` and `[build-dependencies]` entries. */
  readonly dependencies: string;
  readonly devDependencies: string;
  readonly buildDependencies: string;
  /** The `[lints]` section: inherited, or the workspace's lints written out. */
  readonly lints: string;
  /** Tool, image and action versions (lib/versions.ts), e.g. `versions.images.postgres`. */
  readonly versions: typeof TEMPLATE_VERSIONS;
  /** The map of counts: `HashMap`, or `BTreeMap` where the workspace's clippy.toml disallows std's HashMap. */
  readonly mapType: 'HashMap' | 'BTreeMap';
  /** The workspace's other members of ours (recorded, or written in this run): for code that uses another member's. */
  readonly peers: readonly Peer[];
}

/** Another member of the workspace, as a member's templates see it. */
export interface Peer extends RecordedMember {
  /** Package name, e.g. `my-worker`. */
  readonly name: string;
  /** Its library's Rust identifier, e.g. `my_worker`. */
  readonly crate: string;
  /** Its directory relative to this member's, for a `path` dependency, e.g. `../my-worker`. */
  readonly fromMember: string;
}

/** What the workspace forbids that a template has a variant for (read from its clippy.toml). */
export interface Adaptations {
  readonly disallowedTypes?: readonly string[];
}

const STD_HASH_MAP = ['std::collections::HashMap', 'std::collections::hash_map::HashMap'];

/** The options every member generator has: the positional name and the shared ones. */
type SharedMemberSpecs = readonly [ReturnType<typeof nameOption>, ...typeof MEMBER_SHARED_OPTIONS];

/**
 * A member's answers, typed from its option specs: `answers.errors` is
 * `'split' | 'thiserror' | 'anyhow'`, and the service's `answers.db` is
 * `'sqlite' | 'postgres' | 'mysql'`. (An intersection, so that the shared keys
 * stay known where `O` is generic.)
 */
export type MemberAnswers<O extends readonly OptionSpec[]> = AnswersOf<SharedMemberSpecs> & AnswersOf<O>;

/**
 * A member kind: its options, the crates its code uses, the template values it
 * derives (`X`), and its write plan over the shared and derived values.
 */
export interface MemberDefinition<O extends readonly OptionSpec[] = readonly OptionSpec[], X extends object = object> {
  /** Generator name and template folder: `cli` -> `yo rust-patterns:cli`, `templates/cli`. */
  readonly kind: string;
  readonly description: string;
  /** The member's own options (its e2e matrix crosses every value of each choice option). */
  readonly options: O;
  // Methods, not function properties, so that every member fits `MemberDefinition` with the default parameters.
  /** The crates the member's code uses, with the features it needs. */
  dependencies(answers: MemberAnswers<O>): readonly MemberDependency[];
  /** Derived template values beyond the shared ones. */
  context?(answers: MemberAnswers<O>, base: MemberContext): X;
  readonly plan: WritePlan<MemberContext & X>;
  /** Named profiles the member needs in the workspace root (Cargo reads profiles only there). */
  readonly profiles?: readonly CargoProfile[];
  /**
   * Whether this member's code changes with `peer` in the workspace (its
   * templates read `peers`), given its own recorded answers: a member added
   * or regenerated later then renders this one again, merged like an update,
   * so that either order of generation gives the same workspace.
   */
  usesPeer?(own: Readonly<Record<string, unknown>>, peer: RecordedMember): boolean;
  /**
   * The member's code passes clippy with the strict set too (lib/lint-fit.ts
   * STRICT_SET: pedantic, missing_docs, unreachable_pub), which the e2e checks,
   * so a workspace raising those lints fits it.
   */
  readonly strictLints?: boolean;
}

/** Declares a member with its answer and context types inferred from the option specs and `context`. */
export function defineMember<const O extends readonly OptionSpec[], X extends object = object>(
  definition: MemberDefinition<O, X>,
): MemberDefinition<O, X> {
  return definition;
}

/**
 * The error crates of a member with library code and a binary: thiserror for
 * the typed errors of styles split and thiserror, anyhow for styles split and
 * anyhow, with its `std` feature (backtraces), which the workspace entry
 * leaves off for the wasm member.
 */
export function errorStyleDependencies(errors: ErrorStyle): MemberDependency[] {
  return [
    ...(errors === 'thiserror' ? [] : [{ name: 'anyhow', features: ['std'] } as const]),
    ...(errors === 'anyhow' ? [] : [{ name: 'thiserror' } as const]),
  ];
}

/** The member's directory relative to the root: `--path`, or `crates/<name>`. */
export function memberDirectory(answers: { readonly name: string; readonly path: string }): string {
  return answers.path === '' ? `crates/${answers.name}` : posix.normalize(normalizeMemberPath(answers.path));
}

/**
 * Every value the member's templates see, from its answers and the root
 * manifest it joins. `decisions` are the dependency decisions against that
 * root (planned afresh when absent, as for a new workspace).
 */
export function memberTemplateContext<O extends readonly OptionSpec[], X extends object>(
  definition: MemberDefinition<O, X>,
  answers: MemberAnswers<O>,
  rootValue: Record<string, unknown>,
  decisions: readonly DependencyDecision[] = planDependencies(rootValue, definition.dependencies(answers)),
  adaptations: Adaptations = {},
  recorded: Readonly<Record<string, RecordedMember>> = {},
): MemberContext & X {
  const { errors, name } = answers;
  const memberPath = memberDirectory(answers);
  const libThiserror = errors !== 'anyhow';
  const section = (kind: MemberDependency['kind']): string =>
    decisions
      .filter((d) => (d.dep.kind ?? 'normal') === kind)
      .sort((a, b) => a.dep.name.localeCompare(b.dep.name))
      .map((d) => memberDependencyEntry(d.dep, d))
      .join('\n');
  const base: MemberContext = {
    name,
    crate: snakeCase(name),
    pascal: pascalCase(name),
    memberPath,
    errors,
    ...choiceFlags(ERRORS, errors),
    libThiserror,
    binAnyhow: errors !== 'thiserror',
    result: (ok, err) => (libThiserror ? `Result<${ok}, ${err}>` : `anyhow::Result<${ok}>`),
    context: (indent, message) => {
      if (libThiserror) return '';
      const call = message.includes('{') ? `.with_context(|| format!("${message}"))` : `.context("${message}")`;
      return `\n${' '.repeat(indent)}${call}`;
    },
    packageFields: packageFields(rootValue),
    dependencies: section('normal'),
    devDependencies: section('dev'),
    buildDependencies: section('build'),
    lints: lookup(rootValue, ['workspace', 'lints']) === undefined ? lintTables('lints') : '[lints]\nworkspace = true',
    versions: TEMPLATE_VERSIONS,
    mapType: adaptations.disallowedTypes?.some((t) => STD_HASH_MAP.includes(t)) ? 'BTreeMap' : 'HashMap',
    peers: peersOf(recorded, name, memberPath),
  };
  return { ...base, ...(definition.context?.(answers, base) ?? ({} as X)) };
}

/** The members in `recorded` other than `self` (at `selfPath`), sorted by name so that the order of generation does not show. */
function peersOf(recorded: Readonly<Record<string, RecordedMember>>, self: string, selfPath: string): Peer[] {
  return Object.entries(recorded)
    .filter(([name]) => name !== self)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, member]) => ({
      ...member,
      name,
      crate: snakeCase(name),
      fromMember: posix.relative(selfPath, member.path) || '.',
    }));
}

/** The generator class of a member kind: `export default class CliGenerator extends memberGenerator(CLI) {}`. */
export function memberGenerator<O extends readonly OptionSpec[], X extends object>(definition: MemberDefinition<O, X>) {
  return class extends MemberGenerator<O, X> {
    constructor(args: string[], options: PatternOptions) {
      super(args, options, definition);
    }
  };
}

export abstract class MemberGenerator<
  O extends readonly OptionSpec[] = readonly OptionSpec[],
  X extends object = object,
> extends PatternsGenerator<MemberAnswers<O>> {
  protected readonly definition: MemberDefinition<O, X>;
  /** True when run by the app generator for a workspace it is writing. */
  private composed = false;
  /** No Cargo.toml at or above the current directory: the run may create a workspace there. */
  private outsideCargo = false;
  /** Creating a new workspace in the current directory (`--new-workspace`, or confirmed). */
  private freshWorkspace = false;
  /** The member states its own lints and clippy.toml (`--own-lints`, asked only where the workspace's would fail it). */
  private ownLints = false;
  /** Template variants the workspace's clippy.toml calls for. */
  private adaptations: Adaptations = {};
  /** The update that renders again the members using this one (refreshMembersUsing). */
  private refresher: Refresher | undefined;

  constructor(args: string[], options: PatternOptions, definition: MemberDefinition<O, X>) {
    super(args, options, memberSpecs(definition));
    this.definition = definition;
    this.argument('name', { type: String, required: false, description: `Package name of the ${definition.kind} crate` });
    this.sourceRoot(templatesDir(definition.kind));
  }

  protected get memberName(): string {
    return this.answerTo('name');
  }

  protected get memberPath(): string {
    return memberDirectory({ name: this.answerTo('name'), path: this.answerTo('path') });
  }

  /**
   * The members recorded in `.yo-rc.json` as this run sees it: those of earlier
   * runs, and (from `configuring` on) those of this run, this one included.
   */
  private get recordedMembers(): Readonly<Record<string, RecordedMember>> {
    // Shape checked by checkYoRc.
    return (this.config.get('members') as Record<string, RecordedMember> | undefined) ?? {};
  }

  /** A path for messages, relative to where the user runs the generator. */
  private shown(...parts: string[]): string {
    return shownPath(this.env.cwd, this.destinationPath(...parts));
  }

  async initializing(): Promise<void> {
    this.checkGivenOptions();
    const root = this.answers['workspace-root'] ?? '';
    this.composed = root !== '';
    if (this.composed) {
      this.destinationRoot(root);
      return;
    }
    const found = findWorkspaceRoot(this.env.cwd, this.read);
    this.outsideCargo = found === undefined;
    this.destinationRoot(found ?? this.env.cwd);
    // Everything the run decides is read under the lock, so two runs at once cannot lose each other's member.
    await this.lockWorkspace(this.destinationRoot());
    checkYoRc(this.destinationRoot(), this.shown('.yo-rc.json'));
  }

  async prompting(): Promise<void> {
    if (this.outsideCargo) await this.confirmNewWorkspace();
    const workspace = suggestCrateName(basename(this.destinationRoot()));
    // `--own-lints` is asked later, and only where the workspace's lints would fail the member (fitWorkspaceLints).
    await this.answer(
      memberSpecs(this.definition).filter((s) => s !== OWN_LINTS),
      { name: `${workspace}-${this.definition.kind}` },
    );
    await this.fitWorkspaceLints();
  }

  /** Outside any Cargo repository: create a workspace in place only when told (`--new-workspace`) or after asking. */
  private async confirmNewWorkspace(): Promise<void> {
    const given = this.answers[NEW_WORKSPACE.flag];
    const where = this.env.cwd;
    const notCargo = `No Cargo.toml at or above ${where}: this is not a Cargo repository`;
    if (given === false)
      throw new Error(`${notCargo}, and --no-${NEW_WORKSPACE.flag} forbids creating one. Nothing was written.`);
    if (given !== true) {
      if (this.answers.defaults === true) {
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

  /** Every check before anything is written: a failure here leaves every file as it was. */
  async configuring(): Promise<void> {
    const problem = crateNameError(this.memberName, `${this.definition.kind} crate name`);
    if (problem) throw new Error(`${problem} Nothing was written.`);
    const ownDependency = this.definition.dependencies(this.allAnswers()).find((d) => sameCrateName(d.name, this.memberName));
    if (ownDependency) {
      throw new Error(
        `The ${this.definition.kind} member depends on the crate ${ownDependency.name}, so it cannot be named ${this.memberName}: \`cargo -p ${this.memberName}\` would be ambiguous and the crate could not use its dependency by name. Choose another name. Nothing was written.`,
      );
    }
    const recorded = this.recordedMembers;
    const ours = recorded[this.memberName];
    const regenerating = ours?.kind === this.definition.kind && ours.path === this.memberPath;
    if (!this.composed) {
      const pathProblem = memberPathProblem(this.destinationRoot(), this.memberPath, this.read);
      if (pathProblem) throw new Error(`--path: ${pathProblem}. Nothing was written.`);
    }
    if (!this.composed && !this.freshWorkspace) this.checkWorkspace(regenerating);
    const target = this.destinationPath(this.memberPath);
    if (lexists(target) && !regenerating) {
      throw new Error(
        `${this.shown(this.memberPath)} already exists. Choose another name, or another place with --path. Nothing was written.`,
      );
    }
    this.storeAnswers({ keep: true });
    // The member's own answers too (stored or not), so that `rust-patterns update` renders it as it was asked for.
    const answers = this.allAnswers() as Readonly<Record<string, unknown>>;
    const options = Object.fromEntries(this.definition.options.map((o) => [o.flag, answers[o.flag]]));
    const member: RecordedMember = { kind: this.definition.kind, path: this.memberPath, options };
    this.config.set('members', { ...recorded, [this.memberName]: member });
    if (this.freshWorkspace) this.config.set('workspace', { generated: 'in-place' } satisfies RecordedWorkspace);
    this.sortRecord();
    if (!this.composed) await this.refreshMembersUsing(ours, member);
  }

  /** Our `.yo-rc.json` section with sorted keys, members too: the order members were added in does not show. */
  private sortRecord(): void {
    const section = this.config.getAll();
    const sorted = (record: Record<string, unknown>): Record<string, unknown> =>
      Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const key of Object.keys(section)) this.config.delete(key);
    for (const [key, value] of Object.entries(sorted(section))) {
      this.config.set(key, key === 'members' && isTable(value) ? sorted(value) : value);
    }
  }

  /**
   * Members recorded earlier whose code changes with this one (a service with
   * `POST /jobs` once a queue worker joins: `usesPeer`) are rendered again,
   * merged with the user's edits as `rust-patterns update` merges, in this
   * run and its one transaction. So the workspace is the same whichever
   * member came first. (The app writes its members in one run: each sees
   * the others through `.yo-rc.json` already.)
   */
  private async refreshMembersUsing(before: RecordedMember | undefined, after: RecordedMember): Promise<void> {
    // Imported here: the member definitions import this module.
    const { MEMBERS } = await import('../generators/members.js');
    const recorded = this.recordedMembers;
    const uses = (member: RecordedMember, peer: RecordedMember | undefined): boolean => {
      const definition = MEMBERS.find((m) => m.kind === member.kind);
      return peer !== undefined && (definition?.usesPeer?.(member.options ?? {}, peer) ?? false);
    };
    const changed = Object.entries(recorded)
      .filter(([name, member]) => name !== this.memberName && uses(member, before) !== uses(member, after))
      .map(([name]) => name);
    // The app's README, CI and supply-chain policy list every member: a new one, or new answers, change them.
    const appRoot = (this.config.get('workspace') as RecordedWorkspace | undefined)?.generated === 'app';
    const refreshRoot = appRoot && JSON.stringify(before) !== JSON.stringify(after);
    if (changed.length === 0 && !refreshRoot) return;
    if (changed.length > 0) {
      this.log.info(
        `${changed.join(', ')} ${changed.length === 1 ? 'uses' : 'use'} ${this.memberName}: rendered again, keeping your edits (as \`rust-patterns update\` would).`,
      );
    }
    this.refresher = await this.composeWith<PatternsGenerator & Refresher>(generatorPath('update'), {
      generatorOptions: {
        'workspace-root': this.destinationRoot(),
        refresh: changed.join(','),
        'refresh-root': refreshRoot,
        'skip-install': this.skipsInstall,
      },
    });
  }

  /** The baseline records the refreshed members as rendered, not as merged with the user's edits. */
  protected override renderedFiles(): Map<string, string> {
    const files = super.renderedFiles();
    if (!this.refresher) return files;
    const refreshed = this.refresher.refreshedFiles();
    for (const path of files.keys()) if (this.refresher.renderedHere(path) && !refreshed.has(path)) files.delete(path);
    for (const [path, text] of refreshed) files.set(path, text);
    return files;
  }

  /**
   * Holds the member's code against the workspace's lints and clippy.toml
   * (lib/lint-fit.ts): takes a template variant where one exists, says what
   * would still fail and where, and asks whether the member states its own
   * lints instead (`--own-lints`; under `--defaults` it inherits them). A
   * member that states its own already (a rerun, an update) keeps them.
   */
  private async fitWorkspaceLints(): Promise<void> {
    const settle = (value: boolean): Promise<void> =>
      this.answer([{ ...OWN_LINTS, prompt: undefined, default: value } satisfies OptionSpec]);
    // A workspace being written (by the app, or in place) has our lints; an update keeps the member's own.
    const rootText = this.freshWorkspace ? undefined : this.read(this.destinationPath('Cargo.toml'));
    const rootValue = rootText === undefined ? {} : parseManifest(rootText, this.shown('Cargo.toml')).value;
    const workspaceLints = lookup(rootValue, ['workspace', 'lints']) !== undefined;
    const previous = this.read(this.destinationPath(this.memberPath, 'Cargo.toml'));
    const statesOwn = workspaceLints && previous !== undefined && statesOwnLints(previous);
    const clippyConfig = rootText === undefined ? undefined : this.clippyConfigAbove();
    this.adaptations = { disallowedTypes: clippyConfig ? disallowedPaths(clippyConfig.text, 'disallowed-types') : [] };
    if (this.composed || rootText === undefined || statesOwn) {
      await settle(statesOwn);
      this.ownLints = this.answerTo('own-lints');
      return;
    }
    const sources = this.renderedSources(rootValue);
    const table = workspaceLints ? toolchainLints(this.destinationRoot()) : undefined;
    if (workspaceLints && !table) {
      this.log.info(
        `Not checked that the workspace's [workspace.lints] fit ${this.memberName}'s code: clippy is not installed (\`rustup component add clippy\`).`,
      );
    }
    if (this.adaptations.disallowedTypes?.some((t) => STD_HASH_MAP.includes(t))) {
      this.log.info(`${clippyConfig!.shown} disallows std's HashMap, so ${this.memberPath} uses BTreeMap where it counts.`);
    }
    const conflicts: LintConflict[] = [
      ...(table ? workspaceLintConflicts(rootValue, table, this.definition.strictLints === true, sources) : []),
      ...(clippyConfig ? disallowedConflicts(clippyConfig.text, clippyConfig.shown, sources) : []),
    ];
    if (conflicts.length === 0) {
      await settle(false);
      this.ownLints = this.answerTo('own-lints');
      return;
    }
    for (const c of conflicts) this.log.info(`${c.where}: \`${c.lint}\` would fail ${this.memberPath}: ${c.why}.`);
    await this.answer([OWN_LINTS]);
    this.ownLints = this.answerTo('own-lints');
    if (!this.ownLints) {
      this.log.info(
        `${this.memberPath} inherits them: \`cargo clippy -p ${this.memberName} -- -D warnings\` will report what is listed above. Run again with --own-lints to give the member its own.`,
      );
    }
  }

  /** The clippy configuration clippy would read for the member: the nearest clippy.toml at or above its directory. */
  private clippyConfigAbove(): { readonly text: string; readonly shown: string } | undefined {
    for (let dir = dirname(this.destinationPath(this.memberPath)); ; dir = dirname(dir)) {
      for (const name of ['clippy.toml', '.clippy.toml']) {
        const text = this.read(join(dir, name));
        if (text !== undefined) return { text, shown: shownPath(this.env.cwd, join(dir, name)) };
      }
      if (relative(this.destinationRoot(), dir) === '' || dirname(dir) === dir) return undefined;
    }
  }

  /** The member's Rust sources as they would be written, by path relative to the root: what the lints judge. */
  private renderedSources(rootValue: Record<string, unknown>): Map<string, string> {
    const answers = { ...this.answers, [OWN_LINTS.flag]: false } as MemberAnswers<O>;
    const ctx = memberTemplateContext(this.definition, answers, rootValue, undefined, this.adaptations, this.recordedMembers);
    const sources = new Map<string, string>();
    for (const { template, output } of plannedFiles(this.definition.plan, ctx)) {
      if (!output.endsWith('.rs')) continue;
      const file = this.templatePath(template);
      sources.set(posix.join(this.memberPath, output), ejs.render(readFileSync(file, 'utf8'), ctx, { filename: file }));
    }
    return sources;
  }

  /** The existing workspace takes the member: a readable root manifest, a free name, an allowed place. */
  private checkWorkspace(regenerating: boolean): void {
    const rootFile = this.destinationPath('Cargo.toml');
    const root = parseManifest(this.read(rootFile)!, this.shown('Cargo.toml'));
    const clash = workspacePackages(this.destinationRoot(), root, this.read, this.env.cwd).find(
      (p) => sameCrateName(p.name, this.memberName) && !(regenerating && p.dir === this.memberPath),
    );
    if (clash) {
      const alike =
        clash.name === this.memberName ? '' : ` (Cargo and crates.io treat ${clash.name} and ${this.memberName} as one name)`;
      throw new Error(
        `The workspace already has a package named ${clash.name}, in ${this.shown(clash.dir, 'Cargo.toml')}${alike}. Choose another name. Nothing was written.`,
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
    const answers = this.allAnswers();
    const deps = this.definition.dependencies(answers);
    const previousFile = this.destinationPath(this.memberPath, 'Cargo.toml');
    const previous = this.read(previousFile);
    // The workspace's own packages, by name (tokio's repository holds tokio): a member uses them where it can.
    const packages = this.freshWorkspace ? [] : workspacePackages(this.destinationRoot(), root, this.read, this.env.cwd);
    const memberDir = this.destinationPath(this.memberPath);
    const decisions = planDependencies(
      root.value,
      deps,
      lockedVersions(this.read(this.destinationPath('Cargo.lock'))),
      previous === undefined ? undefined : parseManifest(previous, this.shown(this.memberPath, 'Cargo.toml')).value,
      (name) => {
        const found = packages.find((p) => p.name === name && p.dir !== this.memberPath);
        if (!found) return undefined;
        const fromMember = relative(memberDir, this.destinationPath(found.dir)).split('\\').join('/') || '.';
        return { version: found.version, dir: found.dir, fromMember };
      },
      (name) => (this.freshWorkspace ? undefined : patchedCrate(this.destinationRoot(), root, name, this.read)),
    );
    const explained = new Set<string>();
    for (const { dep, reason, source, version } of decisions) {
      // A crate that is both a dependency and a dev-dependency is explained once.
      if (reason && !explained.has(dep.name)) {
        explained.add(dep.name);
        this.log.info(
          source === 'local' && version === undefined
            ? `${dep.name}: ${reason}, so ${this.memberPath}/Cargo.toml asks for it itself; your Cargo.toml keeps its line.`
            : `${dep.name}: ${reason}.`,
        );
      }
    }
    const own = ownPackageSettings(root.value);
    if (!this.freshWorkspace && !this.composed) {
      for (const setting of own) this.log.info(`${this.memberPath}/Cargo.toml sets ${setting}.`);
    }
    const rendered = memberTemplateContext(
      this.definition,
      answers,
      root.value,
      decisions,
      this.adaptations,
      this.recordedMembers,
    );
    const ctx = this.ownLints ? { ...rendered, lints: lintTables('lints') } : rendered;
    if (this.ownLints && !this.composed) {
      this.log.info(
        `${this.memberPath}/Cargo.toml sets its own [lints], and the member its own clippy.toml: you chose them over the workspace's.`,
      );
    }
    for (const { template, output } of plannedFiles(this.definition.plan, ctx)) {
      const target = this.destinationPath(this.memberPath, output);
      this.fs.copyTpl(this.templatePath(template), target, ctx);
      if (output.endsWith('.rs')) this.formatWideLines(target);
    }
    if (
      this.needsOwnClippyConfig(root.value) ||
      (this.ownLints && !this.fs.exists(this.destinationPath(this.memberPath, 'clippy.toml')))
    ) {
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
      this.writeWithoutQuestion(rootManifestPath);
    }
    // Yeoman confirms its own .yo-rc.json through a `**/.yo-rc.json` glob, which skips
    // dot-directories: a workspace under ~/.local/src would otherwise get an overwrite prompt.
    const rc = this.destinationPath('.yo-rc.json');
    if (this.fs.store.existsInMemory(rc) && isFilePending(this.fs.store.get(rc))) this.writeWithoutQuestion(rc);
  }

  /** A long crate name can push a line past rustfmt's width: such a file is formatted now (lib/rust-format.ts). */
  private formatWideLines(file: string): void {
    const rendered = this.fs.read(file);
    const formatted = formatIfTooWide(rendered);
    if (formatted === undefined) {
      this.log.info(
        `${this.shown(relative(this.destinationRoot(), file))} has lines near or over ${MAX_WIDTH} columns (a long crate name) and rustfmt is not installed: run \`cargo fmt\` once it is.`,
      );
    } else if (formatted !== rendered) {
      this.fs.write(file, formatted);
    }
  }

  /**
   * A new workspace in the current directory: the root plan of `rust-patterns app`
   * without the README and CI that list members (members are added below), each
   * file only where the directory has none.
   */
  private writeWorkspaceRoot(): void {
    const ctx = rootContext();
    for (const { template, output } of plannedFiles(ROOT_PLAN, ctx)) {
      if (this.fs.exists(this.destinationPath(output))) continue;
      this.fs.copyTpl(join(templatesDir('app'), template), this.destinationPath(output), ctx);
    }
  }

  /**
   * Where the member brings its own lints (the workspace has none), it also
   * brings the clippy.toml they assume (tests may unwrap), unless the
   * repository already has a clippy configuration on the member's way up.
   */
  private needsOwnClippyConfig(rootValue: Record<string, unknown>): boolean {
    if (lookup(rootValue, ['workspace', 'lints']) !== undefined) return false;
    // From the parent up: a clippy.toml in the member's directory is the one this writes (a rerun, an update).
    for (let dir = dirname(this.destinationPath(this.memberPath)); ; dir = dirname(dir)) {
      if (['clippy.toml', '.clippy.toml'].some((f) => this.read(join(dir, f)) !== undefined)) return false;
      if (relative(this.destinationRoot(), dir) === '' || dirname(dir) === dir) return true;
    }
  }

  /**
   * A member joining an existing workspace must leave it resolvable: checked
   * on a staged copy (lib/resolve-check.ts) before anything is written.
   */
  protected override async beforeWrite(writes: readonly PendingWrite[]): Promise<void> {
    if (this.composed || this.freshWorkspace || writes.length === 0) return;
    if (this.skipsInstall) {
      this.log.info(
        `Not checked that the workspace resolves with ${this.memberName} (--skip-install runs no cargo): run \`cargo metadata\` to see.`,
      );
      return;
    }
    const outcome = await checkResolves(this.destinationRoot(), writes);
    if (outcome.status === 'unknown') {
      this.log.info(`Could not check that the workspace resolves with ${this.memberName}: ${outcome.reason}.`);
      return;
    }
    if (outcome.status === 'breaks') {
      throw new Error(
        `${explainResolveFailure(outcome.cargoError, this.memberName, outcome.stagedRoot, this.destinationRoot())}\nNothing was written.`,
      );
    }
    // `-p <name>` must name one package: a crate of the same name anywhere in the graph makes it ambiguous.
    const namesake = outcome.packages.find((p) => p.source !== undefined && sameCrateName(p.name, this.memberName));
    if (namesake) {
      throw new Error(
        `The workspace's dependency graph already has a crate named ${namesake.name} (${namesake.version}): a member named ${this.memberName} would make \`cargo -p ${this.memberName}\` ambiguous. Choose another name. Nothing was written.`,
      );
    }
  }

  async install(): Promise<void> {
    // The app generator formats and checks the whole new workspace itself.
    if (this.composed || this.skipsInstall || this.isDryRun) return;
    if (this.filesWritten === 0) {
      this.log.info(`Nothing changed: ${this.memberPath} is as this generator writes it.`);
      return;
    }
    await runCargoSteps(this, this.destinationRoot(), [
      ['fmt', '-p', this.memberName],
      ['check', '-p', this.memberName],
    ]);
  }

  /** Called by the app generator once answers are known (after configuring). */
  summary(): MemberSummary {
    return memberSummary(this.definition, this.allAnswers(), this.recordedMembers);
  }
}

/** What the workspace root's README, CI and policy files say of a member (its `_workspace/` snippets). */
export function memberSummary<O extends readonly OptionSpec[], X extends object>(
  definition: MemberDefinition<O, X>,
  answers: MemberAnswers<O>,
  recorded: Readonly<Record<string, RecordedMember>>,
): MemberSummary {
  const ctx = memberTemplateContext(definition, answers, {}, undefined, {}, recorded);
  const snippet = (file: string): string => {
    const path = join(templatesDir(definition.kind), '_workspace', file);
    return existsSync(path) ? ejs.render(readFileSync(path, 'utf8'), ctx) : '';
  };
  return {
    kind: definition.kind,
    name: answers.name,
    path: memberDirectory(answers),
    readme: snippet('README.md'),
    ciCheck: snippet('ci-check.yml'),
    ciCheckSteps: snippet('ci-check-steps.yml'),
    ciJobs: snippet('ci-jobs.yml'),
    dependabot: snippet('dependabot.yml'),
    denyIgnore: snippet('deny-ignore.toml'),
    denySkip: snippet('deny-skip.toml'),
    denySkipTree: snippet('deny-skip-tree.toml'),
  };
}

/** A member generator's options, in the order `--help` lists them. */
function memberSpecs(definition: MemberDefinition): readonly OptionSpec[] {
  return [nameOption(`${definition.kind} crate`, definition.kind), ...MEMBER_SHARED_OPTIONS, ...definition.options];
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
    typeof rustVersion === 'string' && atLeast(rustVersion, RUST_VERSION)
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

/** The `[package]` settings a member states itself rather than inheriting, each with why (as packageFields decides). */
function ownPackageSettings(rootValue: Record<string, unknown>): string[] {
  const ws = (key: string): unknown => lookup(rootValue, ['workspace', 'package', key]);
  const edition = ws('edition');
  const rustVersion = ws('rust-version');
  const settings: string[] = [];
  if (edition !== EDITION) {
    settings.push(
      `edition = "${EDITION}" itself (${edition === undefined ? 'the workspace sets none' : `the workspace's is ${JSON.stringify(edition)}`}): its code is written for ${EDITION}`,
    );
  }
  if (!(typeof rustVersion === 'string' && atLeast(rustVersion, RUST_VERSION))) {
    settings.push(
      `rust-version = "${RUST_VERSION}" itself (${typeof rustVersion === 'string' ? `the workspace's ${rustVersion} is older` : 'the workspace sets none'}): the oldest Rust its code and dependencies build with`,
    );
  }
  if (lookup(rootValue, ['workspace', 'lints']) === undefined) {
    settings.push('its own [lints] (the workspace has no [workspace.lints] to inherit): the lints its code is checked with');
  }
  return settings;
}

/** Whether a member's manifest states its own `[lints]` rather than `workspace = true`. */
function statesOwnLints(manifest: string): boolean {
  const lints = lookup(parseManifest(manifest).value, ['lints']);
  return isTable(lints) && lints['workspace'] !== true;
}

/** Whether a `rust-version` is `minimum` or newer. */
function atLeast(version: string, minimum: string): boolean {
  const [have, need] = [parseVersion(version), parseVersion(minimum)];
  return have !== undefined && need !== undefined && compareVersions(have, need) >= 0;
}

/** Whether anything is at `path`, a dangling symbolic link included. */
function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
