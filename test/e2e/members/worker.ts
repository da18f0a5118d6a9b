/**
 * The worker member's own e2e steps: the built binary on real files (exit
 * statuses included), the Tokio bridge example, the library without its
 * default feature, and the benchmark run through `cargo bench` (in the default
 * error style without the queue).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERRORS, QUEUE } from '../../../lib/options.js';
import { Skip, type MemberE2e, type StepContext } from '../member-steps.js';
import { lines, server } from './service.js';
import { STRICT_CLEAN_MEMBERS, STRICT_LINTS } from '../matrix.js';

const worker: MemberE2e = {
  // With the PostgreSQL queue, tests/queue.rs needs a server: a run database
  // whose name prefixes the per-test ones, all dropped afterwards.
  prepare: async (ctx) => {
    if (ctx.member.options['queue'] !== 'postgres') return {};
    const srv = server('postgres');
    try {
      await srv.sql(ctx, 'SELECT 1');
    } catch (error) {
      throw new Skip(`no postgres server for the queue tests (${(error as Error).message.split('\n')[0]})`);
    }
    const name = `e2e_wrk_${process.pid}_${Date.now().toString(36)}`;
    await srv.sql(ctx, `CREATE DATABASE ${name}`);
    return {
      env: { DATABASE_URL: srv.url(name) },
      cleanup: async () => {
        for (const leftover of lines(await srv.sql(ctx, srv.list(name)))) await srv.sql(ctx, srv.drop(leftover));
      },
    };
  },
  steps: (ctx) => [
    {
      name: 'run',
      run: async (ctx) => {
        const bin = join(ctx.targetDir, 'debug', ctx.member.name);
        const src = join(ctx.member.dir, 'src');
        const json = await ctx.run(bin, [src, '--format', 'json', '--threads', '2', '--quiet']);
        const records = json
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { id: string; stats?: { words: number } });
        assert.equal(records.length, readdirSync(src).length, `one record per file of ${src}:\n${json}`);
        for (const record of records) assert.ok((record.stats?.words ?? 0) > 50, `word counts for ${record.id}`);

        // A file that is not UTF-8 fails its own job: exit status 2, the others still written.
        const dir = mkdtempSync(join(tmpdir(), 'worker-e2e-'));
        try {
          writeFileSync(join(dir, 'good.txt'), 'one two three\n');
          writeFileSync(join(dir, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
          await assert.rejects(ctx.run(bin, [dir]), (error: Error) => {
            assert.match(error.message, /exited with 2/);
            assert.match(error.message, /good\.txt\t1 lines, 3 words/);
            assert.match(error.message, /latin1\.txt: not valid UTF-8/);
            return true;
          });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    },
    {
      name: 'example',
      run: async (ctx) => {
        const output = await ctx.run('cargo', ['run', '-q', '-p', ctx.member.name, '--example', 'async_bridge']);
        assert.match(output, /sample text 8: \d+ lines, 100000 words/);
        assert.match(output, /the runtime ticked \d+ times while Rayon worked/);
      },
    },
    {
      name: 'no-default',
      run: async (ctx) => {
        await ctx.run('cargo', [
          'clippy',
          '-p',
          ctx.member.name,
          '--no-default-features',
          '--all-targets',
          '--',
          '-D',
          'warnings',
          // The strict lints too, once the templates are clean under them: `clippy strict` sees the default features only.
          ...(STRICT_CLEAN_MEMBERS.has('worker') ? STRICT_LINTS : []),
        ]);
      },
    },
    // Once per workspace shape, not per error style or queue: clippy --all-targets
    // compiles the benchmark everywhere, and a release build with LTO per case
    // cost six minutes of the CI budget.
    ...(ctx.combination.errors === ERRORS.default && ctx.member.options['queue'] === QUEUE.default
      ? [
          {
            name: 'bench',
            // Proves `cargo bench` builds (release, LTO) and runs; timing is not judged here.
            run: async (c: StepContext) => {
              const output = await c.run('cargo', [
                'bench',
                '-p',
                c.member.name,
                '--',
                '--sample-count',
                '1',
                '--sample-size',
                '1',
              ]);
              assert.match(output, /sequential/);
              assert.match(output, /parallel/);
            },
          },
        ]
      : []),
  ],
};

export default worker;
