/**
 * A generator's write plan is data: blocks of template paths (relative to its
 * `templates/<generator>` folder, which mirrors the generated tree) with an
 * optional condition on the template context.
 */
export interface WriteBlock<C> {
  readonly condition?: (ctx: C) => boolean;
  readonly templates: readonly string[];
}

export type WritePlan<C> = readonly WriteBlock<C>[];

/**
 * Files npm would drop or rename when packing (`.gitignore`), or that tools
 * would pick up inside this package (`.github`), live under a plain name.
 */
const RENAMES: Readonly<Record<string, string>> = {
  gitignore: '.gitignore',
  'dot-github': '.github',
  'dot-env.example': '.env.example',
  dockerignore: '.dockerignore',
};

/** The generated path for a template path: `dot-github/workflows/ci.yml` -> `.github/workflows/ci.yml`. */
export function outputPath(template: string): string {
  return template
    .split('/')
    .map((part) => RENAMES[part] ?? part)
    .join('/')
    .replace(/\.ejs$/, '');
}

export function selectTemplates<C>(plan: WritePlan<C>, ctx: C): string[] {
  return plan.filter((block) => block.condition?.(ctx) ?? true).flatMap((block) => block.templates);
}
