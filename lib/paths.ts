import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, found from this file whether it runs from `dist/lib` or from source under tsx. */
export const PACKAGE_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('generator-rust-patterns: package.json not found above lib/');
    dir = parent;
  }
  return dir;
})();

/** `templates/<generator>`: each folder mirrors the tree that generator writes. */
export const templatesDir = (generator: string): string => join(PACKAGE_ROOT, 'templates', generator);

/** The compiled entry of a generator, for composition and registration. */
export const generatorPath = (generator: string): string => join(PACKAGE_ROOT, 'dist', 'generators', generator, 'index.js');
