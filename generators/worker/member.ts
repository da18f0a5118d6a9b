/**
 * The worker member: a Rayon batch worker (library + thin binary) with a
 * bounded result channel, cancellation, per-job failures, a Tokio bridge and a
 * divan benchmark.
 *
 * No options of its own: the Tokio bridge is a default-on cargo feature
 * (`async`) of the generated crate rather than a generator choice, so the
 * user can still drop it later and `cargo test --workspace` covers it.
 */
import { defineMember, errorStyleDependencies } from '../../lib/member-generator.js';

export const WORKER = defineMember({
  kind: 'worker',
  description: 'Rayon batch worker: files or stdin lines in parallel, bounded channel, Ctrl-C, Tokio bridge, benchmark',
  // Clean under the strict set; the e2e's `clippy strict` step checks it.
  strictLints: true,
  options: [],
  dependencies: ({ errors }) => [
    { name: 'clap', features: ['derive'] },
    { name: 'ctrlc', features: ['termination'] },
    { name: 'rayon' },
    { name: 'serde', features: ['derive'] },
    { name: 'serde_json' },
    // Only the oneshot channel of the bridge; optional behind the `async` feature.
    { name: 'tokio', features: ['sync'], optional: true },
    { name: 'tracing' },
    { name: 'tracing-subscriber', features: ['ansi', 'fmt'] },
    ...errorStyleDependencies(errors),
    { name: 'divan', kind: 'dev' },
    { name: 'tempfile', kind: 'dev' },
    // The bridge's tests and example run a runtime; the library itself does not.
    { name: 'tokio', kind: 'dev', features: ['macros', 'rt', 'time'] },
  ],
  plan: [
    {
      templates: [
        'Cargo.toml',
        'README.md',
        'src/lib.rs',
        'src/jobs.rs',
        'src/pipeline.rs',
        'src/stats.rs',
        'src/sample.rs',
        'src/bridge.rs',
        'src/main.rs',
        'tests/pipeline.rs',
        'tests/cli.rs',
        'benches/throughput.rs',
        'examples/async_bridge.rs',
      ],
    },
    { condition: (ctx) => ctx.libThiserror, templates: ['src/error.rs'] },
  ],
});
