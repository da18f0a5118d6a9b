/** The cli member: a Clap v4 derive binary with a library part. */
import { defineMember, errorStyleDependencies } from '../../lib/member-generator.js';

export const CLI = defineMember({
  kind: 'cli',
  description: 'Clap v4 derive CLI: a `stats` subcommand on a file or stdin, text/json output, completions',
  // Clean under the strict set; the e2e's `clippy strict` step checks it.
  strictLints: true,
  options: [],
  dependencies: ({ errors }) => [
    { name: 'clap', features: ['derive'] },
    { name: 'clap_complete' },
    { name: 'serde', features: ['derive'] },
    { name: 'serde_json' },
    { name: 'tracing' },
    { name: 'tracing-subscriber', features: ['ansi', 'fmt'] },
    ...errorStyleDependencies(errors),
    { name: 'assert_cmd', kind: 'dev' },
    { name: 'predicates', kind: 'dev' },
    { name: 'tempfile', kind: 'dev' },
  ],
  plan: [{ templates: ['Cargo.toml', 'README.md', 'src/lib.rs', 'src/cli.rs', 'src/stats.rs', 'src/main.rs', 'tests/cli.rs'] }],
});
