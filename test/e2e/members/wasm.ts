/**
 * The wasm member's own e2e steps: the crate built for wasm32-unknown-unknown
 * (the rustup target, or Debian's rustc-web with -Zbuild-std where rustup has
 * none), clippy on that target, JS bindings from wasm-bindgen-cli at the exact
 * version Cargo.lock holds, a Node script that loads the package as its
 * `--target` intends and calls every export (errors included), the
 * `#[wasm_bindgen_test]` tests in Node, and the release .wasm size before and
 * after `wasm-opt -Oz`.
 *
 * Machine setup: .ci/setup.d/wasm.sh (run again here when Cargo.lock holds a
 * wasm-bindgen the cache has no CLI for). RUST_PATTERNS_WASM_STD=build-std
 * forces the Debian fallback to test it on a machine with the rustup target.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../../lib/paths.js';
import { WASM_PROFILE, type WasmTarget } from '../../../generators/wasm/member.js';
import { Skip, type MemberE2e, type StepContext } from '../member-steps.js';
import { STRICT_CLEAN_MEMBERS, STRICT_LINTS } from '../matrix.js';

const WASM32 = 'wasm32-unknown-unknown';
const CACHE_DIR = process.env['RUST_PATTERNS_CACHE'] ?? join(homedir(), '.cache', 'generator-rust-patterns');
/** binaryen from the npm registry, installed by .ci/setup.d/wasm.sh; Debian's 108 breaks current wasm-bindgen output. */
const WASM_OPT = join(CACHE_DIR, 'binaryen-132.0.0', 'node_modules', '.bin', 'wasm-opt');
const SETUP = join(PACKAGE_ROOT, '.ci', 'setup.d', 'wasm.sh');

/** How this machine builds for wasm32: cargo's own target, or Debian's compiler building std from source. */
interface Wasm32 {
  readonly kind: 'rustup' | 'build-std';
  readonly cargo: string;
  /** Extra cargo arguments for every wasm32 build. */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

function findWasm32(): Wasm32 | undefined {
  const forced = process.env['RUST_PATTERNS_WASM_STD'] === 'build-std';
  if (!forced) {
    try {
      const installed = execFileSync('rustup', ['target', 'list', '--installed'], { encoding: 'utf8' });
      if (installed.split('\n').includes(WASM32)) return { kind: 'rustup', cargo: 'cargo', args: [], env: {} };
    } catch {
      // No rustup: try the fallback.
    }
  }
  const sources = existsSync('/usr/src') ? readdirSync('/usr/src').find((d) => /^rustc-[\d.]+$/.test(d)) : undefined;
  if (existsSync('/usr/bin/cargo') && existsSync('/usr/bin/rustc') && sources !== undefined) {
    return {
      kind: 'build-std',
      // Debian's cargo and rustc (matching the std sources) ahead of rustup's.
      cargo: '/usr/bin/cargo',
      args: ['-Zbuild-std=std,panic_abort'],
      env: { PATH: `/usr/bin:${process.env['PATH'] ?? ''}`, RUSTC_BOOTSTRAP: '1' },
    };
  }
  return undefined;
}

/** The wasm-bindgen version Cargo.lock holds: the CLI must be exactly this one. */
function lockedWasmBindgen(workspace: string): string {
  const lock = readFileSync(join(workspace, 'Cargo.lock'), 'utf8');
  const match = /\[\[package\]\]\nname = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock);
  if (!match) throw new Error('Cargo.lock holds no wasm-bindgen package');
  return match[1]!;
}

/** The bin directory of wasm-bindgen-cli at the locked version, installed on first use. */
async function wasmBindgenBin(ctx: StepContext): Promise<string> {
  const version = lockedWasmBindgen(ctx.workspace);
  const bin = join(CACHE_DIR, `wasm-bindgen-cli-${version}`, 'bin');
  if (!existsSync(join(bin, 'wasm-bindgen'))) await ctx.run('bash', [SETUP, version]);
  const shown = await ctx.run(join(bin, 'wasm-bindgen'), ['--version']);
  assert.equal(shown.trim(), `wasm-bindgen ${version}`);
  return bin;
}

let wasm32: Wasm32 | undefined;

const wasmEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  ...wasm32!.env,
  // Warnings in code that only wasm32 compiles (tests/wasm.rs) fail the build as clippy would natively.
  RUSTFLAGS: '-D warnings',
  ...extra,
});

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB (${bytes} B)`;

const wasm: MemberE2e = {
  prepare: () => {
    wasm32 = findWasm32();
    if (!wasm32) {
      throw new Skip(
        `no ${WASM32} standard library: run .ci/setup.d/wasm.sh (rustup target, or Debian's rustc-web + rust-web-src)`,
      );
    }
    console.log(`         wasm32: ${wasm32.kind === 'rustup' ? 'rustup target' : "Debian's rustc-web with -Zbuild-std"}`);
    return Promise.resolve({});
  },
  steps: () => [
    {
      // Code behind cfg(target_arch = "wasm32") is invisible to the native clippy run.
      name: 'clippy-wasm32',
      run: async (ctx) => {
        if (wasm32!.kind === 'build-std') {
          // Debian's compiler comes without clippy: compile the tests with warnings denied instead.
          await ctx.run(wasm32!.cargo, ['test', '--no-run', '-p', ctx.member.name, '--target', WASM32, ...wasm32!.args], {
            env: wasmEnv(),
          });
          return;
        }
        // The strict lints too, once the templates are clean under them (the native `clippy strict` step cannot see this code).
        const strict = STRICT_CLEAN_MEMBERS.has('wasm') ? STRICT_LINTS : [];
        await ctx.run('cargo', [
          'clippy',
          '-p',
          ctx.member.name,
          '--all-targets',
          '--target',
          WASM32,
          '--',
          '-D',
          'warnings',
          ...strict,
        ]);
      },
    },
    {
      name: 'build-wasm32',
      run: async (ctx) => {
        await ctx.run(
          wasm32!.cargo,
          ['build', '-p', ctx.member.name, '--profile', WASM_PROFILE, '--target', WASM32, ...wasm32!.args],
          {
            env: wasmEnv(),
          },
        );
      },
    },
    {
      name: 'bindgen+node',
      run: async (ctx) => {
        const crate = ctx.member.name.replace(/-/g, '_');
        const target = (ctx.member.options['target'] as WasmTarget | undefined) ?? 'web';
        const bin = await wasmBindgenBin(ctx);
        const pkg = join(ctx.member.dir, 'pkg');
        rmSync(pkg, { recursive: true, force: true });
        const module = join(ctx.targetDir, WASM32, WASM_PROFILE, `${crate}.wasm`);
        await ctx.run(join(bin, 'wasm-bindgen'), ['--target', target, '--out-dir', pkg, module]);
        const wasmFile = join(pkg, `${crate}_bg.wasm`);

        // The package where an app would have it: node_modules/<name> (as `npm install ./crates/x`).
        const app = mkdtempSync(join(tmpdir(), 'wasm-e2e-'));
        try {
          mkdirSync(join(app, 'node_modules'));
          symlinkSync(ctx.member.dir, join(app, 'node_modules', ctx.member.name), 'dir');
          writeFileSync(join(app, 'check.mjs'), EXPORTS_CHECK);
          // The web target is loaded by URL, as a browser would; the others by package name.
          const where = target === 'web' ? pkg : ctx.member.name;
          const flags = target === 'bundler' ? ['--experimental-wasm-modules', '--no-warnings'] : [];
          const check = (): Promise<string> =>
            ctx.run(process.execPath, [...flags, 'check.mjs', target, crate, where], { cwd: app });
          console.log(`         ${(await check()).trim()}`);

          const afterBindgen = statSync(wasmFile).size;
          let optimized = 'wasm-opt not installed (.ci/setup.d/wasm.sh installs it)';
          if (existsSync(WASM_OPT)) {
            await ctx.run(WASM_OPT, ['-Oz', wasmFile, '-o', wasmFile]);
            // The optimized module must still work.
            await check();
            optimized = `${kib(statSync(wasmFile).size)} after wasm-opt -Oz`;
          }
          console.log(
            `         release .wasm (${ctx.combination.errors}, --target ${target}, ${wasm32!.kind}): ${kib(afterBindgen)} after wasm-bindgen, ${optimized}`,
          );
        } finally {
          rmSync(app, { recursive: true, force: true });
        }
      },
    },
    {
      name: 'wasm-test',
      run: async (ctx) => {
        const bin = await wasmBindgenBin(ctx);
        // In the crate directory, whose .cargo/config.toml names wasm-bindgen-test-runner as the runner.
        const output = await ctx.run(wasm32!.cargo, ['test', '--target', WASM32, ...wasm32!.args], {
          cwd: ctx.member.dir,
          env: wasmEnv({ PATH: `${bin}:${wasm32!.env['PATH'] ?? process.env['PATH'] ?? ''}` }),
        });
        // Per test binary: the library's (no wasm tests), tests/wasm.rs, the doc tests.
        const counts = [...output.matchAll(/test result: ok\. (\d+) passed; 0 failed/g)].map((m) => Number(m[1]));
        assert.ok(
          Math.max(0, ...counts) >= 5,
          `expected the #[wasm_bindgen_test] tests of tests/wasm.rs to run in Node:\n${output}`,
        );
      },
    },
  ],
};

