/**
 * The worker member: a Rayon batch worker (library + thin binary) with a
 * bounded result channel, cancellation, per-job failures, a Tokio bridge and a
 * divan benchmark.
 *
 * The Tokio bridge is a default-on cargo feature (`async`) of the generated
 * crate rather than a generator choice, so the user can still drop it later
 * and `cargo test --workspace` covers it. `--queue postgres` (lib/options.ts
 * QUEUE) adds the PostgreSQL job queue and the `consume` subcommand, which
 * need Tokio, so the bridge is then always built.
 */
import { defineMember, errorStyleDependencies } from '../../lib/member-generator.js';
import { QUEUE, choiceFlags } from '../../lib/options.js';

export const WORKER = defineMember({
  kind: 'worker',
  description: 'Rayon batch worker: files or stdin lines in parallel, bounded channel, Ctrl-C, Tokio bridge, benchmark',
  // Clean under the strict set; the e2e's `clippy strict` step checks it.
  strictLints: true,
  options: [QUEUE],
  dependencies: ({ errors, queue }) => [
    { name: 'clap', features: ['derive'] },
    { name: 'ctrlc', features: ['termination'] },
    { name: 'rayon' },
    { name: 'serde', features: ['derive'] },
    { name: 'serde_json' },
    ...(queue === 'postgres'
      ? [
          // Without sqlx's macros (their proc macro builds sqlx twice) and with the
          // service's TLS feature, so a service on PostgreSQL shares one sqlx build.
          {
            name: 'sqlx',
            features: ['migrate', 'postgres', 'runtime-tokio', 'tls-rustls-ring-webpki'],
          } as const,
          // The consumer is a Tokio program: the claim loop, signals, timers; `async` is then always on.
          { name: 'tokio', features: ['macros', 'rt-multi-thread', 'signal', 'sync', 'time'] } as const,
        ]
      : [
          // Only the oneshot channel of the bridge; optional behind the `async` feature.
          { name: 'tokio', features: ['sync'], optional: true } as const,
        ]),
    { name: 'tracing' },
    { name: 'tracing-subscriber', features: ['ansi', 'fmt'] },
    ...errorStyleDependencies(errors),
    { name: 'divan', kind: 'dev' },
    { name: 'tempfile', kind: 'dev' },
    // The bridge's tests and example run a runtime; the library itself does not.
    { name: 'tokio', kind: 'dev', features: ['macros', 'rt', 'time'] },
  ],
  context: ({ queue }) => choiceFlags(QUEUE, queue),
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
    {
      condition: (ctx) => ctx.queuePostgres,
      templates: ['migrations/0001_create_jobs.sql', 'src/queue.rs', 'src/consumer.rs', 'tests/queue.rs'],
    },
  ],
});
