/**
 * What every generator of this package shares: flags derived from option
 * specs and a strict reading of the command line, answering each option
 * (flag, stored answer, default or prompt), storing the answers in
 * `.yo-rc.json` with the generator version, and committing the run's files
 * all or nothing (lib/transaction.ts) under the workspace lock.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { createConflicterTransform, createYoResolveTransform, forceYoFiles } from '@yeoman/conflicter';
import type { MemFsEditorFile } from 'mem-fs-editor';
import { diffIndices } from 'node-diff3';
import { clearFileState, isFilePending, setCommittedFile } from 'mem-fs-editor/state';
import Generator from 'yeoman-generator';
import type { BaseOptions } from 'yeoman-generator';
import { BASELINE_FILE, encodeBaseline, readBaseline, type Baseline } from './baseline.js';
import { workspaceDependencyText, workspaceDependencyTexts } from './cargo-manifest.js';
import { ENVIRONMENT_FLAGS, commandLineProblem, type KnownFlag } from './command-line.js';
import { describeSystemError, isSystemError, verbOf } from './fs-errors.js';
import { parseOptionValue, parseStoredValue, questionFor, type OptionSpec } from './options.js';
import { PACKAGE_ROOT } from './paths.js';
import type { PendingWrite } from './resolve-check.js';
import { noteCreatedDirectory, writeAtomically } from './transaction.js';
import { CRATES, type CrateName } from './versions.js';
import { lockWorkspace } from './workspace-lock.js';
import { checkYoRc } from './yo-rc.js';

export const GENERATOR_VERSION: string = (
  JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

/** Flags by name: the shared built-ins plus whatever the option specs declare. */
export type PatternOptions = BaseOptions & Record<string, unknown>;

// Non-boolean flags keep their raw value (string, or `false` from `--no-x`): parseOptionValue types them.
const rawValue = (value: unknown): unknown => value;

/** The environment's flags, listed in every generator's `--help` (the environment acts on them). */
const ENVIRONMENT_HELP: Readonly<Record<string, string>> = {
  force: 'Overwrite files this generator wrote before, without asking',
  bail: 'Stop at the first file that would be overwritten',
  'dry-run': 'Show what would change (the diffs, the files it would create) and write nothing',
};

/** The files of writeWithoutQuestion, by run (environment). */
const DECIDED_FILES = new WeakMap<object, Set<string>>();

/** Files a run writes that the baseline does not record as generated files. */
const NOT_IN_BASELINE = new Set(['Cargo.toml', '.yo-rc.json', '.yo-resolve', BASELINE_FILE]);

/** What the commit needs of the environment, beyond the typed `Environment`. */
interface CommitEnvironment {
  readonly sharedFs: {
    pipeline(options: { filter: (file: MemFsEditorFile) => boolean }, ...transforms: unknown[]): Promise<void>;
  };
  readonly adapter: Parameters<typeof createConflicterTransform>[0];
  readonly conflicterOptions?: Parameters<typeof createConflicterTransform>[1];
}

/**
 * `A` is the type of the generator's answers, derived from its option specs
 * with `AnswersOf` (`this.answers.db` is `'sqlite' | 'postgres' | 'mysql' | undefined`).
 */
export abstract class PatternsGenerator<A extends object = Record<string, unknown>> extends Generator<
  Record<string, unknown>,
  PatternOptions
