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
import { TEMPLATE_VERSIONS } from './versions.js';
import type { WritePlan } from './write-plan.js';

/**
 * What a member adds to the files of a new workspace root, rendered from its
 * optional `templates/<kind>/_workspace/` snippets: a README section, job-level
 * keys of the workspace CI check job (services, env), steps that job needs
 * before cargo runs (e.g. a Python with libpython), CI jobs of its own, and
 * its parts of the supply-chain policy: Dependabot entries for its own
 * manifests (pip, npm, docker), and the advisories and duplicate versions
 * `deny.toml` lets through for it, each with its reason.
 */
export interface MemberSummary {
  readonly kind: string;
  readonly name: string;
  readonly path: string;
  readonly readme: string;
  readonly ciCheck: string;
  readonly ciCheckSteps: string;
  readonly ciJobs: string;
  readonly dependabot: string;
  readonly denyIgnore: string;
  readonly denySkip: string;
  readonly denySkipTree: string;
}

export interface RootContext {
  readonly edition: string;
  readonly rustVersion: string;
  readonly lints: string;
  /** Tool, image and action versions (lib/versions.ts). */
  readonly versions: typeof TEMPLATE_VERSIONS;
  /** deny.toml's `[licenses] allow`. */
  readonly denyLicenses: readonly string[];
  /** `rust-patterns app` only: the workspace name and its members, for the README and CI. */
  readonly name?: string;
  readonly members?: readonly MemberSummary[];
  /** `rust-patterns app` only: whether the supply-chain policy files and CI jobs are written (`--supply-chain`). */
  readonly supplyChain?: boolean;
}

export const ROOT_PLAN: WritePlan<RootContext> = [
  // What Cargo and its tools read: every new workspace has these.
  { templates: ['Cargo.toml', 'rustfmt.toml', 'clippy.toml', 'gitignore'] },
  // The README and CI list the members, so only the app, which knows them all, writes them.
  { condition: (ctx) => ctx.members !== undefined, templates: ['README.md', 'dot-github/workflows/ci.yml'] },
  // The supply-chain policy names the members' manifests and advisories, so it too is the app's; `--no-supply-chain` leaves it out.
  {
    condition: (ctx) => ctx.members !== undefined && ctx.supplyChain === true,
    templates: ['deny.toml', 'dot-github/dependabot.yml'],
  },
];

/**
 * The licenses of every crate the members can pull in (measured with
 * `cargo deny list` on every e2e combination), each permissive and so
 * compatible with the workspace's `MIT OR Apache-2.0`.
 */
const DENY_LICENSES = [
  'Apache-2.0',
  // target-lexicon (pyo3's build configuration).
  'Apache-2.0 WITH LLVM-exception',
  // matchit (axum's router), subtle.
  'BSD-3-Clause',
  // webpki-roots: Mozilla's root certificates, as data (rustls in sqlx).
  'CDLA-Permissive-2.0',
  // ring, rustls-webpki, untrusted.
  'ISC',
  'MIT',
  // unicode-ident and the ICU crates behind url.
  'Unicode-3.0',
  // foldhash.
  'Zlib',
];

/** The root's context; `app` gives the workspace name and its members. */
export function rootContext(app?: {
  readonly name: string;
  readonly members: readonly MemberSummary[];
  readonly supplyChain: boolean;
}): RootContext {
  return {
    edition: EDITION,
    rustVersion: RUST_VERSION,
    lints: lintTables('workspace.lints'),
    versions: TEMPLATE_VERSIONS,
    denyLicenses: DENY_LICENSES,
    // By path: the app, an update and a member added later list them alike.
    ...(app && { ...app, members: [...app.members].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) }),
  };
}
