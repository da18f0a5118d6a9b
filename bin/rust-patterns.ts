#!/usr/bin/env node
/**
 * `rust-patterns [GENERATOR] [ARGS] [FLAGS]`: the generators without `yo`,
 * for scripts, CI and root users (yo refuses to run as root). GENERATOR is
 * `app` unless the first word names another generator.
 */
import { createEnv } from 'yeoman-environment';
import { MEMBERS } from '../generators/members.js';
import { generatorPath } from '../lib/paths.js';

const GENERATORS = ['app', ...MEMBERS.map((m) => m.kind)];

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

Environment flags: --force (overwrite generated files), --bail (stop at the first
conflict), --dry-run (show what would change, write nothing), --skip-install.
'rust-patterns GENERATOR --help' lists the options of one generator.
`;

async function main(argv: readonly string[]): Promise<void> {
  const [first, ...rest] = argv;
  const named = first !== undefined && GENERATORS.includes(first);
  const generator = named ? first : 'app';
  const args = named ? rest : [...argv];
  const help = args.includes('--help') || args.includes('-h');
  const envOptions: Record<string, boolean> = {};
  for (const arg of args) {
    const option = ENVIRONMENT_FLAGS[arg.replace(/^--/, '')];
    if (arg.startsWith('--') && option) envOptions[option] = true;
  }

  const env = createEnv({ ...envOptions });
  for (const name of GENERATORS) env.register(generatorPath(name), { namespace: `rust-patterns:${name}` });
  if (help && !named) process.stdout.write(`${USAGE}\n`);
  await env.run([`rust-patterns:${generator}`, ...args], { help, ...envOptions });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`rust-patterns: ${message}\n`);
  process.exitCode = 1;
});
