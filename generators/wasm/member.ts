/**
 * The wasm member: a wasm-bindgen library that JavaScript uses (functions,
 * exported classes, errors thrown as JS `Error`s), built for
 * wasm32-unknown-unknown in a size-tuned profile and tested natively and in Node.
 * Kept small on purpose: no serde, no float formatting, talc as the allocator.
 * Like pyo3 it is a library with no binary, so style split is thiserror
 * throughout (anyhow at the JS boundary would add ~13 KB to the module).
 */
import { defineMember } from '../../lib/member-generator.js';
import { choiceFlags, type ChoiceOption, type ValueOf } from '../../lib/options.js';

export const TARGET = {
  kind: 'choice',
  flag: 'target',
  description: 'wasm-bindgen output the README, package.json and CI build for',
  prompt: 'Which JavaScript environment should the WebAssembly package target?',
  default: 'web',
  choices: [
    { value: 'web', name: 'web: an ES module browsers load directly (`init()` fetches the .wasm)' },
    { value: 'nodejs', name: 'nodejs: a CommonJS module for Node.js' },
    { value: 'bundler', name: 'bundler: an ES module for webpack, Vite, Rollup and other bundlers' },
  ],
} as const satisfies ChoiceOption;

export type WasmTarget = ValueOf<typeof TARGET>;

/** The named profile in the workspace root: `cargo build --profile wasm-release --target wasm32-unknown-unknown`. */
export const WASM_PROFILE = 'wasm-release';

export const WASM = defineMember({
  kind: 'wasm',
  description: 'wasm-bindgen library for JavaScript: functions, classes, JS errors, a small .wasm; tested in Node',
  // Clean under the strict set; the e2e's `clippy strict` step checks it.
  strictLints: true,
  options: [TARGET],
  dependencies: ({ errors }) => [
    // anyhow without `std`, whose backtrace printing is ~40 KB of WebAssembly.
    errors === 'anyhow' ? { name: 'anyhow' } : { name: 'thiserror' },
    { name: 'console_error_panic_hook', optional: true },
    { name: 'talc', optional: true },
    { name: 'wasm-bindgen' },
    { name: 'js-sys', kind: 'dev' },
    { name: 'wasm-bindgen-test', kind: 'dev' },
  ],
  context: ({ target }) => ({ target, ...choiceFlags(TARGET, target), wasmProfile: WASM_PROFILE }),
  profiles: [
    {
      name: WASM_PROFILE,
      comment: [
        'WebAssembly is downloaded with the page: size over speed. Profiles count only here, in the root:',
        `\`cargo build --profile ${WASM_PROFILE} --target wasm32-unknown-unknown\`.`,
      ],
      settings: [
        ['inherits', '"release"'],
        ['opt-level', '"z"'],
        ['lto', 'true'],
        ['codegen-units', '1'],
      ],
    },
  ],
  plan: [
    {
      templates: [
        'Cargo.toml',
        'README.md',
        'gitignore',
        '.cargo/config.toml',
        'src/lib.rs',
        'src/js.rs',
        'src/pricing.rs',
        'tests/wasm.rs',
      ],
    },
    // A browser loads the web target's module by URL; Node and bundlers resolve a package.
    { condition: (ctx) => !ctx.targetWeb, templates: ['package.json.ejs'] },
  ],
});
