/**
 * 4. PyO3: the generated `fast_compute` on 1,000,000 floats against Python.
 *
 * Generates a workspace holding the pyo3 member, builds its release wheel with
 * maturin, installs it with NumPy into a fresh virtualenv and times, in one
 * Python process with A and B alternating (ABBA order across repetitions):
 *   - `fast_compute(list)` against the built-in `sum(list)` (goal ≥ 1.0×),
 *     against `math.fsum(list)` (the built-in with compensated accuracy), and
 *     against the same algorithm (Neumaier summation) in pure Python;
 *   - `fast_compute(ndarray)`, a float64 array borrowed zero-copy, against
 *     `numpy.sum` (goal ≥ 0.8×);
 *   - the GIL released: 2 Python threads over 1, each summing its own array,
 *     with rayon held to one thread (RAYON_NUM_THREADS=1) so any speed-up
 *     comes from `py.detach` alone (goal ≥ 1.8×).
 * Both wheel kinds are built: abi3 (the default) and per-version (--no-abi3),
 * which reads a float without a call into the interpreter. maturin and the
 * NumPy wheel come from .ci/setup.d/pyo3.sh.
 *
 *   npm run build && node --import tsx/esm bench/pyo3.ts      # this section alone, prints the figures
 *
 * Settings: BENCH_PYO3_REPS (repetitions per figure, default 7), BENCH_PYO3_N
 * (floats, default 1000000), BENCH_DIR (scratch space).
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { maturin, wheelhouse } from '../test/e2e/members/pyo3.js';
import {
  BIN,
  atLeast,
  fileSize,
  fmtBytes,
  fmtRatio,
  fmtSeconds,
  fmtSpread,
  freshDir,
  intSetting,
  log,
  median,
  run,
  section,
  type SectionResult,
} from './lib.js';

const WS = 'pbench';
const MODULE = `${WS}_pyo3`;

/** The timing script, run by the venv's Python: prints per-repetition seconds as JSON. */
const SCRIPT = String.raw`
import json, math, random, sys, threading, time
from array import array

import numpy

mod = __import__(sys.argv[1])
mode, n, reps = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(42)
values = [rng.uniform(-1.0, 1.0) for _ in range(n)]
ndarray = numpy.array(values)


def neumaier(xs):
    """Compensated summation, as fast_compute does it, in Python."""
    total = lost = 0.0
    for x in xs:
        t = total + x
        lost += (total - t) + x if abs(total) >= abs(x) else (x - t) + total
        total = t
    return total + lost


def clock(fn, number):
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def alternate(cases, number):
    """Each repetition times every case once; odd repetitions run them in reverse order."""
    times = {name: [] for name in cases}
    for fn in cases.values():
        fn()  # warm-up
    for rep in range(reps):
        names = list(cases) if rep % 2 == 0 else list(reversed(cases))
        for name in names:
            times[name].append(clock(cases[name], number.get(name, 5)))
    return times


if mode == "compare":
    times = alternate(
        {
            "sum": lambda: sum(values),
            "fsum": lambda: math.fsum(values),
            "python": lambda: neumaier(values),
            "list": lambda: mod.fast_compute(values),
            "numpy": lambda: numpy.sum(ndarray),
            "ndarray": lambda: mod.fast_compute(ndarray),
        },
        {"python": 1, "numpy": 50, "ndarray": 50},
    )
    results = {
        "sum": sum(values),
        "fsum": math.fsum(values),
        "list": mod.fast_compute(values),
        "ndarray": mod.fast_compute(ndarray),
        "cancelling": mod.fast_compute([1e16, 1.0, -1e16]),
    }
    print(json.dumps({"times": times, "results": results}))
else:
    # Arrays that stay in each core's cache (512 KiB), called many times: a
    # figure of the GIL, not of memory bandwidth, which two cores share.
    small = 65536
    arrays = [array("d", values[:small]), array("d", values[small : 2 * small])]
    calls = 2000

    def work(data):
        for _ in range(calls):
            mod.fast_compute(data)

    def one_thread():
        for data in arrays:
            work(data)

    def two_threads():
        threads = [threading.Thread(target=work, args=(data,)) for data in arrays]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    print(json.dumps({"times": alternate({"one": one_thread, "two": two_threads}, {"one": 1, "two": 1})}))
`;

