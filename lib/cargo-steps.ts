/**
 * The install phase: cargo commands run in the generated workspace, each shown
 * with its duration. A missing or failing cargo is reported, never fatal: the
 * files are already written and stay.
 */
import type Generator from 'yeoman-generator';

export async function runCargoSteps(generator: Generator, cwd: string, steps: readonly string[][]): Promise<boolean> {
  for (const args of steps) {
    const shown = `cargo ${args.join(' ')}`;
    generator.log.info(`Running ${shown}`);
    const started = performance.now();
    try {
      await generator.spawn('cargo', args, { cwd, stdio: 'inherit' });
    } catch (error) {
      const e = error as { code?: string; shortMessage?: string; message: string };
      const reason =
        e.code === 'ENOENT'
          ? 'cargo was not found on PATH. Install Rust from https://rustup.rs, then run it yourself'
          : `${e.shortMessage ?? e.message}. The files are written; fix the problem above and run it again`;
      generator.log.error(`${shown} failed: ${reason}.`);
      return false;
    }
    generator.log.ok(`${shown} finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return true;
}
