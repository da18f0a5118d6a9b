/**
 * A generator's write plan is data: blocks of template paths (relative to its
 * `templates/<generator>` folder, which mirrors the generated tree) with an
 * optional condition on the template context.
 */
export interface WriteBlock<C> {
  // Methods, not function properties: a plan over a member's own context is
  // then usable where a plan over the shared context is expected.
  condition?(ctx: C): boolean;
  /** The generated path when it depends on the answers (e.g. a Python package named by an option); default `outputPath`. */
  renameTo?(ctx: C, output: string): string;
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
};

/** The generated path for a template path: `dot-github/workflows/ci.yml` -> `.github/workflows/ci.yml`. */
export function outputPath(template: string): string {
  return template
    .split('/')
    .map((part) => RENAMES[part] ?? part)
    .join('/')
    .replace(/\.ejs$/, '');
}

/** The templates a plan writes for a context, each with its generated path. */
export function plannedFiles<C>(plan: WritePlan<C>, ctx: C): { template: string; output: string }[] {
  return plan
    .filter((block) => block.condition?.(ctx) ?? true)
    .flatMap((block) =>
      block.templates.map((template) => {
        const output = outputPath(template);
        return { template, output: block.renameTo ? block.renameTo(ctx, output) : output };
      }),
    );
}