interface Variant {
  readonly id: string;
  readonly label: string;
  readonly flags: readonly string[];
}

const VARIANTS: readonly Variant[] = [
  { id: 'abi3', label: 'abi3 wheel', flags: [] },
  { id: 'per-version', label: 'per-version wheel (--no-abi3)', flags: ['--no-abi3'] },
];

const fmtMs = (s: number): string => `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`;

/** Median of the per-repetition speed-ups t(reference) / t(ours). */
const speedUp = (ours: readonly number[], reference: readonly number[]): { ratio: number; spread: number[] } => {
  const ratios = ours.map((t, i) => reference[i]! / t);
  return { ratio: median(ratios), spread: ratios };
};

/** Builds and installs one variant's wheel in a fresh venv; returns the venv's Python. */
async function install(dir: string, variant: Variant, result: SectionResult): Promise<string> {
  const parent = join(dir, variant.id);
  await run(
    process.execPath,
    [BIN, 'app', WS, '--members=pyo3', ...variant.flags, '--defaults', '--skip-install', '--skip-git'],
    {
      cwd: parent,
    },
  );
  const venv = join(parent, 'venv');
  await run('python3', ['-m', 'venv', venv]);
  const python = join(venv, 'bin', 'python');
  const dist = join(parent, 'dist');
  log(`pyo3: maturin build --release (${variant.label})`);
  const build = await run(maturin, ['build', '--release', '--out', dist, '--interpreter', python], {
    cwd: join(parent, WS, 'crates', 'pyo3'),
    env: { CARGO_TARGET_DIR: join(dir, 'target'), CARGO_TERM_COLOR: 'never' },
  });
  const wheel = readdirSync(dist).find((f) => f.endsWith('.whl'))!;
  result.notes.push(
    `${variant.label}: \`${wheel}\`, ${fmtBytes(fileSize(join(dist, wheel)))}; \`maturin build --release\` took ${fmtSeconds(build.seconds)}.`,
  );
  await run(python, ['-m', 'pip', 'install', '--quiet', '--no-index', '--find-links', wheelhouse(), 'numpy', join(dist, wheel)]);
  return python;
}

async function timings(python: string, script: string, mode: string, n: number, reps: number, env: Record<string, string> = {}) {
  const { stdout } = await run(python, [script, MODULE, mode, String(n), String(reps)], { env });
  return JSON.parse(stdout) as { times: Record<string, number[]>; results?: Record<string, number> };
}

