/** Shared test helpers: generators run from their compiled entries, as yo runs them. */
import helpers from 'yeoman-test';
import { generatorPath } from '../lib/paths.js';
import type { PatternsGenerator } from '../lib/patterns-generator.js';

/** Typed with our generators' options, so `.withOptions` takes any of our flags. */
export function runGenerator(name: string) {
  return helpers.run<PatternsGenerator>(generatorPath(name), { namespace: `rust-patterns:${name}` });
}

/** Options that keep a test run offline and quick: no cargo, no git, no prompts. */
export const QUIET = { 'skip-install': true, 'skip-git': true, defaults: true } as const;
