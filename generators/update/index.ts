/**
 * `rust-patterns update` (`yo rust-patterns:update`): brings a workspace this
 * generator wrote up to the current generator, keeping every edit of the user.
 *
 * It renders every recorded member (and the root files the generator owns)
 * from the stored answers, in memory, exactly as the member generators write
 * them, then decides file by file with a three-way merge (lib/three-way.ts):
 * base = the baseline recorded at generation (lib/baseline.ts), ours = the
 * file now, theirs = the new render. The root `Cargo.toml` is only edited in
 * place: pins the user did not change move to the current version table, and
 * crates a member now needs are inserted. Everything lands in one transaction.
 *
 * Composed by a member generator with `refresh` (member names), it renders
 * only those members, which use the member being added (`usesPeer`), and with
 * `refresh-root` the root files of a workspace the app wrote (its README, CI
 * and policy list every member): no pin moves, no clean-tree check, the added
 * member's files left to it, and the baseline written by that run (see
 * {@link refreshedFiles}).
 *
 * The order is Yeoman's run loop: `configuring` composes the members,
 * `writing` moves the pins (before the members plan their dependencies
 * against the root), the members' `writing` render, and `transform`, after all
 * of them, merges what they rendered with what is on disk.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { MemFsEditorFile } from 'mem-fs-editor';
import { clearFileState, isFilePending } from 'mem-fs-editor/state';
import { BASELINE_FILE, readBaseline, type Baseline } from '../../lib/baseline.js';
import { replaceWorkspaceDependency, workspaceDependencyText, workspaceDependencyTexts } from '../../lib/cargo-manifest.js';
import { runCargoSteps } from '../../lib/cargo-steps.js';
import { memberSummary, type MemberAnswers, type MemberGenerator } from '../../lib/member-generator.js';
import { ERRORS, type AnswersOf } from '../../lib/options.js';
import { generatorPath, templatesDir } from '../../lib/paths.js';
import { PatternsGenerator, type PatternOptions } from '../../lib/patterns-generator.js';
import { decide, hasConflictMarkers, type Outcome } from '../../lib/three-way.js';
import { CRATES, type CrateName } from '../../lib/versions.js';
import { ROOT_PLAN, rootContext, type MemberSummary } from '../../lib/workspace-root.js';
import { plannedFiles } from '../../lib/write-plan.js';
import { LOCK_NAME } from '../../lib/workspace-lock.js';
import { RC_KEY, readRecord, type RecordedMember, type YoRcRecord } from '../../lib/yo-rc.js';
import { MEMBERS } from '../members.js';
import { UPDATE_OPTIONS } from './options.js';

/** Files of the run that are not merged: edited in place (the root manifest) or ours alone. */
const NOT_MERGED = new Set(['Cargo.toml', '.yo-rc.json', '.yo-resolve', BASELINE_FILE]);

/** Outcomes that leave the file as it is on disk. */
const LEAVES_DISK: ReadonlySet<Outcome> = new Set([
  'unchanged',
  'kept',
  'kept deleted',
  'kept (no longer generated)',
  'unknown',
  'yours',
]);

interface Row {
  readonly path: string;
  readonly outcome: Outcome | 'pin moved' | 'pin kept (yours)';
  readonly detail?: string;
}

export default class UpdateGenerator extends PatternsGenerator<AnswersOf<typeof UPDATE_OPTIONS>> {
  private root = '';
  private record: YoRcRecord | undefined;
  private baseline: Baseline | undefined;
  private readonly members: MemberGenerator[] = [];
  /** Every file the current generator writes, as rendered (before merging): the next baseline. */
  private readonly theirs = new Map<string, string>();
  /** Files with no baseline that differ from the render: left alone, and not recorded. */
  private readonly unknown = new Set<string>();
  private readonly rows: Row[] = [];

  constructor(args: string[], options: PatternOptions) {
    super(args, options, UPDATE_OPTIONS);
  }

  private get checking(): boolean {
    return this.answers.check === true;
  }

  /** The members to render again for a member generator of this run (`refresh`); undefined: every member. */
  private get refreshing(): ReadonlySet<string> | undefined {
    const names = this.options['refresh'];
    return typeof names === 'string' ? new Set(names.split(',').filter(Boolean)) : undefined;
  }

  /** For the member generator that composed this one: what its baseline records of the refreshed members. */
  refreshedFiles(): Map<string, string> {
    return this.renderedFiles();
  }

