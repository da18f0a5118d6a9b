/**
 * The pyo3 member's own e2e steps, as a Python user meets the package: in a
 * fresh virtualenv, maturin builds the wheel (abi3-tagged unless --no-abi3),
 * pip installs it, the generated pytest suite runs against it, mypy's
 * stubtest checks the `.pyi` stubs against the compiled module, and
 * `mypy --strict` checks the package and its tests against those stubs.
 * maturin and a wheelhouse of pytest, mypy and NumPy come from .ci/setup.d/pyo3.sh.
 *
 * An abi3 floor above this machine's python3 (py314 on a 3.11 machine, say)
 * cannot be loaded or linked here: clippy checks the code against that
 * floor's stable ABI without an interpreter (PYO3_NO_PYTHON, and
 * PYO3_BUILD_EXTENSION_MODULE so that nothing links libpython), maturin builds
 * and tags the wheel, and `cargo test` and the Python steps are skipped.
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
/** This machine's python3 as [major, minor]. */
const hostPython = (): [number, number] =>
  execFileSync('python3', ['-c', 'import sys; print(*sys.version_info[:2])'], { encoding: 'utf8' })
    .trim()
    .split(' ')
    .map(Number) as [number, number];
/** pytest, mypy and NumPy wheels for this machine's python3 (mypy's and NumPy's differ per version). */
export const wheelhouse = (): string => join(cache, 'wheelhouse', `py${hostPython().join('.')}`);

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

/** The wheel's tag for this combination: cp311-abi3, or this interpreter's (cp311-cp311). */
async function expectedTag(ctx: StepContext): Promise<string> {
  const abi3 = ctx.member.options['abi3'] as string;
  if (abi3 !== NO_ABI3) return `-cp${abi3.slice(2)}-abi3-`;
  const cp = (await ctx.run(python(ctx), ['-c', 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")'])).trim();
  return `-${cp}-${cp}-`;
}

/** Builds the release wheel into the scratch directory and checks its tag; returns its path. */
async function buildWheel(ctx: StepContext, interpreter: readonly string[]): Promise<string> {
  const out = join(scratch(ctx), 'dist');
  await ctx.run(maturin, ['build', '--release', '--quiet', '--out', out, ...interpreter], { cwd: ctx.member.dir });
  const wheels = readdirSync(out).filter((f) => f.endsWith('.whl'));
  assert.equal(wheels.length, 1, `one wheel expected in ${out}, got ${wheels.join(', ')}`);
  const wheel = wheels[0]!;
  const tag = await expectedTag(ctx);
  assert.ok(wheel.includes(tag), `wheel ${wheel} should carry the tag ${tag}`);
  console.log(`         wheel ${wheel}: ${(statSync(join(out, wheel)).size / 1024).toFixed(0)} KiB`);
  return join(out, wheel);
}

const pyo3: MemberE2e = {
  prepare: (ctx) => {
    const wheels = wheelhouse();
    if (!existsSync(maturin) || !existsSync(wheels)) {
      throw new Skip(`maturin or ${wheels} is missing: run bash .ci/setup.d/pyo3.sh`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'pyo3-e2e-'));
    const cleanup = () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    };
    const env = { PYO3_E2E_DIR: dir, PYO3_E2E_WHEELHOUSE: wheels };
    const abi3 = ctx.member.options['abi3'] as string;
    const [major, minor] = hostPython();
    if (abi3 === NO_ABI3 || Number(abi3.slice(3)) <= minor) return Promise.resolve({ env, cleanup });
    const reason = `an abi3-${abi3} build needs Python ${abi3.slice(2, 3)}.${abi3.slice(3)}+ to link or load; this machine has ${major}.${minor}`;
    return Promise.resolve({
      // As maturin builds it: an extension module, which links no libpython.
      env: { ...env, PYO3_NO_PYTHON: '1', PYO3_BUILD_EXTENSION_MODULE: '1', PYO3_E2E_BUILD_ONLY: reason },
      cleanup,
      skipCargoSteps: { test: reason },
    });
  },
  steps: (ctx) => {
    const buildOnly = ctx.env['PYO3_E2E_BUILD_ONLY'];
    if (buildOnly !== undefined) {
      // maturin builds abi3 wheels without an interpreter of the floor's version.
      return [
        {
          name: 'wheel',
          run: async (ctx) => {
            await buildWheel(ctx, []);
            console.log(`         not installed: ${buildOnly}`);
          },
        },
      ];
    }
    return [
      {
        name: 'venv',
        run: async (ctx) => {
          await ctx.run('python3', ['-m', 'venv', join(scratch(ctx), 'venv')]);
          await pip(ctx, 'pytest', 'mypy', 'numpy');
        },
      },
      {
        name: 'wheel',
        run: async (ctx) => {
          await pip(ctx, await buildWheel(ctx, ['--interpreter', python(ctx)]));
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
    ];
  },
};

export default pyo3;
