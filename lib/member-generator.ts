/**
 * The base of every member generator (cli, service, worker, wasm, pyo3): it
 * finds the workspace, answers the shared and the member's own options, renders
 * the member's write plan into `<path>`, and registers the member and its
 * dependencies in the root `Cargo.toml`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import ejs from 'ejs';
import {
  addWorkspaceDependencies,
  addWorkspaceMember,
  lookup,
  memberDependencyEntry,
  parseManifest,
  type MemberDependency,
} from './cargo-manifest.js';
import { crateNameError, pascalCase, snakeCase, suggestCrateName } from './crate-name.js';
import { MEMBER_SHARED_OPTIONS, nameOption, type ErrorStyle, type OptionSpec } from './options.js';
import { templatesDir } from './paths.js';
import { PatternsGenerator, type Answers, type PatternOptions } from './patterns-generator.js';
import { EDITION, RUST_VERSION, lintTables } from './rust-conventions.js';
import { outputPath, selectTemplates, type WritePlan } from './write-plan.js';
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
 * keys of the workspace CI check job (services, env), and CI jobs of its own.
 */
export interface MemberSummary {
  readonly kind: string;
  readonly name: string;
  readonly path: string;
  readonly readme: string;
  readonly ciCheck: string;
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
}

export abstract class MemberGenerator extends PatternsGenerator {
  protected readonly definition: MemberDefinition;
  /** True when run by the app generator for a workspace it is writing. */
  private composed = false;

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
    return path === '' ? `crates/${this.memberName}` : posix.normalize(path.replace(/\\/g, '/'));
  }

  initializing(): void {
    this.checkGivenOptions();
    const root = (this.answers['workspace-root'] as string | undefined) ?? '';
    this.composed = root !== '';
    // Through mem-fs, so files pending from an earlier generator in this run count too.
    const read = (file: string): string | undefined => (this.fs.exists(file) ? this.fs.read(file) : undefined);
    this.destinationRoot(root !== '' ? root : findWorkspaceRoot(this.env.cwd, read));
  }

  async prompting(): Promise<void> {
    const workspace = suggestCrateName(basename(this.destinationRoot()));
    await this.answer(this.specsToAnswer(), { name: `${workspace}-${this.definition.kind}` });
  }

  private specsToAnswer(): OptionSpec[] {
    return [nameOption(`${this.definition.kind} crate`, this.definition.kind), ...MEMBER_SHARED_OPTIONS, ...this.definition.options];
  }

  configuring(): void {
    const problem = crateNameError(this.memberName, `${this.definition.kind} crate name`);
    if (problem) throw new Error(problem);
    const target = this.destinationPath(this.memberPath);
    const recorded = (this.config.get('members') as Record<string, { kind: string; path: string }> | undefined) ?? {};
    const ours = recorded[this.memberName];
    const regenerating = ours?.kind === this.definition.kind && ours.path === this.memberPath;
    if (existsSync(target) && !regenerating) {
      throw new Error(
        `${relative(this.env.cwd, target) || '.'} already exists. Choose another name, or another place with --path.`,
      );
    }
    this.storeAnswers();
    this.config.set('members', { ...recorded, [this.memberName]: { kind: this.definition.kind, path: this.memberPath } });
  }

  writing(): void {
    const rootManifestPath = this.destinationPath('Cargo.toml');
    const rootText = this.fs.read(rootManifestPath);
    const root = parseManifest(rootText, rootManifestPath);
    const ctx = this.templateContext(root.value);
    for (const template of selectTemplates(this.definition.plan, ctx)) {
      this.fs.copyTpl(
        this.templatePath(template),
        this.destinationPath(this.memberPath, outputPath(template)),
        ctx,
      );
    }
    const deps = this.definition.dependencies(this.answers);
    let updated = addWorkspaceMember(rootText, this.memberPath, rootManifestPath);
    updated = addWorkspaceDependencies(updated, deps.map((d) => d.name), rootManifestPath);
    if (updated !== rootText) this.fs.write(rootManifestPath, updated);
  }

  async install(): Promise<void> {
    // The app generator formats and checks the whole new workspace itself.
    if (this.composed || this.skipsInstall) return;
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
      ciJobs: snippet('ci-jobs.yml'),
    };
  }

  private templateContext(rootValue: Record<string, unknown>): TemplateContext {
    const errors = this.answers['errors'] as ErrorStyle;
    const name = this.memberName;
    const deps = this.definition.dependencies(this.answers);
    const section = (kind: MemberDependency['kind']): string =>
      deps
        .filter((d) => (d.kind ?? 'normal') === kind)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map(memberDependencyEntry)
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
 * support, otherwise written out, so the workspace's own settings win.
 */
function packageFields(rootValue: Record<string, unknown>): string {
  const ws = (key: string): unknown => lookup(rootValue, ['workspace', 'package', key]);
  const edition = ws('edition');
  const rustVersion = ws('rust-version');
  return [
    ws('version') !== undefined ? 'version.workspace = true' : 'version = "0.1.0"',
    edition === EDITION ? 'edition.workspace = true' : `edition = "${EDITION}"`,
    typeof rustVersion === 'string' && compareVersions(rustVersion, RUST_VERSION) >= 0
      ? 'rust-version.workspace = true'
      : `rust-version = "${RUST_VERSION}"`,
    ws('license') !== undefined ? 'license.workspace = true' : undefined,
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

/**
 * The workspace root as Cargo finds it: the nearest `Cargo.toml` above `cwd`
 * with a `[workspace]` table, or else the nearest package manifest.
 */
export function findWorkspaceRoot(cwd: string, read: (file: string) => string | undefined): string {
  let nearestPackage: string | undefined;
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const manifest = join(dir, 'Cargo.toml');
    const text = read(manifest);
    if (text !== undefined) {
      const parsed = parseManifest(text, manifest);
      if (parsed.value['workspace'] !== undefined) return dir;
      nearestPackage ??= dir;
    }
    if (dirname(dir) === dir) break;
  }
  if (nearestPackage !== undefined) return nearestPackage;
  throw new Error(
    `No Cargo.toml at or above ${cwd}. Create a workspace first with \`rust-patterns app <name>\` (or \`yo rust-patterns <name>\`), then run this generator inside it.`,
  );
}
