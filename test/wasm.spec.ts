import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addProfile, parseManifest } from '../lib/cargo-manifest.js';
import { lookup } from '../lib/toml-value.js';
import { WASM } from '../generators/wasm/member.js';
import { CRATES } from '../lib/versions.js';
import { QUIET, filesUnder, plannedMemberFiles, runGenerator } from './helpers.js';

const generate = (options: Record<string, string> = {}) =>
  runGenerator('app')
    .withArguments(['demo'])
    .withOptions({ ...QUIET, members: 'wasm', errors: 'split', ...options });

const read = (cwd: string, file: string): string => readFileSync(join(cwd, file), 'utf8');
const crate = (file: string): string => `demo/crates/wasm/${file}`;

describe('wasm member', () => {
  it('writes a cdylib + rlib with bindings, pricing rules, Node tests and a test runner', async () => {
    const result = await generate();
    assert.deepEqual(
      filesUnder(join(result.cwd, crate(''))),
      plannedMemberFiles(WASM, { name: 'demo-wasm', path: 'crates/wasm' }),
    );
    result.assertFileContent(crate('Cargo.toml'), 'crate-type = ["cdylib", "rlib"]');
    result.assertFileContent(crate('Cargo.toml'), /^default = \["console-panic-hook", "talc-allocator"\]$/m);
    result.assertFileContent(crate('Cargo.toml'), /^console_error_panic_hook = \{ workspace = true, optional = true \}$/m);
    result.assertFileContent(crate('Cargo.toml'), /^talc = \{ workspace = true, optional = true \}$/m);
    result.assertFileContent(crate('src/lib.rs'), 'static ALLOCATOR: talc::wasm::WasmDynamicTalc');
    result.assertFileContent(crate('Cargo.toml'), /^wasm-bindgen-test\.workspace = true$/m);
    result.assertFileContent(crate('.cargo/config.toml'), 'runner = "wasm-bindgen-test-runner"');
    result.assertFileContent(crate('src/js.rs'), '#[wasm_bindgen(constructor)]');
    // Structured values cross as exported classes: no serde in the module.
    result.assertFileContent(crate('src/js.rs'), 'pub fn quote(&self, discount_percent: u32) -> Result<Quote, JsError>');
    result.assertFileContent(crate('src/js.rs'), 'pub fn lines(&self) -> Vec<QuoteLine>');
    result.assertNoFileContent(crate('Cargo.toml'), 'serde');
    result.assertNoFileContent('demo/Cargo.toml', 'serde');
    result.assertFileContent(crate('tests/wasm.rs'), '#[wasm_bindgen_test]');
    result.assertFileContent(crate('tests/wasm.rs'), 'use demo_wasm::js::{self, Cart};');
  });

  it('adds a size-tuned profile to the root manifest, where Cargo reads profiles', async () => {
    const result = await generate();
    const root = parseManifest(read(result.cwd, 'demo/Cargo.toml')).value;
    assert.deepEqual(lookup(root, ['profile', 'wasm-release']), {
      inherits: 'release',
      'opt-level': 'z',
      lto: true,
      'codegen-units': 1,
    });
    assert.equal(lookup(root, ['workspace', 'dependencies', 'wasm-bindgen']), '0.2.130');
    assert.doesNotMatch(read(result.cwd, crate('Cargo.toml')), /^\[profile/m);
  });

  it('--target web (default): no package.json; README, CI and bindings say web', async () => {
    const result = await generate();
    result.assertNoFile(crate('package.json'));
    result.assertFileContent(crate('README.md'), 'wasm-bindgen --target web');
    result.assertFileContent(crate('README.md'), "import init, { Cart, formatPrice } from './pkg/demo_wasm.js';");
    result.assertFileContent(crate('README.md'), 'wasm-pack build crates/wasm --target web --profile wasm-release');
    const ci = read(result.cwd, 'demo/.github/workflows/ci.yml');
    assert.match(ci, /^ {2}demo-wasm-wasm32:$/m);
    assert.match(ci, /targets: wasm32-unknown-unknown/);
    assert.match(ci, /cargo install wasm-bindgen-cli --locked --version "\$\(cargo pkgid wasm-bindgen/);
    assert.match(
      ci,
      /wasm-bindgen --target web --out-dir crates\/wasm\/pkg target\/wasm32-unknown-unknown\/wasm-release\/demo_wasm\.wasm/,
    );
    assert.match(ci, /- run: cargo test --target wasm32-unknown-unknown\n {8}working-directory: crates\/wasm/);
    assert.match(read(result.cwd, 'demo/README.md'), /`demo-wasm` \(crates\/wasm\): WebAssembly for JavaScript/);
  });

  it('--target nodejs: a CommonJS package.json pointing at pkg/', async () => {
    const result = await generate({ target: 'nodejs' });
    const pkg = JSON.parse(read(result.cwd, crate('package.json'))) as Record<string, unknown>;
    assert.equal(pkg['name'], 'demo-wasm');
    assert.equal(pkg['type'], 'commonjs');
    assert.equal(pkg['main'], './pkg/demo_wasm.js');
    assert.equal(pkg['types'], './pkg/demo_wasm.d.ts');
    result.assertFileContent(crate('README.md'), "require('demo-wasm')");
    result.assertFileContent('demo/.github/workflows/ci.yml', 'wasm-bindgen --target nodejs');
  });

  it('--target bundler: an ES module package.json that keeps the init side effect', async () => {
    const result = await generate({ target: 'bundler' });
    const pkg = JSON.parse(read(result.cwd, crate('package.json'))) as Record<string, unknown>;
    assert.equal(pkg['type'], 'module');
    assert.deepEqual(pkg['exports'], { '.': { types: './pkg/demo_wasm.d.ts', default: './pkg/demo_wasm.js' } });
    assert.deepEqual(pkg['sideEffects'], ['./pkg/demo_wasm.js', './pkg/snippets/*']);
    result.assertFileContent(crate('README.md'), "import { Cart, formatPrice } from 'demo-wasm';");
  });

  it('rejects an unknown --target before writing anything', async () => {
    await assert.rejects(generate({ target: 'deno' }), /--target.*deno.*web.*nodejs.*bundler/s);
  });

  it('declares --target once, in the member option table', () => {
    assert.deepEqual(
      WASM.options.map((o) => [o.flag, o.default]),
      [['target', 'web']],
    );
  });

  it('split and thiserror: typed errors in the rules and at the boundary (a library, no binary), and no anyhow', async () => {
    for (const errors of ['split', 'thiserror']) {
      const result = await generate({ errors });
      result.assertFileContent(crate('src/pricing.rs'), 'pub enum PricingError');
      result.assertFileContent(crate('src/js.rs'), 'enum BindingError');
      result.assertNoFileContent(crate('src/js.rs'), 'anyhow');
      result.assertNoFileContent(crate('Cargo.toml'), 'anyhow');
      result.assertNoFileContent('demo/Cargo.toml', 'anyhow');
    }
  });

  it('anyhow: no error enums, ensure! and Context everywhere, anyhow without std', async () => {
    const result = await generate({ errors: 'anyhow' });
    result.assertNoFileContent(crate('src/pricing.rs'), 'thiserror');
    result.assertFileContent(crate('src/pricing.rs'), 'use anyhow::{Context, Result, bail, ensure};');
    result.assertFileContent(crate('src/js.rs'), '.context("cannot price the cart")');
    result.assertNoFileContent(crate('Cargo.toml'), 'thiserror');
    // The workspace entry has default features (std: backtraces) off, and the member does not ask for them.
    result.assertFileContent(crate('Cargo.toml'), /^anyhow\.workspace = true$/m);
    const root = parseManifest(read(result.cwd, 'demo/Cargo.toml')).value;
    assert.deepEqual(lookup(root, ['workspace', 'dependencies', 'anyhow']), {
      version: CRATES.anyhow.version,
      'default-features': false,
    });
  });

  it('beside a member that uses anyhow, the wasm member still gets it without std', async () => {
    const result = await generate({ members: 'cli,wasm', errors: 'anyhow' });
    result.assertFileContent('demo/crates/cli/Cargo.toml', /^anyhow = \{ workspace = true, features = \["std"\] \}$/m);
    result.assertFileContent(crate('Cargo.toml'), /^anyhow\.workspace = true$/m);
  });

  it('joins an existing workspace and keeps a wasm-release profile the user already has', async () => {
    const result = await runGenerator('wasm')
      .withArguments(['pricing'])
      .withOptions({ ...QUIET, target: 'nodejs' })
      .withFiles({
        'Cargo.toml':
          '[workspace]\nresolver = "3"\nmembers = []\n\n[profile.wasm-release]\ninherits = "release"\nopt-level = "s"\n',
      });
    result.assertFileContent('Cargo.toml', 'members = ["crates/pricing"]');
    const root = read(result.cwd, 'Cargo.toml');
    assert.match(root, /\[profile\.wasm-release\]\ninherits = "release"\nopt-level = "s"\n/);
    assert.equal(root.match(/\[profile\.wasm-release\]/g)?.length, 1);
    result.assertFile('crates/pricing/package.json');
  });
});

describe('addProfile', () => {
  const profile = {
    name: 'wasm-release',
    comment: ['Small.'],
    settings: [
      ['inherits', '"release"'],
      ['opt-level', '"z"'],
    ],
  } as const;

  it('appends a commented table after the others, keeping the text above', () => {
    const text = '[workspace]\nmembers = []\n\n[profile.release]\nlto = "thin"\n';
    assert.equal(addProfile(text, profile), `${text}\n# Small.\n[profile.wasm-release]\ninherits = "release"\nopt-level = "z"\n`);
  });

  it('keeps CRLF line endings', () => {
    const text = '[workspace]\r\nmembers = []\r\n';
    assert.equal(
      addProfile(text, profile),
      `${text}\r\n# Small.\r\n[profile.wasm-release]\r\ninherits = "release"\r\nopt-level = "z"\r\n`,
    );
  });

  it('extends an inline `profile` table in its own form', () => {
    const updated = addProfile('profile = { release = { lto = true } }\n', profile);
    assert.deepEqual(lookup(parseManifest(updated).value, ['profile', 'wasm-release']), {
      inherits: 'release',
      'opt-level': 'z',
    });
  });

  it('leaves a profile of that name alone, whatever form it has', () => {
    for (const text of ['[profile.wasm-release]\nopt-level = 3\n', 'profile.wasm-release.opt-level = 3\n']) {
      assert.equal(addProfile(text, profile), text);
    }
  });
});
