/** The workspace root's write plan: paths under templates/app, which mirrors the generated root. */
export const ROOT_TEMPLATES: readonly string[] = [
  'Cargo.toml',
  'clippy.toml',
  'rustfmt.toml',
  'gitignore',
  'README.md',
  'dot-github/workflows/ci.yml',
];
