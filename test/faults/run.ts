/**
 * The fault-injection layer: runs the `rust-patterns` bin under every fault a
 * real run meets while it writes, and asserts after each run that it either
 * completed (the member or workspace is there and registered) or left every
 * file that existed byte-identical and nothing new behind.
 *
 * - sweeps: SIGINT, SIGTERM, SIGHUP, ENOSPC, EACCES, EIO injected at each step
 *   of the commit (`RUST_PATTERNS_FAULT=<fault>@<n>`, lib/transaction.ts), from
 *   the first file written until a run completes, for a member added to a
 *   hand-written repository and for a whole new workspace;
 * - real signals sent at random moments of a run;
 * - a real full disk (a small tmpfs; needs root);
 * - permission errors as an ordinary user (needs root to create the user);
 * - dangling and escaping symbolic links;
 * - two runs at once on one workspace, repeated.
 *
 *   npm run test:faults                  # everything
 *   npm run test:faults -- --only sweep  # scenarios whose name contains "sweep"
 *
 * Where root is needed and missing, those scenarios are skipped with a
 * message; under CI=true they must run.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statfsSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../lib/paths.js';
import { REPOS, writeTree } from '../fixtures/repos.js';

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const underCi = process.env['CI'] === 'true';
const bin = join(PACKAGE_ROOT, 'dist', 'bin', 'rust-patterns.js');
const isRoot = process.getuid?.() === 0;
const USER = 'rust-patterns-ci';

// --- Running the bin and judging the tree -----------------------------------------

interface Outcome {
  readonly code: number | null;
  readonly stderr: string;
}

function runBin(
  cwd: string,
  args: readonly string[],
  env: Record<string, string> = {},
  killAfter?: { ms: number; signal: NodeJS.Signals },
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = killAfter ? setTimeout(() => child.kill(killAfter.signal), killAfter.ms) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 + signalNumber(signal) : null), stderr });
    });
  });
}

const signalNumber = (signal: NodeJS.Signals): number => ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 })[signal as string] ?? 0;

/** Every entry below `dir`: directories, files with their mode and content hash, links with their target. */
function tree(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel))) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const full = join(dir, path);
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) entries.set(path, `link -> ${readlinkSync(full)}`);
      else if (stat.isDirectory()) {
        entries.set(`${path}/`, `dir ${(stat.mode & 0o7777).toString(8)}`);
        walk(path);
      } else
        entries.set(
          path,
          `file ${(stat.mode & 0o7777).toString(8)} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`,
        );
    }
  };
  walk('');
  return entries;
}

type Verdict = 'clean' | 'complete';

/**
 * Asserts that the run left `before` unchanged (and failed, saying so) or
 * completed. `complete(dir)` says what a completed run must have done.
 */
function judge(dir: string, before: Map<string, string>, outcome: Outcome, complete: () => boolean): Verdict {
  const after = tree(dir);
  if (outcome.code === 0) {
    assert.ok(complete(), `exit 0 but the run is not complete:\n${outcome.stderr.slice(-2000)}`);
    return 'complete';
  }
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
  assert.deepEqual(changed, [], `a failed run (exit ${outcome.code}) changed or left files:\n${outcome.stderr.slice(-2000)}`);
  assert.match(
    outcome.stderr,
    /Nothing was (changed|written)\./,
    `a failed run must say that nothing was changed:\n${outcome.stderr.slice(-2000)}`,
  );
  return 'clean';
}

// --- Fixtures ---------------------------------------------------------------------

function freshDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `rp-faults-${name}-`));
}

/** A hand-written workspace (test/fixtures/repos.ts) in `dir`. */
function writeRepo(dir: string): void {
  writeTree(dir, REPOS.explicit.files);
}

const memberComplete =
  (repo: string, name: string, path = `crates/${name}`) =>
  (): boolean =>
    existsSync(join(repo, path, 'src', 'main.rs')) &&
    readFileSync(join(repo, 'Cargo.toml'), 'utf8').includes(`"${path}"`) &&
    readFileSync(join(repo, '.yo-rc.json'), 'utf8').includes(`"${name}"`);