export default wasm;

/**
 * Loads the package as its --target intends and calls every export, errors
 * included: `node check.mjs <target> <crate> <pkgDir | package name>`.
 * Written to a temporary app directory whose node_modules holds the package.
 */
const EXPORTS_CHECK = String.raw`
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [target, crate, where] = process.argv.slice(2);
let api;
if (target === 'web') {
  api = await import(pathToFileURL(join(where, crate + '.js')).href);
  // In a browser init() fetches the .wasm beside the module; Node hands it the bytes.
  await api.default({ module_or_path: await readFile(join(where, crate + '_bg.wasm')) });
} else if (target === 'nodejs') {
  api = createRequire(import.meta.url)(where);
} else if (target === 'bundler') {
  // Node's ES module integration of WebAssembly stands in for the bundler.
  api = await import(where);
} else {
  throw new Error('unknown target ' + target);
}

const called = new Set();
const use = (name) => {
  called.add(name);
  return api[name];
};
const throwsWith = (fn, pattern) =>
  assert.throws(fn, (error) => {
    assert.ok(error instanceof Error, 'expected an Error, got ' + String(error));
    assert.match(error.message, pattern);
    return true;
  });

assert.equal(use('parsePrice')('12.50'), 1250);
assert.equal(api.parsePrice(' 7 '), 700);
throwsWith(() => api.parsePrice('12,50'), /^\x6012,50\x60 is not a price/);

assert.equal(use('formatPrice')(1250), '12.50');
throwsWith(() => api.formatPrice(0.5), /not a whole, non-negative number of cents/);

const Cart = use('Cart');
const cart = new Cart();
throwsWith(() => cart.quote(0), /^cannot price the cart: the cart is empty$/);
cart.add('pen', 3, 150);
cart.add('book', 1, 1299);

// Quote and QuoteLine are classes with getters, their types in the generated .d.ts.
const quote = cart.quote(10);
assert.ok(quote instanceof use('Quote'));
assert.deepEqual([quote.subtotalCents, quote.discountCents, quote.totalCents], [1749, 174, 1575]);
const lines = quote.lines;
assert.ok(lines.every((line) => line instanceof use('QuoteLine')));
assert.deepEqual(
  lines.map(({ sku, quantity, lineTotalCents }) => ({ sku, quantity, lineTotalCents })),
  [
    { sku: 'pen', quantity: 3, lineTotalCents: 450 },
    { sku: 'book', quantity: 1, lineTotalCents: 1299 },
  ],
);
for (const line of lines) line.free();
quote.free();

cart.add('pen', 1, 120);
assert.equal(cart.itemCount, 2);
assert.equal(cart.remove('book'), true);
assert.equal(cart.remove('book'), false);
assert.equal(cart.quote(0).totalCents, 480);
throwsWith(() => cart.add('pen', 0, 150), /^cannot add pen to the cart: the quantity is 0$/);
throwsWith(() => cart.add('pen', 1, 1.5), /^cannot add pen to the cart: the amount is not a whole, non-negative number of cents/);
throwsWith(() => cart.quote(95), /^cannot price the cart: a discount of 95% is above the maximum of 90%$/);
cart.free();

// The start function ran when the module was instantiated; running it again changes nothing.
use('start')();

const glue = new Set(['default', 'initSync', '__esModule']);
const exported = Object.keys(api).filter((name) => !glue.has(name) && !name.startsWith('__wbg'));
const missed = exported.filter((name) => !called.has(name));
assert.deepEqual(missed, [], 'exports not exercised: ' + missed.join(', '));
console.log(target + ': ' + exported.length + ' exports called and checked (' + exported.sort().join(', ') + ')');
`;