  async initializing(): Promise<void> {
    this.checkGivenOptions();
    const given = this.options['workspace-root'];
    this.root = typeof given === 'string' && given !== '' ? given : findRecordedRoot(this.env.cwd);
    this.destinationRoot(this.root);
    if (!this.checking) await this.lockWorkspace(this.root);
    this.record = readRecord(this.root);
    this.baseline = readBaseline(this.root);
  }

  async configuring(): Promise<void> {
    const record = this.record!;
    const tracked = Object.keys(this.baseline?.files ?? {}).filter((path) => this.renders(path));
    const marked = tracked.filter((path) => {
      const text = this.read(join(this.root, path));
      return text !== undefined && hasConflictMarkers(text);
    });
    if (marked.length > 0) {
      throw new Error(
        `Conflict markers from an earlier update remain in ${marked.join(', ')}. Resolve them (keep the lines you want, drop the <<<<<<< ||||||| ======= >>>>>>> lines), then run the update again. Nothing was written.`,
      );
    }
    const refreshing = this.refreshing;
    if (!refreshing && !this.checking && !this.isDryRun && this.options['force'] !== true) this.refuseDirtyTree();
    // Answers given now replace the stored ones, for every member that has the option.
    if (!refreshing) this.storeAnswers();
    const stored = { ...record.answers, ...this.answers };
    for (const [name, member] of Object.entries(record.members)) {
      if (refreshing && !refreshing.has(name)) continue;
      const definition = MEMBERS.find((m) => m.kind === member.kind);
      if (!definition) {
        throw new Error(
          `.yo-rc.json records the member ${name} of kind '${member.kind}', which this generator does not know. Nothing was written.`,
        );
      }
      const options = Object.fromEntries(
        definition.options.map((o) => [
          o.flag,
          this.answers[o.flag] ?? member.options?.[o.flag] ?? (o.stored ? stored[o.flag] : undefined),
        ]),
      );
      // Composed as the app composes: answers by flag, no questions, no checks that refuse an existing member.
      this.members.push(
        await this.composeWith<MemberGenerator>(generatorPath(member.kind), {
          generatorArgs: [name],
          generatorOptions: {
            ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
            errors: stored['errors'],
            path: member.path,
            'workspace-root': this.root,
            defaults: true,
          },
        }),
      );
    }
  }

