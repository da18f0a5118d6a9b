/**
 * The contract for a member's own e2e checks, in `test/e2e/members/<kind>.ts`
 * (export `default`): what the workspace needs before cargo runs (a database,
 * say) and the steps beyond fmt, clippy and test.
 */
import type { Combination } from './matrix.js';

export interface MemberUnderTest {
  readonly kind: string;
  /** Package name, e.g. `e2e-cli`. */
  readonly name: string;
  /** Member directory, absolute. */
  readonly dir: string;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface StepContext {
  readonly combination: Combination;
  /** The generated workspace root. */
  readonly workspace: string;
  readonly member: MemberUnderTest;
  /** The environment every step runs with: CARGO_TARGET_DIR and what `prepare` added. */
  readonly env: Readonly<Record<string, string>>;
  /** The shared cargo target directory. */
  readonly targetDir: string;
  /** Runs a command; rejects with its output when it fails. */
  run(command: string, args: readonly string[], options?: { cwd?: string; env?: Record<string, string> }): Promise<string>;
}

export interface Step {
  readonly name: string;
  readonly run: (ctx: StepContext) => Promise<void>;
}

export interface Prepared {
  readonly env?: Readonly<Record<string, string>>;
  readonly cleanup?: () => Promise<void>;
  /** Cargo steps (`test`, say) this machine cannot run for the member, each with the reason; shown as skipped. */
  readonly skipCargoSteps?: Readonly<Record<string, string>>;
}

export interface MemberE2e {
  /** Before any cargo step: e.g. a fresh database. Throw `Skip` when a local service is missing. */
  readonly prepare?: (ctx: Omit<StepContext, 'env'>) => Promise<Prepared>;
  /** Extra steps after fmt, clippy and test. */
  readonly steps?: (ctx: StepContext) => readonly Step[];
}

/** Thrown by `prepare` when something outside the project is missing; fatal under CI=true. */
export class Skip extends Error {}
