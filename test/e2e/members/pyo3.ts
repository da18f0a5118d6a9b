/**
 * The pyo3 member's own e2e steps, as a Python user meets the package: in a
 * fresh virtualenv, maturin builds the wheel (abi3-tagged unless --no-abi3),
 * pip installs it, the generated pytest suite runs against it, mypy's
 * stubtest checks the `.pyi` stubs against the compiled module, and
 * `mypy --strict` checks the package and its tests against those stubs.
 * maturin and a wheelhouse of pytest and mypy come from .ci/setup.d/pyo3.sh.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_ABI3 } from '../../../generators/pyo3/member.js';
import { snakeCase } from '../../../lib/crate-name.js';
import { Skip, type MemberE2e, type StepContext } from '../member-steps.js';

/** Where .ci/setup.d/pyo3.sh puts the tools (the same default as .ci/lib.sh). */
const cache = join(process.env['RUST_PATTERNS_CACHE'] ?? join(homedir(), '.cache', 'generator-rust-patterns'), 'pyo3');
export const maturin = join(cache, 'tools', 'bin', 'maturin');
/** pytest and mypy wheels for this machine's python3 (mypy's differ per version). */
export const wheelhouse = (): string =>
  join(
    cache,
    'wheelhouse',
    execFileSync('python3', ['-c', 'import sys; print(f"py{sys.version_info[0]}.{sys.version_info[1]}")'], {
      encoding: 'utf8',
    }).trim(),
  );

/** The scratch directory `prepare` made for this combination: venv, wheel, mypy cache. */
const scratch = (ctx: StepContext): string => ctx.env['PYO3_E2E_DIR']!;
const python = (ctx: StepContext): string => join(scratch(ctx), 'venv', 'bin', 'python');
const moduleName = (ctx: StepContext): string =>
  (ctx.member.options['module-name'] as string | undefined) || snakeCase(ctx.member.name);
const pip = (ctx: StepContext, ...args: string[]): Promise<string> =>
  ctx.run(python(ctx), [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--no-index',
    '--find-links',
    ctx.env['PYO3_E2E_WHEELHOUSE']!,
    ...args,
  ]);

const pyo3: MemberE2e = {
  prepare: () => {
    const wheels = wheelhouse();
    if (!existsSync(maturin) || !existsSync(wheels)) {
      throw new Skip(`maturin or ${wheels} is missing: run bash .ci/setup.d/pyo3.sh`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'pyo3-e2e-'));
    return Promise.resolve({
      env: { PYO3_E2E_DIR: dir, PYO3_E2E_WHEELHOUSE: wheels },
      cleanup: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    });
  },
  steps: () => [
    {
      name: 'venv',
      run: async (ctx) => {
        await ctx.run('python3', ['-m', 'venv', join(scratch(ctx), 'venv')]);
        await pip(ctx, 'pytest', 'mypy');
      },
    },
    {
      name: 'wheel',
      run: async (ctx) => {
        const out = join(scratch(ctx), 'dist');
        await ctx.run(maturin, ['build', '--release', '--quiet', '--out', out, '--interpreter', python(ctx)], {
          cwd: ctx.member.dir,
        });
        const wheels = readdirSync(out).filter((f) => f.endsWith('.whl'));
        assert.equal(wheels.length, 1, `one wheel expected in ${out}, got ${wheels.join(', ')}`);
        const wheel = wheels[0]!;
        const abi3 = ctx.member.options['abi3'] as string;
        const cp = (
          await ctx.run(python(ctx), ['-c', 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")'])
        ).trim();
        // abi3: tagged with the oldest Python it serves (cp39-abi3); otherwise with this interpreter (cp311-cp311).
        const tag = abi3 === NO_ABI3 ? `-${cp}-${cp}-` : `-cp${abi3.slice(2)}-abi3-`;
        assert.ok(wheel.includes(tag), `wheel ${wheel} should carry the tag ${tag}`);
        console.log(`         wheel ${wheel}: ${(statSync(join(out, wheel)).size / 1024).toFixed(0)} KiB`);
        await pip(ctx, join(out, wheel));
      },
    },
    {
      name: 'pytest',
      run: (ctx) =>
        ctx.run(python(ctx), ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], { cwd: ctx.member.dir }).then(() => undefined),
    },
    {
      name: 'stubtest',
      // From the scratch directory, so mypy's cache stays out of the workspace.
      run: (ctx) => ctx.run(python(ctx), ['-m', 'mypy.stubtest', moduleName(ctx)], { cwd: scratch(ctx) }).then(() => undefined),
    },
    {
      // The package and its tests type-check, strictly, against the stubs a user's checker reads.
      name: 'mypy',
      run: (ctx) =>
        ctx
          .run(python(ctx), ['-m', 'mypy', '--strict', '--cache-dir', join(scratch(ctx), 'mypy-cache'), 'python', 'tests'], {
            cwd: ctx.member.dir,
          })
          .then(() => undefined),
    },
  ],
};

export default pyo3;