  /** `git diff` must show the update alone, and `git checkout .` undo it. */
  private refuseDirtyTree(): void {
    const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: this.root, encoding: 'utf8' });
    if (status.error || status.status !== 0) {
      this.log.info(
        'Not a git repository (or git is missing): the update cannot be undone with git; --dry-run shows the plan first.',
      );
      return;
    }
    const ours = new Set([LOCK_NAME, `${LOCK_NAME}.json`]);
    const dirty = status.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3))
      .filter((path) => !ours.has(path.replace(/\/$/, '')) && !path.startsWith(`${LOCK_NAME}/`));
    if (dirty.length > 0) {
      throw new Error(
        `The working tree has changes that are not committed (${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ', …' : ''}). Commit or stash them first, so that \`git diff\` shows the update alone and \`git checkout .\` undoes it; or pass --force. Nothing was written.`,
      );
    }
  }

  /** Refreshing for a member added to a workspace the app wrote: its README, CI and policy files list the members. */
  private get refreshesRoot(): boolean {
    return this.refreshing !== undefined && this.options['refresh-root'] === true;
  }

  writing(): void {
    if (!this.refreshing) this.movePins();
    const workspace = this.record!.workspace;
    if (!workspace || (this.refreshing && !this.refreshesRoot)) return;
    // The root files the generator owns, rendered with every member recorded now.
    // A workspace from before the option was stored gets the policy, the default.
    const stored = { ...this.record!.answers, ...this.answers };
    const ctx = rootContext(
      workspace.generated === 'app'
        ? {
            name: workspace.name,
            members: this.refreshing ? this.recordedSummaries(stored) : this.members.map((m) => m.summary()),
            supplyChain: stored['supply-chain'] !== false,
          }
        : undefined,
    );
    for (const { template, output } of plannedFiles(ROOT_PLAN, ctx)) {
      // The root manifest is edited in place (movePins, and the members' inserts), never rendered again.
      if (output === 'Cargo.toml') continue;
      // A member creating a workspace in place wrote only the root files the directory lacked.
      if (workspace.generated === 'in-place' && this.baseline?.files[output] === undefined) continue;
      this.fs.copyTpl(join(templatesDir('app'), template), this.destinationPath(output), ctx);
    }
  }

  /**
   * Every member's summary from `.yo-rc.json` as this run holds it (the member
   * being added included), without composing the members not rendered again.
   */
  private recordedSummaries(stored: Readonly<Record<string, unknown>>): MemberSummary[] {
    // Shape checked by checkYoRc.
    const members = (this.config.get('members') as Record<string, RecordedMember> | undefined) ?? {};
    return Object.entries(members).flatMap(([name, member]) => {
      const definition = MEMBERS.find((m) => m.kind === member.kind);
      if (!definition) return [];
      const options = Object.fromEntries(
        definition.options.map((o) => [o.flag, member.options?.[o.flag] ?? stored[o.flag] ?? o.default]),
      );
      const answers = { ...options, name, path: member.path, errors: stored['errors'] ?? ERRORS.default };
      return [memberSummary(definition, answers as MemberAnswers<typeof definition.options>, members)];
    });
  }

  /** Pins the user did not change move to the current version table; changed ones stay and are reported. */
  private movePins(): void {
    const file = this.destinationPath('Cargo.toml');
    let text = this.read(file);
    if (text === undefined || !this.baseline) return;
    const now = workspaceDependencyTexts(text);
    for (const [name, recorded] of Object.entries(this.baseline.dependencies)) {
      if (!(name in CRATES) || now[name] === undefined) continue;
      const current = workspaceDependencyText(name as CrateName);
      if (now[name] !== recorded) {
        if (now[name] !== current)
          this.rows.push({ path: 'Cargo.toml', outcome: 'pin kept (yours)', detail: `${name} = ${now[name]}` });
        continue;
      }
      if (recorded === current) continue;
      text = replaceWorkspaceDependency(text, name, current);
      this.rows.push({ path: 'Cargo.toml', outcome: 'pin moved', detail: `${name}: ${recorded} -> ${current}` });
    }
    if (text !== this.read(file)) {
      this.fs.write(file, text);
      this.writeWithoutQuestion(file);
    }
  }

  /** After every member rendered: the three-way decision for each file (lib/three-way.ts). */
  transform(): void {
    const hasBaseline = this.baseline !== undefined;
    const rendered = this.fs.store
      .all()
      .filter(
        (file) => isFilePending(file) && file.state !== 'deleted' && file.contents && !NOT_MERGED.has(this.relativePath(file)),
      );
    for (const file of rendered) {
      const path = this.relativePath(file);
      // Refreshing, the added member's own files are its generator's alone.
      if (this.refreshing && !this.renders(path)) continue;
      const theirs = file.contents!.toString('utf8');
      this.theirs.set(path, theirs);
      this.apply(file, path, decide(this.baseline?.files[path], this.disk(path), theirs, hasBaseline));
    }
    // Baseline files the templates no longer write, within what was rendered (members and root files).
    for (const path of Object.keys(this.baseline?.files ?? {})) {
      if (this.theirs.has(path) || !this.renders(path)) continue;
      const decision = decide(this.baseline!.files[path], this.disk(path), undefined, true);
      if (decision.outcome === 'removed') {
        this.fs.delete(this.destinationPath(path));
        this.writeWithoutQuestion(this.destinationPath(path));
      }
      if (decision.outcome !== 'unchanged') this.rows.push({ path, outcome: decision.outcome });
    }
    if (this.checking) this.discardEverything();
    this.report();
  }

  /** Whether `path` belongs to a refreshed member: its pending merge is this run's, not the member generator's. */
  renderedHere(path: string): boolean {
    return this.refreshing !== undefined && this.renders(path);
  }

  /** Whether `path` is among what this run renders: the members' directories, and the root files unless refreshing. */
  private renders(path: string): boolean {
    const refreshing = this.refreshing;
    const members = Object.entries(this.record!.members).filter(([name]) => !refreshing || refreshing.has(name));
    if (members.some(([, m]) => path.startsWith(`${m.path}/`))) return true;
    return (!refreshing || this.refreshesRoot) && (!path.includes('/') || path.startsWith('.github/'));
  }

  private apply(file: MemFsEditorFile, path: string, decision: ReturnType<typeof decide>): void {
    if (decision.outcome === 'unknown') this.unknown.add(path);
    if (decision.outcome !== 'unchanged') this.rows.push({ path, outcome: decision.outcome });
    if (LEAVES_DISK.has(decision.outcome)) {
      // Not written: the file stays as it is on disk (or absent).
      clearFileState(file);
      return;
    }
    this.fs.write(file.path, decision.text!);
    this.writeWithoutQuestion(file.path);
  }

  /** `--check` writes nothing: every pending change of the run is dropped. */
  private discardEverything(): void {
    for (const file of this.fs.store.all()) if (isFilePending(file)) clearFileState(file);
  }

  private relativePath(file: { path: string }): string {
    return relative(this.root, file.path).split(sep).join('/');
  }

  private disk(path: string): string | undefined {
    try {
      return readFileSync(join(this.root, path), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** The next baseline records what the generator writes now, not what the merge produced. */
  protected override renderedFiles(): Map<string, string> {
    // `--check` writes nothing, the baseline included.
    if (this.checking) return new Map();
    return new Map([...this.theirs].filter(([path]) => !this.unknown.has(path)));
  }

  /** The earlier baseline's files that were not rendered this run (a member no longer recorded) stay. */
  protected override baselineFiles(
    previous: Baseline | undefined,
    rendered: ReadonlyMap<string, string>,
  ): Record<string, string> {
    const removed = new Set(
      this.rows.filter((r) => r.outcome === 'removed' || r.outcome === 'kept (no longer generated)').map((r) => r.path),
    );
    const kept = Object.entries(previous?.files ?? {}).filter(([path]) => !removed.has(path) && !this.theirs.has(path));
    return { ...Object.fromEntries(kept), ...Object.fromEntries(rendered) };
  }

  private get conflicts(): string[] {
    return this.rows.filter((r) => r.outcome === 'conflict').map((r) => r.path);
  }

  /** Whether the current generator writes anything other than the baseline: what `--check` reports. */
  private get generatorChanged(): boolean {
    if (!this.baseline) return true;
    return this.rows.some((r) => !['kept', 'kept deleted', 'pin kept (yours)', 'unknown', 'yours'].includes(r.outcome));
  }

  private report(): void {
    if (!this.baseline) {
      this.log.info(
        `No baseline (${BASELINE_FILE}): this workspace was generated before updates existed. Files identical to the current templates are now its baseline; the ${this.unknown.size} that differ are left as they are:`,
      );
    }
    const width = Math.max(0, ...this.rows.map((r) => r.outcome.length));
    for (const row of [...this.rows].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
      this.log(`  ${row.outcome.padEnd(width)}  ${row.path}${row.detail ? `  (${row.detail})` : ''}`);
    }
    if (this.rows.length === 0 && !this.refreshing)
      this.log('Up to date: the current generator writes exactly what the baseline records.');
  }

  async install(): Promise<void> {
    if (this.checking || this.isDryRun || this.skipsInstall || this.rows.length === 0) return;
    if (this.conflicts.length > 0) {
      this.log.info('Skipping cargo fmt and cargo check: resolve the conflicts first, then run them.');
      return;
    }
    const refreshing = this.refreshing;
    if (refreshing?.size === 0) return;
    // Refreshing, the member generator of the run formats and checks its own member; these only need checking.
    await runCargoSteps(
      this,
      this.root,
      refreshing
        ? [['check', ...[...refreshing].flatMap((name) => ['-p', name])]]
        : [
            ['fmt', ...Object.keys(this.record!.members).flatMap((name) => ['-p', name])],
            ['check', '--workspace'],
          ],
    );
  }

  end(): void {
    if (this.checking) {
      if (this.generatorChanged) {
        this.log('The current generator would change this workspace: run `rust-patterns update`.');
        process.exitCode = 1;
      } else {
        this.log('Up to date with this generator (your own edits do not count).');
      }
      return;
    }
    if (this.conflicts.length > 0) {
      this.log(
        `\n${this.conflicts.length} file(s) have conflicts, marked <<<<<<< yours / ||||||| generated before / ======= / >>>>>>> generated now:`,
      );
      for (const path of this.conflicts) this.log(`  ${path}`);
      this.log('Resolve them, then commit. `git diff` shows every change of the update.');
      process.exitCode = 1;
    }
  }
}

/** The nearest directory at or above `cwd` with a `.yo-rc.json` of ours and a `Cargo.toml`. */
function findRecordedRoot(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'Cargo.toml')) && readRecordIfOurs(dir)) return dir;
    if (dirname(dir) === dir) {
      throw new Error(
        `No workspace written by rust-patterns at or above ${cwd}: none has a .yo-rc.json with a "${RC_KEY}" section beside its Cargo.toml. Run the update inside such a workspace. Nothing was written.`,
      );
    }
  }
}

function readRecordIfOurs(dir: string): boolean {
  if (!existsSync(join(dir, '.yo-rc.json'))) return false;
  return readRecord(dir) !== undefined;
}
