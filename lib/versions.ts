/**
 * The one table of Rust crate versions used by every generator.
 *
 * Versions are Cargo requirements (caret semantics) written into the root
 * `[workspace.dependencies]`; members inherit them with `workspace = true` and
 * name only the features their code uses. `defaultFeatures: false` is set here,
 * at the workspace level, because a member cannot switch default features off
 * once the workspace entry has them on.
 *
 * Bump a version here, run `npm run test:e2e`, and every template that uses
 * the crate is compiled against it.
 */
export const CRATES = {
  anyhow: { version: '1.0.100' },
  'assert_cmd': { version: '2.2.0' },
  clap: { version: '4.6.0' },
  'clap_complete': { version: '4.6.0' },
  predicates: { version: '3.1.3', defaultFeatures: false },
  serde: { version: '1.0.228' },
  'serde_json': { version: '1.0.145' },
  tempfile: { version: '3.23.0' },
  thiserror: { version: '2.0.17' },
  tracing: { version: '0.1.44' },
  'tracing-subscriber': { version: '0.3.20', defaultFeatures: false },
} as const satisfies Record<string, CrateVersion>;

export interface CrateVersion {
  readonly version: string;
  readonly defaultFeatures?: false;
}

export type CrateName = keyof typeof CRATES;

export function crateVersion(name: CrateName): CrateVersion {
  return CRATES[name];
}