/** Runs `jobs` with at most `width` at a time. */
async function pool<T>(jobs: readonly (() => Promise<T>)[], width = 2): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]!();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

// --- Scenarios --------------------------------------------------------------------

class Skip extends Error {}

interface Scenario {
  readonly name: string;
  /** Returns a one-line summary of what was tried. */
  readonly run: () => Promise<string>;
}

const MEMBER_ARGS = ['cli', 'tool', '--defaults', '--skip-install'];
const APP_ARGS = ['app', 'ws', '--members=cli,service,worker,wasm,pyo3', '--defaults', '--skip-install', '--skip-git'];
const EXPECTED_EXIT: Readonly<Record<string, number>> = { sigint: 130, sigterm: 143, sighup: 129, enospc: 1, eacces: 1, eio: 1 };

/**
 * Injects `fault` at steps `first, first + stride, …` until a run completes,
 * each run in a fresh copy of the fixture. Returns the number of fault points tried.
 */
async function sweep(what: 'member' | 'app', fault: string, stride: number): Promise<number> {
  let tried = 0;
  for (let start = 1; ; start += stride * 2) {
    const batch = [start, start + stride];
    const verdicts = await pool(
      batch.map((step) => async () => {
        const dir = freshDir(`${what}-${fault}`);
        try {
          if (what === 'member') writeRepo(dir);
          const before = tree(dir);
          const outcome = await runBin(dir, what === 'member' ? MEMBER_ARGS : APP_ARGS, {
            RUST_PATTERNS_FAULT: `${fault}@${step}`,
          });
          const complete =
            what === 'member' ? memberComplete(dir, 'tool') : () => existsSync(join(dir, 'ws', 'crates', 'pyo3', 'Cargo.toml'));
          const verdict = judge(dir, before, outcome, complete);
          if (verdict === 'clean')
            assert.equal(outcome.code, EXPECTED_EXIT[fault], `${fault}@${step}: exit code\n${outcome.stderr}`);
          return verdict;
        } catch (error) {
          throw new Error(`${what}, ${fault}@${step}: ${(error as Error).message}`, { cause: error });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
    );
    tried += verdicts.filter((v) => v === 'clean').length;
    if (verdicts.includes('complete')) return tried;
    if (start > 2000) throw new Error(`${what}, ${fault}: never completed`);
  }
}

const SCENARIOS: readonly Scenario[] = [
  ...(['sigint', 'enospc', 'sigterm', 'sighup', 'eacces', 'eio'] as const).map((fault, index) => ({
    name: `sweep-member-${fault}`,
    // Every step for the two commonest faults, every fourth for the others.
    run: async () => `${await sweep('member', fault, index < 2 ? 1 : 4)} fault points, each clean`,
  })),
  ...(['sigint', 'enospc'] as const).map((fault) => ({
    name: `sweep-app-${fault}`,
    run: async () => `${await sweep('app', fault, 10)} fault points, each clean`,
  })),
  {
    name: 'random-signals',
    run: async () => {
      // Every step of the commit slowed by 25 ms (a slow disk), so that the signals, sent at
      // random moments across the whole run, also land while files are being written.
      const slow = { RUST_PATTERNS_FAULT: 'slow@25' };
      const probe = freshDir('probe');
      writeRepo(probe);
      const t0 = performance.now();
      await runBin(probe, MEMBER_ARGS, slow);
      const duration = performance.now() - t0;
      rmSync(probe, { recursive: true, force: true });
      const counts = { clean: 0, complete: 0, duringCommit: 0 };
      const jobs = Array.from({ length: 30 }, (_, i) => async () => {
        const signal: NodeJS.Signals = i % 2 === 0 ? 'SIGINT' : 'SIGTERM';
        const ms = Math.round(duration * (0.3 + Math.random() * 0.8));
        const dir = freshDir('random');
        try {
          writeRepo(dir);
          const before = tree(dir);
          const outcome = await runBin(dir, MEMBER_ARGS, slow, { ms, signal });
          // Before the commit a signal ends the process the default way, having written nothing.
          const verdict =
            outcome.code === 0
              ? judge(dir, before, outcome, memberComplete(dir, 'tool'))
              : cleanAfterSignal(dir, before, outcome);
          counts[verdict] += 1;
          if (/Stopped by SIG\w+ while writing/.test(outcome.stderr)) counts.duringCommit += 1;
        } catch (error) {
          throw new Error(`${signal} after ${ms} ms: ${(error as Error).message}`, { cause: error });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
      await pool(jobs);
      return `30 signals across ${Math.round(duration)} ms runs: ${counts.clean} clean (${counts.duringCommit} of them stopped during the commit), ${counts.complete} complete`;
    },
  },
  {
    name: 'full-disk',
    run: async () => {
      if (!isRoot) throw new Skip('needs root to mount a small tmpfs');
      const mount = freshDir('tmpfs');
      const results: string[] = [];
      try {
        for (const what of ['member', 'app'] as const) {
          execOrThrow('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount]);
          try {
            if (what === 'member') writeRepo(mount);
            // Leave 24 KiB: room for a few of the new files, not for all of them.
            const { bavail, bsize } = statfsSync(mount);
            writeFileSync(join(mount, 'filler'), Buffer.alloc(Math.max(0, bavail * bsize - 24 * 1024)));
            const before = tree(mount);
            const outcome = await runBin(mount, what === 'member' ? MEMBER_ARGS : APP_ARGS);
            assert.notEqual(outcome.code, 0, `${what}: the disk was meant to be too small\n${outcome.stderr}`);
            judge(mount, before, outcome, () => false);
            assert.match(outcome.stderr, /Cannot \w+ .+: no space left on device \(ENOSPC\)/, outcome.stderr);
            results.push(`${what}: ENOSPC named with its path, clean`);
          } finally {
            execOrThrow('umount', [mount]);
          }
        }
      } finally {
        rmSync(mount, { recursive: true, force: true });
      }
      return results.join('; ');
    },
  },
  {
    name: 'permissions',
    run: async () => {
      if (!isRoot) throw new Skip('needs root to create an ordinary user');
      if (spawnSync('id', [USER]).status !== 0) execOrThrow('useradd', ['--create-home', USER]);
      const cases: readonly { name: string; setup: (dir: string) => void; message: RegExp }[] = [
        {
          name: 'crates/ not writable',
          setup: (dir) => {
            chmodSync(join(dir, 'crates'), 0o555);
          },
          message: /permission denied \(EACCES\)/,
        },
        {
          name: 'root not writable',
          setup: (dir) => {
            chmodSync(dir, 0o555);
          },
          message: /permission denied \(EACCES\)/,
        },
        {
          name: 'Cargo.toml not readable',
          setup: (dir) => {
            chmodSync(join(dir, 'Cargo.toml'), 0o000);
          },
          message: /Cannot read .*Cargo\.toml: permission denied/,
        },
      ];
      for (const c of cases) {
        const dir = freshDir('perm');
        try {
          chmodSync(dir, 0o755);
          writeRepo(dir);
          execOrThrow('chown', ['-R', USER, dir]);
          c.setup(dir);
          const before = tree(dir);
          const outcome = await new Promise<Outcome>((resolve, reject) => {
            const child = spawn('runuser', ['-u', USER, '--', process.execPath, bin, ...MEMBER_ARGS], {
              cwd: dir,
              stdio: ['ignore', 'ignore', 'pipe'],
            });
            let stderr = '';
            child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
            child.on('error', reject);
            child.on('close', (code) => {
              resolve({ code, stderr });
            });
          });
          assert.notEqual(outcome.code, 0, `${c.name}: expected a failure\n${outcome.stderr}`);
          judge(dir, before, outcome, () => false);
          assert.match(outcome.stderr, c.message, `${c.name}:\n${outcome.stderr}`);
        } finally {
          chmodSync(dir, 0o755);
          rmSync(dir, { recursive: true, force: true });
        }
      }
      return `${cases.length} cases as ${USER}: each a clear message, each clean`;
    },
  },
  {
    name: 'symlinks',
    run: async () => {
      const cases: readonly {
        name: string;
        setup: (dir: string, outside: string) => void;
        args: readonly string[];
        ok: boolean;
      }[] = [
        {
          name: 'dangling link at the member path',
          setup: (dir) => {
            symlinkSync(join(dir, 'nowhere'), join(dir, 'crates', 'tool'));
          },
          args: MEMBER_ARGS,
          ok: false,
        },
        {
          name: 'link to outside on the --path',
          setup: (dir, outside) => {
            symlinkSync(outside, join(dir, 'out'));
          },
          args: [...MEMBER_ARGS, '--path', 'out/tool'],
          ok: false,
        },
        {
          name: 'link inside the workspace on the --path',
          setup: (dir) => {
            symlinkSync(join(dir, 'crates'), join(dir, 'alias'));
          },
          args: [...MEMBER_ARGS, '--path', 'alias/tool'],
          ok: true,
        },
      ];
      for (const c of cases) {
        const dir = freshDir('links');
        const outside = freshDir('outside');
        try {
          writeRepo(dir);
          c.setup(dir, outside);
          const before = tree(dir);
          const outsideBefore = tree(outside);
          const outcome = await runBin(dir, c.args);
          assert.equal(outcome.code === 0, c.ok, `${c.name}: exit ${outcome.code}\n${outcome.stderr}`);
          judge(dir, before, outcome, () => existsSync(join(dir, 'alias', 'tool', 'src', 'main.rs')));
          assert.deepEqual(tree(outside), outsideBefore, `${c.name}: wrote outside the workspace`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
          rmSync(outside, { recursive: true, force: true });
        }
      }
      return `${cases.length} cases: escapes refused, links inside followed`;
    },
  },
  {
    name: 'concurrent',
    run: async () => {
      for (let i = 0; i < 20; i++) {
        const dir = freshDir('concurrent');
        try {
          writeRepo(dir);
          const [a, b] = await Promise.all([
            runBin(dir, ['cli', 'alpha', '--defaults', '--skip-install']),
            runBin(dir, ['worker', 'beta', '--defaults', '--skip-install']),
          ]);
          assert.equal(a.code, 0, a.stderr);
          assert.equal(b.code, 0, b.stderr);
          assert.ok(memberComplete(dir, 'alpha')(), `round ${i}: alpha is missing`);
          assert.ok(
            existsSync(join(dir, 'crates', 'beta', 'src', 'main.rs')) &&
              readFileSync(join(dir, 'Cargo.toml'), 'utf8').includes('"crates/beta"'),
            `round ${i}: beta is missing`,
          );
          assert.ok(!existsSync(join(dir, '.rust-patterns.lock')), 'the lock is released');
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
      return '20 rounds of two runs at once: both members registered every time';
    },
  },
];

/** A run stopped by a real signal: exit 128+n, and either clean or (signal after the commit) complete. */
function cleanAfterSignal(dir: string, before: Map<string, string>, outcome: Outcome): Verdict {
  const after = tree(dir);
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
  if (changed.length === 0) return 'clean';
  // The signal came after the last rename (during the install or the exit): the run completed.
  assert.ok(
    memberComplete(dir, 'tool')(),
    `stopped with exit ${outcome.code}, and the tree is neither untouched nor complete: ${changed.join(', ')}\n${outcome.stderr}`,
  );
  return 'complete';
}

function execOrThrow(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
}

async function main(): Promise<void> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`);
  const started = performance.now();
  let failed = 0;
  for (const scenario of SCENARIOS.filter((s) => only === undefined || s.name.includes(only))) {
    const t0 = performance.now();
    let status: string;
    try {
      status = `ok      ${await scenario.run()}`;
    } catch (error) {
      if (error instanceof Skip && !underCi) status = `skipped ${error.message}`;
      else {
        failed += 1;
        status = `FAILED  ${(error as Error).message.replace(/\n/g, '\n        | ')}`;
      }
    }
    console.log(`${scenario.name.padEnd(22)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s  ${status}`);
  }
  console.log(
    `\nfaults: ${failed === 0 ? 'all passed' : `${failed} failed`} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  if (failed > 0) process.exitCode = 1;
}

await main();
