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
  anyhow: { version: '1.0.105', defaultFeatures: false },
  assert_cmd: { version: '2.2.2' },
  axum: { version: '0.8.9', defaultFeatures: false },
  // The service's page cursors; sqlx already depends on it.
  base64: {
    version: '0.22.1',
    defaultFeatures: false,
    heldBack: 'sqlx-core 0.9 and metrics-exporter-prometheus are on 0.22: 0.23 would compile a second copy',
  },
  clap: { version: '4.6.9' },
  clap_complete: { version: '4.6.12' },
  console_error_panic_hook: { version: '0.1.7' },
  ctrlc: { version: '3.5.3' },
  divan: { version: '0.1.21', defaultFeatures: false },
  'http-body-util': { version: '0.1.5' },
  // The server loop of the service: HTTP/1 only, with a timer (src/server.rs).
  hyper: { version: '1.12.0', defaultFeatures: false },
  'hyper-util': { version: '0.1.21', defaultFeatures: false },
  'js-sys': { version: '0.3.107' },
  // The service's /metrics: the facade, and the exporter without its HTTP listener and push gateway (the router serves it).
  metrics: { version: '0.24.6', defaultFeatures: false },
  'metrics-exporter-prometheus': { version: '0.18.3', defaultFeatures: false },
  predicates: { version: '3.1.4', defaultFeatures: false },
  // The service's `otlp` feature: one release line (0.33) of OpenTelemetry; tracing-opentelemetry 0.34 is built on it.
  opentelemetry: { version: '0.33.1', defaultFeatures: false },
  'opentelemetry-http': { version: '0.33.1', defaultFeatures: false },
  'opentelemetry-otlp': { version: '0.33.1', defaultFeatures: false },
  opentelemetry_sdk: { version: '0.33.1', defaultFeatures: false },
  pyo3: { version: '0.30.1' },
  rayon: { version: '1.12.0' },
  serde: { version: '1.0.229' },
  serde_json: { version: '1.0.154' },
  sqlx: { version: '0.9.0', defaultFeatures: false },
  talc: { version: '5.1.1' },
  tempfile: { version: '3.27.0' },
  thiserror: { version: '2.0.21' },
  tokio: { version: '1.54.1' },
  tower: { version: '0.5.3', defaultFeatures: false },
  'tower-http': { version: '0.7.1' },
  tracing: { version: '0.1.44' },
  'tracing-opentelemetry': { version: '0.34.0', defaultFeatures: false },
  'tracing-subscriber': { version: '0.3.23', defaultFeatures: false },
  'wasm-bindgen': { version: '0.2.130' },
  'wasm-bindgen-test': { version: '0.3.80' },
} as const satisfies Record<string, CrateVersion>;

export interface CrateVersion {
  readonly version: string;
  readonly defaultFeatures?: false;
  /** Why the pin stays a breaking release behind crates.io's newest; `npm run versions` fails on a pin behind without one. */
  readonly heldBack?: string;
}

export type CrateName = keyof typeof CRATES;

export function crateVersion(name: CrateName): CrateVersion {
  return CRATES[name];
}

/** Where `npm run versions` looks up the newest release of a tool. */
export type Registry = 'crates.io' | 'pypi';

export interface ToolVersion {
  readonly version: string;
  readonly registry: Registry;
  readonly heldBack?: string;
}

/**
 * Tools the generated files install, by exact version: in CI workflows, the
 * service's Dockerfile, and the pyo3 member's build requirement (maturin is a
 * floor there, `>=<version>,<2`). `.ci/setup.d/deny.sh` reads the cargo-deny
 * line with sed: keep it on one line.
 */
export const TOOLS = {
  'cargo-deny': { version: '0.20.2', registry: 'crates.io' },
  'cargo-chef': { version: '0.1.78', registry: 'crates.io' },
  // The service's checked queries (CI's `cargo sqlx prepare --check`): the version of sqlx. .ci/setup.d/sqlx.sh reads this line.
  'sqlx-cli': { version: '0.9.0', registry: 'crates.io' },
  maturin: { version: '1.16.0', registry: 'pypi' },
  // Not in generated files: the framework `npm run bench` compares the service with (bench/loco.ts).
  loco: { version: '1.2.0', registry: 'crates.io' },
} as const satisfies Record<string, ToolVersion>;

/**
 * Container images the generated files run, `name:tag`. No registry here can
 * list their tags, so `npm run versions` prints them unchecked; Dependabot
 * (docker ecosystem) moves them in a generated repository. The Rust builder
 * follows the toolchain the e2e builds with.
 */
export const IMAGES = {
  postgres: 'postgres:17',
  mysql: 'mysql:8.4',
  rust: 'rust:1.95-slim-bookworm',
  distroless: 'gcr.io/distroless/cc-debian12:nonroot',
} as const satisfies Record<string, string>;

/**
 * GitHub Actions of the generated workflows, by major tag (`owner/name@vN`),
 * which the action's publisher moves along its compatible releases; Dependabot
 * (github-actions ecosystem) proposes the next major. `dtolnay/rust-toolchain`
 * is named by the toolchain it installs (`@stable`), or at `@master` takes it
 * as the `toolchain` input (the MSRV job: the workspace's rust-version).
 */
export const ACTIONS = {
  checkout: 'actions/checkout@v5',
  setupPython: 'actions/setup-python@v6',
  rustToolchain: 'dtolnay/rust-toolchain@stable',
  rustToolchainInput: 'dtolnay/rust-toolchain@master',
  rustCache: 'Swatinem/rust-cache@v2',
} as const satisfies Record<string, string>;

/** What every template sees as `versions`: tools, images and actions in one place. */
export const TEMPLATE_VERSIONS = {
  tools: Object.fromEntries(Object.entries(TOOLS).map(([name, tool]) => [name, tool.version])) as Record<
    keyof typeof TOOLS,
    string
  >,
  images: IMAGES,
  actions: ACTIONS,
} as const;
