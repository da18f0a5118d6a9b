/**
 * 5. WASM: the size of the generated wasm member's release module, built as
 * its README says (`cargo build --profile wasm-release --target
 * wasm32-unknown-unknown`), after wasm-bindgen, and after `wasm-opt -Oz`
 * (binaryen from .ci/setup.d/wasm.sh), for each error style (anyhow and
 * thiserror pull in different code). Goal: ≤ 30 KB for the sample.
 *
 * The tools are the wasm member's e2e setup: wasm-bindgen-cli at exactly the
 * version Cargo.lock holds (installed by .ci/setup.d/wasm.sh <version> when
 * missing) and binaryen's wasm-opt.
 *
 * Settings: BENCH_WASM_ERRORS (error styles, default split,thiserror,anyhow).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { WASM_PROFILE } from '../generators/wasm/member.js';
import { BIN, PACKAGE_ROOT, atMost, fmtSeconds, freshDir, log, run, section, textSetting, type SectionResult } from './lib.js';

const WS = 'wbench';
const MEMBER = `${WS}-wasm`;
const WASM32 = 'wasm32-unknown-unknown';
const GOAL_BYTES = 30 * 1000;
const CACHE_DIR = process.env['RUST_PATTERNS_CACHE'] ?? join(homedir(), '.cache', 'generator-rust-patterns');
const WASM_OPT = join(CACHE_DIR, 'binaryen-132.0.0', 'node_modules', '.bin', 'wasm-opt');
const SETUP = join(PACKAGE_ROOT, '.ci', 'setup.d', 'wasm.sh');

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;

function lockedWasmBindgen(workspace: string): string {
  const match = /\[\[package\]\]\nname = "wasm-bindgen"\nversion = "([^"]+)"/.exec(
    readFileSync(join(workspace, 'Cargo.lock'), 'utf8'),
  );
  if (!match) throw new Error('Cargo.lock holds no wasm-bindgen package');
  return match[1]!;
}

export async function wasm(): Promise<SectionResult> {
  const result = section('wasm', 'WASM');
  const installed = await run('rustup', ['target', 'list', '--installed']).then(
    (r) => r.stdout.split('\n').includes(WASM32),
    () => false,
  );
  if (!installed) {
    result.notes.push(`Skipped: the ${WASM32} rustup target is missing (\`bash .ci/setup.d/wasm.sh\`).`);
    return result;
  }
  const styles = textSetting('BENCH_WASM_ERRORS', 'split,thiserror,anyhow').split(',');
  const root = freshDir('wasm');
  const targetDir = join(root, 'target');
  for (const errors of styles) {
    const dir = freshDir('wasm', errors);
    await run(
      process.execPath,
      [BIN, 'app', WS, '--members', 'wasm', '--errors', errors, '--defaults', '--skip-install', '--skip-git'],
      {
        cwd: dir,
      },
    );
    const workspace = join(dir, WS);
    log(`wasm: cargo build --profile ${WASM_PROFILE} --target ${WASM32} (errors ${errors})`);
    const build = await run('cargo', ['build', '-p', MEMBER, '--profile', WASM_PROFILE, '--target', WASM32], {
      cwd: workspace,
      env: { CARGO_TARGET_DIR: targetDir, CARGO_TERM_COLOR: 'never' },
    });
    const crate = MEMBER.replace(/-/g, '_');
    const raw = statSync(join(targetDir, WASM32, WASM_PROFILE, `${crate}.wasm`)).size;

    const version = lockedWasmBindgen(workspace);
    const bindgenBin = join(CACHE_DIR, `wasm-bindgen-cli-${version}`, 'bin', 'wasm-bindgen');
    if (!existsSync(bindgenBin)) {
      log(`wasm: installing wasm-bindgen-cli ${version} (.ci/setup.d/wasm.sh)`);
      await run('bash', [SETUP, version]);
    }
    const pkg = join(dir, 'pkg');
    await run(bindgenBin, ['--target', 'web', '--out-dir', pkg, join(targetDir, WASM32, WASM_PROFILE, `${crate}.wasm`)]);
    const bgFile = join(pkg, `${crate}_bg.wasm`);
    const bindgen = statSync(bgFile).size;
    const glue = statSync(join(pkg, `${crate}.js`)).size;
    let optimized: number | undefined;
    if (existsSync(WASM_OPT)) {
      const out = join(pkg, `${crate}_opt.wasm`);
      await run(WASM_OPT, ['-Oz', bgFile, '-o', out]);
      optimized = statSync(out).size;
    }
    const final = optimized ?? bindgen;
    const gzip = gzipSync(readFileSync(optimized === undefined ? bgFile : join(pkg, `${crate}_opt.wasm`)), { level: 9 }).length;
    result.figures.push({
      name: `release .wasm, errors ${errors}${errors === 'split' ? ' (default)' : ''}`,
      ours: optimized === undefined ? `${kb(bindgen)} after wasm-bindgen` : `${kb(optimized)} after wasm-opt -Oz`,
      reference: optimized === undefined ? 'wasm-opt missing' : `${kb(bindgen)} after wasm-bindgen`,
      goal: '≤ 30 KB',
      met: atMost(GOAL_BYTES)(final),
      note: `${kb(raw)} from cargo; ${kb(gzip)} gzipped; JS glue ${kb(glue)}; build ${fmtSeconds(build.seconds)}`,
    });
  }
  result.method.push(
    `A workspace with the wasm member (\`rust-patterns app ${WS} --members wasm --errors <style> --defaults\`, --target web), ` +
      `\`cargo build -p ${MEMBER} --profile ${WASM_PROFILE} --target ${WASM32}\` (the member's profile in the root: opt-level "z", fat LTO, one codegen unit), ` +
      "then `wasm-bindgen --target web` at the version Cargo.lock holds, then binaryen's `wasm-opt -Oz` (132, from .ci/setup.d/wasm.sh). " +
      'KB = 1000 bytes; gzip level 9 of the final module for the over-the-wire size.',
  );
  return result;
}
