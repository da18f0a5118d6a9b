/**
 * The workspace root's write plan and template context, shared by
 * `rust-patterns app` and by a member generator that creates a workspace in
 * place (`--new-workspace`). The plan's files are under templates/app, which
 * mirrors the generated root.
 *
 * The order is hidden in the run loop, so it is said here: the root is written
 * first with an empty `members` list, and each member generator then inserts
 * itself into the root `Cargo.toml` (and its crates into
 * `[workspace.dependencies]`) through cargo-manifest.ts, exactly as it would
 * join a workspace the user wrote.
 */
import { EDITION, RUST_VERSION, lintTables } from './rust-conventions.js';
import type { WritePlan } from './write-plan.js';

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

export interface RootContext {
  readonly edition: string;
  readonly rustVersion: string;
  readonly lints: string;
  /** `rust-patterns app` only: the workspace name and its members, for the README and CI. */
  readonly name?: string;
  readonly members?: readonly MemberSummary[];
}

export const ROOT_PLAN: WritePlan<RootContext> = [
  // What Cargo and its tools read: every new workspace has these.
  { templates: ['Cargo.toml', 'rustfmt.toml', 'clippy.toml', 'gitignore'] },
  // The README and CI list the members, so only the app, which knows them all, writes them.
  { condition: (ctx) => ctx.members !== undefined, templates: ['README.md', 'dot-github/workflows/ci.yml'] },
];

/** The root's context; `app` gives the workspace name and its members. */
export function rootContext(app?: { readonly name: string; readonly members: readonly MemberSummary[] }): RootContext {
  return { edition: EDITION, rustVersion: RUST_VERSION, lints: lintTables('workspace.lints'), ...app };
}