> {
  /** Every answer by flag, each parsed by its spec before it is stored here. */
  private readonly answered: Record<string, unknown> = {};
  private readonly specs: readonly OptionSpec[];
  /** Run by the user (not composed by the app): this generator commits, installs and locks for the run. */
  protected readonly topLevel: boolean;
  private releaseLock: (() => void) | undefined;
  private baselineRecorded = false;

  constructor(args: string[], options: PatternOptions, specs: readonly OptionSpec[]) {
    const topLevel = !(typeof options['workspace-root'] === 'string' && options['workspace-root'] !== '');
    // Yeoman reads `.yo-rc.json` of the directory it starts in while constructing; check it first.
    if (topLevel) {
      const start = typeof options.destinationRoot === 'string' ? options.destinationRoot : (options.env?.cwd ?? process.cwd());
      checkYoRc(start, join(start, '.yo-rc.json'));
    }
    // inheritTasks: the run-loop methods live in base classes (MemberGenerator), not in each subclass.
    // customInstallTask: no npm install phase (ours runs cargo). Both it and the commit belong to
    // the generator the user ran, not again to the members the app composes.
    super(args, options, { inheritTasks: true, ...(topLevel ? { customInstallTask: true } : {}) });
    this.topLevel = topLevel;
    if (topLevel) this.setFeatures({ ...this.features, customCommitTask: () => this.commit() });
    this.specs = specs;
    for (const spec of specs) {
      if (spec.flag === 'name') continue;
      const shownDefault = Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
      this.option(spec.flag, {
        type: spec.kind === 'boolean' ? Boolean : (rawValue as typeof String),
        description:
          spec.kind === 'choice' || spec.kind === 'list'
            ? `${spec.description}: ${spec.choices.map((c) => c.value).join('|')} (default: ${shownDefault})`
            : spec.kind === 'boolean' || shownDefault === ''
              ? spec.description
              : `${spec.description} (default: ${shownDefault})`,
        ...(spec.alias ? { alias: spec.alias } : {}),
        ...(spec.hidden ? { hide: true } : {}),
      });
    }
    for (const [name, description] of Object.entries(ENVIRONMENT_HELP)) this.option(name, { type: Boolean, description });
    const skipInstall = this._options['skip-install'];
    if (skipInstall) skipInstall.description = 'Do not run cargo fmt and cargo check after writing';
  }

  /** `--skip-install` from the command line, or `skipInstall` from the environment (yeoman-test sets it). */
  protected get skipsInstall(): boolean {
    return this.options['skip-install'] === true || this.options['skipInstall'] === true;
  }

  /** `--ask-answered`: ask again even where `.yo-rc.json` holds an answer. */
  protected get asksAnswered(): boolean {
    return this.options['ask-answered'] === true || this.options['askAnswered'] === true;
  }

  /** The answers so far, typed by the option specs; a flag not yet answered is undefined. */
  protected get answers(): Partial<A> {
    // Sound where `A` is `AnswersOf` the specs: only `parseOptionValue(spec, ..)` results,
    // which have the spec's value type, are stored, under the spec's flag.
    return this.answered as Partial<A>;
  }

  /** The answer to one option; throws if it has none yet. */
  protected answerTo<F extends keyof A & string>(flag: F): A[F] {
    if (!(flag in this.answered)) throw new Error(`internal: no answer yet for ${flag}`);
    return this.answers[flag] as A[F];
  }

  /** Every answer, once each option has one (after `answer` ran for all specs); throws if one is missing. */
  protected allAnswers(): A {
    const missing = this.specs.filter((s) => !(s.flag in this.answered)).map((s) => s.flag);
    if (missing.length > 0) throw new Error(`internal: no answer yet for ${missing.join(', ')}`);
    return this.answered as A;
  }

  protected spec(flag: string): OptionSpec {
    const spec = this.specs.find((s) => s.flag === flag);
    if (!spec) throw new Error(`internal: no option '${flag}'`);
    return spec;
  }

  /** A flag given on the command line or by a composing generator, parsed; undefined if absent. */
  protected given(flag: string): unknown {
    const raw = this.options[flag];
    if (raw === undefined) return undefined;
    return parseOptionValue(this.spec(flag), raw);
  }

  /**
   * Checks the command line word by word (unknown flags, extra arguments), then
   * parses every given flag, so that bad input stops the run before any prompt
   * or write. Errors name the flag and the accepted values.
   */
  protected checkGivenOptions(): void {
    const flags: KnownFlag[] = [
      ...Object.values(this._options).map((o) => ({
        name: o.name,
        ...(o.alias ? { alias: o.alias } : {}),
        boolean: o.type === Boolean,
      })),
      ...ENVIRONMENT_FLAGS,
    ];
    const generator = this.options.namespace.replace(/^rust-patterns:?/, '') || 'app';
    const problem = commandLineProblem(
      this._args,
      flags,
      this._arguments.map((a) => a.name),
      generator,
    );
    if (problem) throw new Error(`${problem} Nothing was written.`);
    for (const spec of this.specs) {
      let value: unknown;
      try {
        value = this.given(spec.flag);
      } catch (error) {
        throw new Error(`${(error as Error).message} Nothing was written.`, { cause: error });
      }
      if (value !== undefined) this.answered[spec.flag] = value;
    }
  }

  /**
   * Answers the given options that are still open: a stored answer from
   * `.yo-rc.json`, else the default under `--defaults`, else a prompt.
   * `defaults` may override spec defaults (e.g. a name derived from the workspace).
   */
  protected async answer(specs: readonly OptionSpec[], defaults: Readonly<Record<string, unknown>> = {}): Promise<void> {
    const quick = this.answered['defaults'] === true;
    const questions: { spec: OptionSpec; question: Record<string, unknown> }[] = [];
    for (const spec of specs) {
      if (spec.flag in this.answered) continue;
      const stored: unknown = spec.stored ? this.config.get(spec.flag) : undefined;
      const storedValue = stored === undefined ? undefined : parseStoredValue(spec, stored, this.destinationPath('.yo-rc.json'));
      if (storedValue !== undefined && !this.asksAnswered) {
        this.answered[spec.flag] = storedValue;
        continue;
      }
      const fallback = storedValue ?? defaults[spec.flag] ?? spec.default;
      if (quick || !spec.prompt) {
        this.answered[spec.flag] = parseOptionValue(spec, fallback);
      } else {
        questions.push({ spec, question: questionFor(spec, fallback) });
      }
    }
    if (questions.length === 0) return;
    this.checkCanPrompt(questions.map((q) => q.spec));
    const replies = await this.prompt(questions.map((q) => q.question) as never);
    for (const [flag, reply] of Object.entries(replies)) {
      this.answered[flag] = parseOptionValue(this.spec(flag), reply);
    }
  }

  /**
   * With no terminal to ask on (a script, CI, a pipe), an open question would
   * fail inside the prompt library with "User force closed the prompt"; say
   * instead which flags answer it.
   */
  protected checkCanPrompt(open: readonly OptionSpec[]): void {
    // The environment's adapter may be a queue in front of the terminal (or test) adapter.
    type Adapter = { stdin?: { isTTY?: boolean }; mockedAnswers?: unknown; actualAdapter?: Adapter };
    const outer = this.env.adapter as Adapter;
    const adapter = outer.actualAdapter ?? outer;
    if (adapter.mockedAnswers !== undefined || adapter.stdin?.isTTY === true) return;
    const flags = open.map((spec) =>
      spec.kind === 'choice' || spec.kind === 'list'
        ? `--${spec.flag} ${spec.choices.map((c) => c.value).join('|')}`
        : `--${spec.flag}`,
    );
    const questions = open.map((s) => `"${s.prompt ?? s.description}"`).join(', ');
    throw new Error(
      `No terminal to ask on (stdin is not a TTY), and nothing answers ${questions}. ` +
        `Pass ${flags.join(', ')}, or --defaults to take the defaults. Nothing was written.`,
    );
  }

  /**
   * Saves the stored answers and the generator version in `.yo-rc.json`.
   * With `keep`, answers already stored stay (a flag given to one member run
   * does not change the workspace's default), unless `--ask-answered` asked them again.
   */
  protected storeAnswers(options: { keep?: boolean } = {}): void {
    const keep = options.keep === true && !this.asksAnswered;
    const stored = Object.fromEntries(
      this.specs
        .filter((s) => s.stored && s.flag in this.answered && !(keep && this.config.get(s.flag) !== undefined))
        .map((s) => [s.flag, this.answered[s.flag]]),
    );
    this.config.merge({ ...stored, version: GENERATOR_VERSION });
  }

  /** `--dry-run`, from the command line or the environment: show what would change, write nothing. */
  protected get isDryRun(): boolean {
    const env = (this.env as unknown as { options?: Record<string, unknown> }).options ?? {};
    return env['dryRun'] === true || this.options['dryRun'] === true || this.options['dry-run'] === true;
  }

  /**
   * Yeoman creates the destination root on disk as soon as it is set; such a
   * directory is noted so that the commit moves the staged tree over it and a
   * failed or dry run removes it again (lib/transaction.ts).
   */
  override destinationRoot(rootPath?: string): string {
    if (typeof rootPath !== 'string') return super.destinationRoot();
    const missing: string[] = [];
    for (let dir = resolve(rootPath); !existsSync(dir) && dirname(dir) !== dir; dir = dirname(dir)) missing.push(dir);
    const root = super.destinationRoot(rootPath);
    for (const dir of missing) noteCreatedDirectory(dir);
    return root;
  }

  /**
   * Takes the workspace lock (one run at a time) and drops what was read from
   * disk before it, so that every later read sees what the previous run wrote.
   * Released after the commit, or at exit.
   */
  protected async lockWorkspace(root: string): Promise<void> {
    if (this.isDryRun || !this.topLevel) return;
    this.releaseLock = await lockWorkspace(root, this.env.cwd);
    // A run that fails before its commit releases the lock too (in-process runs do not exit).
    (this.env as unknown as NodeJS.EventEmitter).once('error', () => this.releaseLock?.());
    const store = this.fs.store as unknown as { all(): MemFsEditorFile[]; store: Map<string, MemFsEditorFile> };
    for (const file of store.all()) if (!isFilePending(file)) store.store.delete(file.path);
  }

  /**
   * A file as this run sees it: pending in mem-fs (written earlier in this run),
   * else on disk; undefined when absent. mem-fs alone would read an unreadable
   * file as an absent one.
   */
  protected readonly read = (file: string): string | undefined => {
    if (this.fs.store.existsInMemory(file) && isFilePending(this.fs.store.get(file))) return this.fs.read(file);
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      if (isSystemError(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return undefined;
      if (isSystemError(error)) {
        throw new Error(`${describeSystemError(error, verbOf(error.syscall), file, this.env.cwd)} Nothing was written.`, {
          cause: error,
        });
      }
      throw error;
    }
  };

  /**
   * The files this run generated, by path relative to the workspace root, as
   * rendered: what the baseline records. By default every file pending in
   * mem-fs but the root `Cargo.toml` (an edit of the user's file, recorded by its
   * dependency entries), `.yo-rc.json` and the baseline itself.
   */
  protected renderedFiles(): Map<string, string> {
    const rendered = new Map<string, string>();
    const root = this.destinationRoot();
    for (const file of this.fs.store.all()) {
      if (!isFilePending(file) || file.state === 'deleted' || !file.contents) continue;
      const path = relative(root, file.path).split(sep).join('/');
      if (path.startsWith('..') || NOT_IN_BASELINE.has(path)) continue;
      rendered.set(path, file.contents.toString('utf8'));
    }
    return rendered;
  }

  /** The baseline's files after this run: by default the earlier ones, with this run's rendered files over them. */
  protected baselineFiles(previous: Baseline | undefined, rendered: ReadonlyMap<string, string>): Record<string, string> {
    return { ...previous?.files, ...Object.fromEntries(rendered) };
  }

  /**
   * Writes the baseline (lib/baseline.ts) into this run's files, so that it
   * lands in the same transaction as what it describes.
   */
  private recordBaseline(): void {
    // Once per run: writing it makes the environment queue another commit, which must not record again.
    if (this.baselineRecorded) return;
    this.baselineRecorded = true;
    const root = this.destinationRoot();
    const rendered = this.renderedFiles();
    if (rendered.size === 0 || this.isDryRun) return;
    const previous = readBaseline(root);
    const manifest = this.read(join(root, 'Cargo.toml'));
    const ours = manifest === undefined ? {} : workspaceDependencyTexts(manifest);
    // Entries that hold what the version table writes: ours to move to a newer pin later.
    const dependencies = Object.fromEntries(
      Object.entries(ours).filter(([name, text]) => name in CRATES && text === workspaceDependencyText(name as CrateName)),
    );
    const path = join(root, BASELINE_FILE);
    this.fs.write(
      path,
      encodeBaseline({ generator: GENERATOR_VERSION, files: this.baselineFiles(previous, rendered), dependencies }),
    );
    // Ours alone, rewritten by every run: no overwrite question.
    this.writeWithoutQuestion(path);
  }

  /**
   * A pending file whose change the generator decided itself (an insert into
   * the user's manifest, `.yo-rc.json`, the baseline, an update's merge): no
   * overwrite question from Yeoman, and the log says what changed instead of
   * Yeoman's "force". Identical to the disk, it is not written at all.
   */
  protected writeWithoutQuestion(path: string): void {
    if (!existsSync(path)) return;
    const file = this.fs.store.get(path);
    const pending = file.contents;
    if (file.state !== 'deleted' && pending && Buffer.compare(pending, readFileSync(path)) === 0) clearFileState(file);
    else this.decidedFiles.add(path);
  }

  /** Shared by every generator of the run: the commit of the top-level one passes them all. */
  private get decidedFiles(): Set<string> {
    let files = DECIDED_FILES.get(this.env);
    if (!files) DECIDED_FILES.set(this.env, (files = new Set()));
    return files;
  }

  /** How many files the commit wrote (or deleted): none on a rerun that changes nothing. */
  protected filesWritten = 0;

  /** Takes the files of writeWithoutQuestion past the conflicter (silent for a status it has no logger for), logging each. */
  private passDecidedFiles(): Transform {
    const log = (line: string): void => void this.env.adapter.log.write(`${line}\n`);
    const { decidedFiles, isDryRun } = this;
    const cwd = this.env.cwd;
    return new Transform({
      objectMode: true,
      transform(file: MemFsEditorFile, _encoding, done) {
        const withStatus = file as { conflicter?: string };
        // forceYoFiles() marks a new .yo-rc.json "force": it is created.
        if (withStatus.conflicter === 'force' && !existsSync(file.path)) withStatus.conflicter = 'create';
        if (decidedFiles.has(file.path) && isFilePending(file)) {
          const change = describeChange(file.path, file.state === 'deleted' ? undefined : (file.contents ?? Buffer.alloc(0)));
          const status = isDryRun ? `would ${change.verb}` : change.verb;
          log(`${status.padStart('identical'.length)} ${relative(cwd, file.path)}${change.detail}`);
          if (isDryRun) for (const line of change.lines) log(line);
          // A dry run then skips it, as every other file.
          withStatus.conflicter = 'decided';
        }
        done(null, file);
      },
    });
  }

  /**
   * The last check before the commit, on every file the run would write
   * (before any overwrite question): throwing here writes nothing.
   */
  protected beforeWrite?(writes: readonly PendingWrite[]): Promise<void>;

  /**
   * The environment's commit, made transactional: Yeoman's conflict handling
   * (`--force`, `--bail`, `--dry-run`, `.yo-resolve`, prompts) decides file by
   * file first; then every file it lets through is written all or nothing.
   */
  private async commit(): Promise<void> {
    const env = this.env as unknown as CommitEnvironment;
    const toWrite = (file: MemFsEditorFile) => ({
      path: file.path,
      contents: file.state === 'deleted' ? undefined : (file.contents ?? Buffer.alloc(0)),
      ...(file.stat?.mode === undefined ? {} : { mode: file.stat.mode & 0o7777 }),
    });
    /** The files the conflicter lets through. */
    const note = (into: (file: MemFsEditorFile) => void): Transform =>
      new Transform({
        objectMode: true,
        transform(file: MemFsEditorFile, _encoding, done) {
          if (isFilePending(file)) into(file);
          done(null, file);
        },
      });
    const pending: MemFsEditorFile[] = [];
    try {
      this.recordBaseline();
      // Before Yeoman's conflict handling logs or asks anything: what the run would write.
      const store = this.fs.store as unknown as { all(): MemFsEditorFile[] };
      await this.beforeWrite?.(
        store
          .all()
          .filter((file) => isFilePending(file))
          .map(toWrite),
      );
      await env.sharedFs.pipeline(
        { filter: (file) => isFilePending(file) || file.path.endsWith('.yo-resolve') },
        createYoResolveTransform(),
        forceYoFiles(),
        this.passDecidedFiles(),
        createConflicterTransform(env.adapter, env.conflicterOptions),
        note((file) => pending.push(file)),
      );
      await writeAtomically(pending.map(toWrite), this.env.cwd);
      this.filesWritten += pending.length;
      for (const file of pending) {
        setCommittedFile(file);
        clearFileState(file);
      }
    } finally {
      this.releaseLock?.();
    }
  }
}

/**
 * What a decided change does to a file on disk, in lines ("update Cargo.toml:
 * 2 lines inserted"), and the changed lines themselves for a dry run.
 */
function describeChange(path: string, next: Buffer | undefined): { verb: string; detail: string; lines: string[] } {
  if (next === undefined) return { verb: 'delete', detail: '', lines: [] };
  const before = readFileSync(path);
  if (before.includes(0) || next.includes(0) || path.endsWith('.gz')) return { verb: 'update', detail: '', lines: [] };
  const split = (bytes: Buffer): string[] => bytes.toString('utf8').split(/\r?\n/);
  const [old, now] = [split(before), split(next)];
  let inserted = 0;
  let removed = 0;
  const lines: string[] = [];
  // Each differing chunk gives [offset, length] in the old and in the new lines.
  for (const chunk of diffIndices(old, now) as { buffer1: [number, number]; buffer2: [number, number] }[]) {
    const [[from, dropped], [to, added]] = [chunk.buffer1, chunk.buffer2];
    removed += dropped;
    inserted += added;
    lines.push(...old.slice(from, from + dropped).map((l) => `-${l}`), ...now.slice(to, to + added).map((l) => `+${l}`));
  }
  const count = (n: number, what: string): string => `${n} line${n === 1 ? '' : 's'} ${what}`;
  const parts = [...(inserted ? [count(inserted, 'inserted')] : []), ...(removed ? [count(removed, 'removed')] : [])];
  return { verb: 'update', detail: parts.length ? `: ${parts.join(', ')}` : '', lines };
}
