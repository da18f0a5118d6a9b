/**
 * The floor of the generation benchmark: a one-file Yeoman generator that
 * writes a fixed set of files, with no options, prompts, templates or TOML
 * editing, run through the same yeoman-environment as `rust-patterns`.
 *
 * The files are a snapshot of what `rust-patterns` wrote for the same command
 * (a JSON object `{ "relative/path": "content" }` named by BENCH_FLOOR_SNAPSHOT),
 * so both sides write the same bytes and the difference is our own work:
 * loading the generators, answering options, rendering EJS, editing Cargo.toml.
 *
 *   BENCH_FLOOR_SNAPSHOT=files.json node dist/bench/floor/generator.js [dir]
 *
 * bench/generation.ts compiles this file to plain JavaScript next to our own
 * compiled bin, so neither side pays for a TypeScript loader.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createEnv } from 'yeoman-environment';
import Generator from 'yeoman-generator';

export default class FloorGenerator extends Generator {
  writing(): void {
    const snapshot = process.env['BENCH_FLOOR_SNAPSHOT'];
    if (snapshot === undefined) throw new Error('BENCH_FLOOR_SNAPSHOT is not set');
    const files = JSON.parse(readFileSync(snapshot, 'utf8')) as Record<string, string>;
    const dir = this.args[0] ?? '.';
    for (const [path, content] of Object.entries(files)) this.fs.write(this.destinationPath(dir, path), content);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // The same environment options our bin passes for `--force --skip-install`.
  const env = createEnv({ force: true, skipInstall: true });
  // Registered as a class: importing this file again from the environment would be a module cycle.
  env.register(FloorGenerator, { namespace: 'floor:app', resolved: fileURLToPath(import.meta.url) });
  await env.run(['floor:app', ...process.argv.slice(2)], { force: true, skipInstall: true });
}