export async function pyo3(): Promise<SectionResult> {
  const result = section('pyo3', 'PyO3');
  const reps = intSetting('BENCH_PYO3_REPS', 7);
  const n = intSetting('BENCH_PYO3_N', 1_000_000);
  if (!existsSync(maturin)) {
    result.notes.push(`Skipped: ${maturin} is missing; run \`bash .ci/setup.d/pyo3.sh\`.`);
    return result;
  }
  const dir = freshDir('pyo3');
  for (const variant of VARIANTS) freshDir('pyo3', variant.id);
  const script = join(dir, 'timing.py');
  writeFileSync(script, SCRIPT);
  const floats = n.toLocaleString('en');

  for (const variant of VARIANTS) {
    const python = await install(dir, variant, result);
    log(`pyo3: timing ${floats} floats, ${reps} repetitions (${variant.label})`);
    const { times, results } = await timings(python, script, 'compare', n, reps);
    const figure = (name: string, ours: string, reference: string, referenceLabel: string, goal?: number): void => {
      const { ratio, spread } = speedUp(times[ours]!, times[reference]!);
      result.figures.push({
        name: `${name} speed-up over ${referenceLabel}, ${variant.label}`,
        ours: fmtMs(median(times[ours]!)),
        reference: fmtMs(median(times[reference]!)),
        ratio,
        ...(goal === undefined ? {} : { goal: `≥ ${goal}×`, met: atLeast(goal)(ratio) }),
        note: `per-repetition ${fmtSpread(spread, fmtRatio)}`,
      });
    };
    figure('fast_compute(list)', 'list', 'sum', 'sum(list)', 1.0);
    figure('fast_compute(ndarray)', 'ndarray', 'numpy', 'numpy.sum(ndarray)', 0.8);
    if (variant.id === 'abi3') {
      figure('fast_compute(list)', 'list', 'fsum', 'math.fsum(list)');
      figure('fast_compute(list)', 'list', 'python', 'the same algorithm in pure Python');
      const r = results!;
      result.notes.push(
        `Results on ${floats} uniform floats in [-1, 1): fast_compute(list) ${r['list']}, fast_compute(ndarray) ${r['ndarray']}, math.fsum ${r['fsum']}, sum ${r['sum']}` +
          ` (fast_compute ${r['list'] === r['fsum'] ? 'equals' : 'differs from'} math.fsum); fast_compute([1e16, 1.0, -1e16]) = ${r['cancelling']}.`,
      );

      log('pyo3: GIL release, 2 threads over 1 (RAYON_NUM_THREADS=1)');
      const threads = await timings(python, script, 'threads', n, reps, { RAYON_NUM_THREADS: '1' });
      const { ratio, spread } = speedUp(threads.times['two']!, threads.times['one']!);
      result.figures.push({
        name: "GIL released: 2 threads over 1, fast_compute(array('d') of 65,536 floats) ×4000, rayon on 1 thread",
        ours: `${fmtMs(median(threads.times['two']!))} (2 threads)`,
        reference: `${fmtMs(median(threads.times['one']!))} (1 thread)`,
        ratio,
        goal: '≥ 1.8×',
        met: atLeast(1.8)(ratio),
        note: `per-repetition ${fmtSpread(spread, fmtRatio)}; ${os.availableParallelism()} cores`,
      });
    }
  }

  result.method.push(
    `A workspace with the pyo3 member (\`${WS}-pyo3\`), its wheel built by \`maturin build --release\` (thin LTO, stripped) twice: abi3 (py311, the default) and per-version (\`--no-abi3\`); each installed with NumPy into a fresh virtualenv of this machine's \`python3\` (whose \`sum\` is compensated only from 3.12 on).`,
    `Input: ${floats} floats from \`random.uniform(-1, 1)\` as a list, as a NumPy float64 array, and as \`array('d')\`.`,
    `One Python process per wheel times every case ${reps} times, alternating the order (ABBA); a case's time is the mean of 5 calls (1 for pure Python, 50 for the NumPy array). Ratio = median of per-repetition t(reference)/t(ours), so > 1 means ours is faster.`,
    "GIL figure: two `array('d')` buffers of 65,536 floats (512 KiB, within a core's cache: the figure is of the GIL, not of the memory bandwidth two cores share), 2000 `fast_compute` calls on each, in one thread one after the other vs in two threads at once, with `RAYON_NUM_THREADS=1` so only the released GIL can make two threads faster.",
  );
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await pyo3();
  for (const f of result.figures) {
    console.log(
      `${f.name}: ${f.ours} vs ${f.reference ?? ''}: ${fmtRatio(f.ratio ?? Number.NaN)}${f.goal ? ` (goal ${f.goal}: ${f.met ? 'met' : 'NOT met'})` : ''}${f.note ? `; ${f.note}` : ''}`,
    );
  }
  for (const note of result.notes) console.log(`note: ${note}`);
  console.log(
    `load average now ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
