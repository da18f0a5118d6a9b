/**
 * Settings every generated workspace shares, in one place: the edition, the
 * minimum Rust version and the lints, written to the root `Cargo.toml` of a
 * new workspace or, where an existing workspace lacks them, into the member.
 */
export const EDITION = '2024';

/**
 * The oldest Rust every resolved dependency builds with (sqlx 0.9 needs 1.94;
 * let chains 1.88). The e2e checks it against `cargo metadata` of each workspace.
 */
export const RUST_VERSION = '1.94';

/**
 * Lint levels as TOML lines, per tool. `unsafe_code` is `deny`, not `forbid`:
 * the pyo3 and wasm-bindgen macros expand to code that needs a local allow.
 * `unwrap_used` keeps panics out of library and request paths; tests may
 * unwrap (`allow-unwrap-in-tests` in clippy.toml).
 */
export const LINTS: Readonly<Record<'rust' | 'clippy', readonly string[]>> = {
  rust: ['unsafe_code = "deny"', 'missing_debug_implementations = "warn"', 'unused_qualifications = "warn"'],
  clippy: ['all = { level = "warn", priority = -1 }', 'dbg_macro = "warn"', 'todo = "warn"', 'unwrap_used = "warn"'],
};

/** `[<prefix>.rust]` and `[<prefix>.clippy]` tables, e.g. prefix `workspace.lints` or `lints`. */
export function lintTables(prefix: string, nl = '\n'): string {
  return (['rust', 'clippy'] as const).map((tool) => [`[${prefix}.${tool}]`, ...LINTS[tool]].join(nl)).join(nl + nl);
}
