#!/usr/bin/env node
/**
 * `rust-patterns [GENERATOR] [ARGS] [FLAGS]`: the generators without `yo`,
 * for scripts, CI and root users (yo refuses to run as root). GENERATOR is
 * `app` unless the first word names another generator; a first word that
 * looks like a mistyped generator is refused rather than taken as a name.
 */

import { constants } from 'node:os';

// No colour codes where nobody sees colours (a pipe, a log file), or where NO_COLOR asks for none.
// Set before anything that prints is loaded: the colour libraries read it once, at import.
if (!process.stdout.isTTY || !process.stderr.isTTY || (process.env['NO_COLOR'] ?? '') !== '') process.env['FORCE_COLOR'] = '0';

const [{ closest }, { describeSystemError, isSystemError, verbOf }, { generatorPath }, { NothingChangedError }, { MEMBERS }] =
  await Promise.all([
    import('../lib/command-line.js'),
    import('../lib/fs-errors.js'),
    import('../lib/paths.js'),
    import('../lib/transaction.js'),
    import('../generators/members.js'),
  ]);

const GENERATORS = ['app', ...MEMBERS.map((m) => m.kind), 'update'];

/** Flags the environment acts on (conflict resolution, install), besides the generator's own. */
const ENVIRONMENT_FLAGS: Readonly<Record<string, string>> = {
  force: 'force',
  bail: 'bail',
  'dry-run': 'dryRun',
  whitespace: 'ignoreWhitespace',
  'skip-yo-resolve': 'skipYoResolve',
  'skip-install': 'skipInstall',
};

const USAGE = `Usage: rust-patterns [GENERATOR] [NAME] [FLAGS]

Generators:
  app (default)  a new Cargo workspace with the chosen members
${MEMBERS.map((m) => `  ${m.kind.padEnd(13)}  ${m.description}`).join('\n')}
  update         bring a generated workspace up to this generator, keeping your edits

Environment flags: --force (overwrite generated files), --bail (stop at the first
conflict), --dry-run (show what would change, write nothing), --skip-install.
'rust-patterns GENERATOR --help' lists the options of one generator.
`;

async function main(argv: readonly string[]): Promise<void> {
  const [first, ...rest] = argv;
  const named = first !== undefined && GENERATORS.includes(first);
  const help = argv.includes('--help') || argv.includes('-h');
  if (!named && first !== undefined && !first.startsWith('-') && !help) {
    const meant = closest(
      first,
      GENERATORS.filter((g) => g !== 'app'),
    );
    if (meant) {
      throw new Error(
        `Unknown generator '${first}'. Did you mean \`rust-patterns ${meant} ${rest.join(' ')}\`? ` +
          `To create a workspace named ${first}, run \`rust-patterns app ${first}\`. Nothing was written.`,
      );
    }
  }
  const generator = named ? first : 'app';
  const args = named ? rest : [...argv];
  const envOptions: Record<string, boolean> = {};
  for (const arg of args) {
    const option = ENVIRONMENT_FLAGS[arg.replace(/^--/, '')];
    if (arg.startsWith('--') && option) envOptions[option] = true;
  }

  const { createEnv } = await import('yeoman-environment');
  const env = createEnv({ ...envOptions });
  for (const name of GENERATORS) env.register(generatorPath(name), { namespace: `rust-patterns:${name}` });
  if (help && !named) process.stdout.write(`${USAGE}\n`);
  await env.run([`rust-patterns:${generator}`, ...args], { help, ...envOptions });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // inquirer's wording for Ctrl-C or the end of input at a question.
  const closedPrompt =
    error instanceof Error && (error.name === 'ExitPromptError' || /User force closed the prompt/.test(error.message));
  const message = closedPrompt
    ? 'Stopped at a question (Ctrl-C, or the input ended). Nothing was written.'
    : isSystemError(error)
      ? `${describeSystemError(error, verbOf(error.syscall), error.path, process.cwd())} Nothing was changed.`
      : error instanceof Error
        ? error.message
        : String(error);
  process.stderr.write(`rust-patterns: ${message}\n`);
  process.exitCode = 1;
  // Stopped by a signal after undoing the writes: exit as a program ended by that signal reports (128 + n).
  if (error instanceof NothingChangedError && error.signal) process.exitCode = 128 + constants.signals[error.signal];
});
