/**
 * What every generator of this package shares: flags derived from option
 * specs, answering each option (flag, stored answer, default or prompt), and
 * storing the answers in `.yo-rc.json` with the generator version.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Generator from 'yeoman-generator';
import type { BaseOptions } from 'yeoman-generator';
import { PACKAGE_ROOT } from './paths.js';
import { parseOptionValue, questionFor, type OptionSpec } from './options.js';

export const GENERATOR_VERSION: string = (
  JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

/** Flags by name: the shared built-ins plus whatever the option specs declare. */
export type PatternOptions = BaseOptions & Record<string, unknown>;

// Non-boolean flags keep their raw value (string, or `false` from `--no-x`): parseOptionValue types them.
const rawValue = (value: unknown): unknown => value;

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

  constructor(args: string[], options: PatternOptions, specs: readonly OptionSpec[]) {
    // inheritTasks: the run-loop methods live in base classes (MemberGenerator), not in each subclass.
    // customInstallTask: no npm install phase (ours runs cargo); declared once per run, by the
    // generator the user ran, not again by the members the app composes.
    const composed = typeof options['workspace-root'] === 'string' && options['workspace-root'] !== '';
    super(args, options, { inheritTasks: true, ...(composed ? {} : { customInstallTask: true }) });
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
   * Parses every given flag, so that a bad value stops the run before any
   * prompt or write. Errors name the flag and the accepted values.
   */
  protected checkGivenOptions(): void {
    for (const spec of this.specs) {
      const value = this.given(spec.flag);
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
    const questions: Record<string, unknown>[] = [];
    for (const spec of specs) {
      if (spec.flag in this.answered) continue;
      const stored: unknown = spec.stored ? this.config.get(spec.flag) : undefined;
      if (stored !== undefined && !this.asksAnswered) {
        this.answered[spec.flag] = parseOptionValue(spec, stored);
        continue;
      }
      const fallback = stored ?? defaults[spec.flag] ?? spec.default;
      if (quick || !spec.prompt) {
        this.answered[spec.flag] = parseOptionValue(spec, fallback);
      } else {
        questions.push(questionFor(spec, fallback));
      }
    }
    if (questions.length === 0) return;
    const replies = await this.prompt(questions as never);
    for (const [flag, reply] of Object.entries(replies)) {
      this.answered[flag] = parseOptionValue(this.spec(flag), reply);
    }
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
}
