import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOptionValue } from '../lib/options.js';
import { ABI3, PYO3 } from '../generators/pyo3/member.js';
import { TOOLS } from '../lib/versions.js';
import { combinations } from './e2e/matrix.js';
import { QUIET, filesUnder, plannedMemberFiles, runGenerator } from './helpers.js';

const generate = (options: Record<string, unknown> = {}) =>
  runGenerator('app')
    .withArguments(['demo'])
    .withOptions({ ...QUIET, members: 'pyo3', ...options });

const crate = 'demo/crates/pyo3';
const read = (cwd: string, file: string): string => readFileSync(join(cwd, file), 'utf8');

describe('pyo3 member', () => {
  it('writes a maturin project: crate, pyproject, Python package with stubs, pytest tests', async () => {
    const result = await generate();
    const planned = plannedMemberFiles(PYO3, { name: 'demo-pyo3', path: 'crates/pyo3' });
    assert.deepEqual(filesUnder(join(result.cwd, crate)), planned);
    // The Python package and its test are named after the import name.
    assert.ok(planned.includes('python/demo_pyo3/__init__.py') && planned.includes('tests/test_demo_pyo3.py'), planned.join());
    result.assertFileContent(`${crate}/Cargo.toml`, 'crate-type = ["cdylib"]');
    result.assertFileContent(`${crate}/pyproject.toml`, 'build-backend = "maturin"');
    result.assertFileContent(`${crate}/pyproject.toml`, 'module-name = "demo_pyo3._native"');
    result.assertFileContent(`${crate}/pyproject.toml`, 'python-source = "python"');
    result.assertFileContent(`${crate}/pyproject.toml`, /^dynamic = \["version", "license"\]$/m);
    result.assertFileContent(
      `${crate}/python/demo_pyo3/__init__.py`,
      'from ._native import InsufficientDataError, RunningStats, fast_compute',
    );
    result.assertFileContent(
      `${crate}/tests/test_demo_pyo3.py`,
      'from demo_pyo3 import InsufficientDataError, RunningStats, fast_compute',
    );
  });

  it('uses the current PyO3 API: a declarative module safe without the GIL, Bound, py.detach, PyBuffer', async () => {
    const result = await generate();
    const lib = read(result.cwd, `${crate}/src/lib.rs`);
    const reader = read(result.cwd, `${crate}/src/read.rs`);
    assert.match(lib, /#\[pymodule\(name = "_native", gil_used = false\)\]\nmod native \{/);
    assert.match(lib, /#\[pymodule_export\]/);
    assert.match(lib, /fn fast_compute\(values: &Bound<'_, PyAny>\)/);
    // Free-threading: a frozen class (no `&mut self`) whose state a mutex guards.
    assert.match(lib, /#\[pyclass\(frozen\)\]\n.*\n#\[pyo3\(module = "demo_pyo3"\)\]/);
    assert.match(lib, /summary: Mutex<Summary>/);
    assert.doesNotMatch(lib, /fn \w+\(&mut self/, 'no &mut self methods in a class shared across threads');
    assert.match(lib, /create_exception!\(\s*demo_pyo3,\s*InsufficientDataError,\s*PyValueError/);
    // Lists read in place inside a critical section; buffers borrowed and read detached.
    assert.match(reader, /with_critical_section\(list, /);
    assert.match(reader, /PyUntypedBuffer::get\(values\)/);
    assert.match(reader, /py\.detach\(/);
    for (const removed of ['&PyModule', 'allow_threads', 'with_gil', 'GILPool', 'into_py(', 'as_slice(', 'downcast']) {
      assert.ok(!lib.includes(removed) && !reader.includes(removed), `the crate must not use the removed ${removed}`);
    }
    assert.ok(!lib.includes('fast_compute_bytes'), 'fast_compute reads bytes itself');
  });

  it('builds abi3 wheels for py311+ by default, per-version wheels with --no-abi3', async () => {
    const abi3 = await generate();
    abi3.assertFileContent(`${crate}/Cargo.toml`, /^pyo3 = \{ workspace = true, features = \["abi3-py311"\] \}$/m);
    abi3.assertFileContent(`${crate}/pyproject.toml`, 'requires-python = ">=3.11"');

    const newer = await generate({ abi3: 'py312' });
    newer.assertFileContent(`${crate}/Cargo.toml`, 'features = ["abi3-py312"]');
    newer.assertFileContent(`${crate}/pyproject.toml`, 'requires-python = ">=3.12"');

    const perVersion = await generate({ abi3: false });
    perVersion.assertFileContent(`${crate}/Cargo.toml`, /^pyo3\.workspace = true$/m);
    perVersion.assertNoFileContent(`${crate}/Cargo.toml`, 'abi3');
    perVersion.assertFileContent(`${crate}/pyproject.toml`, 'requires-python = ">=3.11"');
  });

  it('reads --no-abi3 as abi3 = none and rejects a floor without the buffer protocol in its stable ABI', () => {
    assert.equal(parseOptionValue(ABI3, false), 'none');
    assert.equal(parseOptionValue(ABI3, 'py313'), 'py313');
    assert.throws(() => parseOptionValue(ABI3, 'py310'), /--abi3: 'py310' is not one of py311, py312, py313, py314, py315, none/);
  });

  it('crosses every --abi3 value and --no-abi3 in the e2e matrix, the error styles at the default only', () => {
    const ids = combinations()
      .map((c) => c.id)
      .filter((id) => id.startsWith('pyo3-'));
    assert.deepEqual(ids, [
      'pyo3-abi3-py311-split',
      'pyo3-abi3-py311-thiserror',
      'pyo3-abi3-py311-anyhow',
      'pyo3-abi3-py312-split',
      'pyo3-abi3-py313-split',
      'pyo3-abi3-py314-split',
      'pyo3-abi3-py315-split',
      'pyo3-abi3-none-split',
    ]);
  });

  it('names the Python package after --module-name', async () => {
    const result = await generate({ 'module-name': 'fastmath' });
    result.assertFile([
      `${crate}/python/fastmath/__init__.py`,
      `${crate}/python/fastmath/_native.pyi`,
      `${crate}/tests/test_fastmath.py`,
    ]);
    result.assertNoFile(`${crate}/python/demo_pyo3/__init__.py`);
    result.assertFileContent(`${crate}/pyproject.toml`, 'module-name = "fastmath._native"');
    result.assertFileContent(`${crate}/pyproject.toml`, 'name = "demo-pyo3"');
    result.assertFileContent(`${crate}/src/lib.rs`, '#[pyo3(module = "fastmath")]');
    result.assertFileContent(`${crate}/tests/test_fastmath.py`, 'import fastmath');
  });

  it('rejects a module name Python cannot import', async () => {
    await assert.rejects(
      generate({ 'module-name': 'Fast-Math' }),
      /--module-name: 'Fast-Math' is not a lowercase Python identifier.*Try 'fast_math'/,
    );
    await assert.rejects(generate({ 'module-name': 'lambda' }), /--module-name: 'lambda' is a Python keyword/);
  });

  it('split and thiserror: a typed error enum mapped to exceptions by variant', async () => {
    for (const errors of ['split', 'thiserror']) {
      const result = await generate({ errors });
      result.assertFileContent(`${crate}/src/stats.rs`, 'pub(crate) enum StatsError');
      result.assertFileContent(`${crate}/src/lib.rs`, 'impl From<StatsError> for PyErr');
      result.assertFileContent(`${crate}/Cargo.toml`, /^thiserror\.workspace = true$/m);
      result.assertNoFileContent(`${crate}/Cargo.toml`, 'anyhow');
    }
  });

  it('anyhow: anyhow::Result with context, each binding choosing its exception', async () => {
    const result = await generate({ errors: 'anyhow' });
    result.assertFileContent(`${crate}/src/stats.rs`, 'use anyhow::{Result, bail, ensure};');
    result.assertNoFileContent(`${crate}/src/stats.rs`, 'thiserror');
    result.assertFileContent(`${crate}/src/lib.rs`, '.context("fast_compute")');
    result.assertFileContent(`${crate}/src/lib.rs`, 'fn insufficient_data(err: anyhow::Error) -> PyErr');
    result.assertFileContent(`${crate}/Cargo.toml`, /^anyhow = \{ workspace = true, features = \["std"\] \}$/m);
    result.assertNoFileContent(`${crate}/Cargo.toml`, 'thiserror');
  });

  it('adds a wheel job to the workspace CI and a Python for the check job', async () => {
    const result = await generate();
    const ci = read(result.cwd, 'demo/.github/workflows/ci.yml');
    assert.match(ci, /^ {2}demo-pyo3-wheel:$/m);
    assert.match(ci, /- \{ python: "3\.11", interpreter: python \}/);
    assert.match(ci, /- \{ python: "3\.x", interpreter: python \}/);
    // Free-threaded CPython: a version-specific wheel, the interpreter named so that maturin takes it.
    assert.match(ci, /- \{ python: "3\.14t", interpreter: python3\.14t \}/);
    assert.match(ci, /maturin build --release --out dist --interpreter \$\{\{ matrix\.interpreter \}\}/);
    assert.ok(ci.includes(`pip install "maturin>=${TOOLS.maturin.version},<2" pytest mypy numpy`));
    assert.match(ci, /python -m mypy\.stubtest demo_pyo3/);
    assert.match(ci, /python -m mypy --strict python tests/);
    // The check job's `cargo test` links libpython: setup-python comes before it.
    assert.ok(ci.indexOf('actions/setup-python') < ci.indexOf('cargo test --workspace'));
    result.assertFileContent('demo/README.md', 'maturin develop --release && pytest && python -m mypy.stubtest demo_pyo3');
  });

  it('adds itself to an existing workspace with the stored error style', async () => {
    const result = await runGenerator('pyo3')
      .withArguments(['speedups'])
      .withOptions(QUIET)
      .withFiles({ 'Cargo.toml': '[workspace]\nresolver = "3"\nmembers = []\n' })
      .withYoRcConfig('generator-rust-patterns', { errors: 'anyhow' });
    result.assertFileContent('Cargo.toml', 'members = ["crates/speedups"]');
    result.assertFileContent('Cargo.toml', /^pyo3 = "/m);
    result.assertFile('crates/speedups/python/speedups/__init__.py');
    result.assertFileContent('crates/speedups/Cargo.toml', /^anyhow = \{ workspace = true, features = \["std"\] \}$/m);
    // No workspace license to inherit: maturin is not asked for one.
    result.assertFileContent('crates/speedups/pyproject.toml', /^dynamic = \["version"\]$/m);
  });
});
