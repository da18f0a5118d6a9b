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
  // `std` (backtraces) only where a member names it: it is ~40 KB of WebAssembly.
  anyhow: { version: '1.0.100', defaultFeatures: false },
  assert_cmd: { version: '2.2.0' },
  axum: { version: '0.8.9', defaultFeatures: false },
  clap: { version: '4.6.0' },
  clap_complete: { version: '4.6.0' },
  console_error_panic_hook: { version: '0.1.7' },
  ctrlc: { version: '3.5.2' },
  divan: { version: '0.1.21', defaultFeatures: false },
  'http-body-util': { version: '0.1.5' },
  // The server loop of the service: HTTP/1 only, with a timer (src/server.rs).
  hyper: { version: '1.12.0', defaultFeatures: false },
  'hyper-util': { version: '0.1.21', defaultFeatures: false },
  'js-sys': { version: '0.3.107' },
  predicates: { version: '3.1.3', defaultFeatures: false },
  pyo3: { version: '0.30.1' },
  rayon: { version: '1.12.0' },
  serde: { version: '1.0.228' },
  serde_json: { version: '1.0.145' },
  sqlx: { version: '0.8.6', defaultFeatures: false },
  talc: { version: '5.1.1' },
  tempfile: { version: '3.23.0' },
  thiserror: { version: '2.0.17' },
  tokio: { version: '1.54.1' },
  tower: { version: '0.5.3', defaultFeatures: false },
  'tower-http': { version: '0.7.1' },
  tracing: { version: '0.1.44' },
  'tracing-subscriber': { version: '0.3.20', defaultFeatures: false },
  'wasm-bindgen': { version: '0.2.130' },
  'wasm-bindgen-test': { version: '0.3.80' },
} as const satisfies Record<string, CrateVersion>;

export interface CrateVersion {
  readonly version: string;
  readonly defaultFeatures?: false;
}

export type CrateName = keyof typeof CRATES;

export function crateVersion(name: CrateName): CrateVersion {
  return CRATES[name];
}
