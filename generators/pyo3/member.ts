/**
 * The pyo3 member: a Python extension module in Rust (PyO3, declarative
 * `#[pymodule]`), packaged by maturin as a typed wheel with pytest tests.
 */
import { defineMember } from '../../lib/member-generator.js';
import type { ChoiceOption, TextOption } from '../../lib/options.js';

/**
 * The stable-ABI floors offered: pyo3 0.30 has `abi3-py39` … `abi3-py315`, but
 * the buffer protocol (zero-copy NumPy arrays) is in the stable ABI from 3.11
 * only, and 3.9 and 3.10 are past their end of life.
 */
export const ABI3_MINIMUMS = ['py311', 'py312', 'py313', 'py314', 'py315'] as const;

/** `--no-abi3`: one wheel per Python version instead. */
export const NO_ABI3 = 'none';

/** The oldest Python of per-version wheels: the same floor, 3.11. */
const PER_VERSION_MIN_PYTHON = '3.11';

/** Python's keywords: `import <keyword>` is a syntax error, so none can name the package. */
const PYTHON_KEYWORDS = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
]);

export const MODULE_NAME = {
  kind: 'text',
  flag: 'module-name',
  description: 'Python import name of the package (default: the crate name with `_` for `-`)',
  default: '',
  validate: (value) => {
    if (value === '') return undefined;
    if (!/^[a-z_][a-z0-9_]*$/.test(value)) {
      const suggestion = value
        .toLowerCase()
        .replace(/[^a-z0-9_]/g, '_')
        .replace(/^(?=[0-9])/, '_');
      return `'${value}' is not a lowercase Python identifier (a-z, 0-9, '_'; no leading digit). Try '${suggestion}'`;
    }
    if (PYTHON_KEYWORDS.has(value)) return `'${value}' is a Python keyword, so \`import ${value}\` cannot work`;
    return undefined;
  },
} as const satisfies TextOption;

/** `py311` -> `3.11`. */
const pythonVersion = (abi3: string): string => `${abi3.slice(2, 3)}.${abi3.slice(3)}`;

export const ABI3 = {
  kind: 'choice',
  flag: 'abi3',
  description:
    'Oldest Python of the one stable-ABI (abi3) wheel, which serves it and every later CPython; --no-abi3 builds a wheel per Python version',
  prompt: 'Build one stable-ABI (abi3) wheel for every CPython from which version on?',
  default: 'py311',
  negated: NO_ABI3,
  // Each value is a wheel build of its own: the e2e tries the error styles with the default only.
  errorStylesAtDefaultOnly: true,
  choices: [
    ...ABI3_MINIMUMS.map((value) => ({ value, name: `${value}: CPython ${pythonVersion(value)} and later` })),
    { value: NO_ABI3, name: `${NO_ABI3}: a wheel per Python version (--no-abi3)` },
  ],
} as const satisfies ChoiceOption;

export const PYO3 = defineMember({
  kind: 'pyo3',
  description:
    'PyO3 extension built by maturin: fast_compute over lists and zero-copy buffers, a thread-safe #[pyclass], exceptions, .pyi stubs, pytest',
  // Clean under the strict set; the e2e's `clippy strict` step checks it.
  strictLints: true,
  options: [MODULE_NAME, ABI3],
  dependencies: ({ abi3, errors }) => [
    { name: 'pyo3', features: abi3 === NO_ABI3 ? [] : [`abi3-${abi3}`] },
    { name: 'rayon' },
    errors === 'anyhow' ? { name: 'anyhow', features: ['std'] } : { name: 'thiserror' },
  ],
  context: ({ abi3, 'module-name': moduleOption }, base) => {
    const moduleName = moduleOption || base.crate;
    const pythonMin = abi3 === NO_ABI3 ? PER_VERSION_MIN_PYTHON : pythonVersion(abi3);
    return {
      moduleName,
      /** The pyo3 feature suffix (`py311`), or false for per-version wheels. */
      abi3: abi3 === NO_ABI3 ? false : abi3,
      /** `requires-python`'s lower bound. */
      pythonMin,
      /** The free-threaded CPython CI tests (`3.14t`, PyO3's first supported one, or the floor's). */
      freeThreaded: `${Number(pythonMin.split('.')[1]) > 14 ? pythonMin : '3.14'}t`,
      /** maturin takes the license from Cargo only when the package has one. */
      cargoLicense: /^license(\.workspace)? =/m.test(base.packageFields),
    };
  },
  plan: [
    {
      templates: [
        'Cargo.toml',
        'pyproject.toml',
        'README.md',
        'gitignore',
        'src/lib.rs',
        'src/read.rs',
        'src/array.rs',
        'src/stats.rs',
      ],
    },
    {
      // The Python package directory and its test are named after the import name.
      templates: ['python/module/__init__.py', 'python/module/_native.pyi', 'python/module/py.typed', 'tests/test_module.py'],
      renameTo: (ctx, output) => output.replace('module', ctx.moduleName),
    },
  ],
});
