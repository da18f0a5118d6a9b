/**
 * The e2e matrix: every member with every value of its own choice and boolean
 * options, crossed with every error style (an option marked
 * `errorStylesAtDefaultOnly` crosses them at its default value only), plus one
 * workspace holding all members with their defaults, plus the members that
 * change each other's code, generated one after the other.
 */
import { MEMBERS } from '../../generators/members.js';
import { ERRORS, type OptionSpec } from '../../lib/options.js';
import { STRICT_SET } from '../../lib/lint-fit.js';

/**
 * The members whose generated code passes clippy under the strict lints real
 * workspaces make their members inherit (issue 13), as their definitions say
 * (`strictLints`, which also tells the generator such a workspace fits them):
 * the e2e runs `clippy strict` ({@link STRICT_LINTS}) on exactly these packages.
 */
export const STRICT_CLEAN_MEMBERS: ReadonlySet<string> = new Set(MEMBERS.filter((m) => m.strictLints).map((m) => m.kind));

/** The strict set (lib/lint-fit.ts STRICT_SET), as clippy arguments after `--`: what axum-like workspaces put in `[workspace.lints]`. */
export const STRICT_LINTS: readonly string[] = [
  ...STRICT_SET.groups.flatMap((g) => ['-W', g]),
  ...STRICT_SET.lints.flatMap((l) => ['-W', l.replaceAll('-', '_')]),
];

export interface Combination {
  /** Directory name and label, e.g. `service-db-postgres-thiserror`. */
  readonly id: string;
  readonly errors: string;
  readonly members: readonly { readonly kind: string; readonly options: Readonly<Record<string, unknown>> }[];
  /**
   * Members added after the app wrote the others, each by its own generator
   * (`rust-patterns <kind>` inside the workspace), in this order: a workspace
   * generated one member after the other, as a team grows it.
   */
  readonly later?: readonly string[];
}

/** The values of an option the matrix crosses; text and number options keep their default. */
function valuesOf(spec: OptionSpec): readonly unknown[] {
  switch (spec.kind) {
    case 'choice':
      return spec.choices.map((c) => c.value);
    case 'boolean':
      return [true, false];
    default:
      return [spec.default];
  }
}

function cross(specs: readonly OptionSpec[]): Record<string, unknown>[] {
  return specs.reduce<Record<string, unknown>[]>(
    (combos, spec) => combos.flatMap((combo) => valuesOf(spec).map((value) => ({ ...combo, [spec.flag]: value }))),
    [{}],
  );
}

const label = (options: Readonly<Record<string, unknown>>, specs: readonly OptionSpec[]): string =>
  Object.entries(options)
    .filter(([flag]) => valuesOf(specs.find((s) => s.flag === flag)!).length > 1)
    .map(([flag, value]) => (typeof value === 'boolean' ? (value ? flag : `no-${flag}`) : `${flag}-${String(value)}`))
    .join('-');

export function combinations(): Combination[] {
  const result: Combination[] = [];
  for (const member of MEMBERS) {
    for (const options of cross(member.options)) {
      // Options whose every value is a costly build cross the error styles at their default only.
      const atDefault = member.options.every((o) => !o.errorStylesAtDefaultOnly || options[o.flag] === o.default);
      for (const errors of atDefault ? ERRORS.choices.map((c) => c.value) : [ERRORS.default]) {
        const optionLabel = label(options, member.options);
        result.push({
          id: [member.kind, optionLabel, errors].filter(Boolean).join('-'),
          errors,
          members: [{ kind: member.kind, options }],
        });
      }
    }
  }
  if (MEMBERS.length > 1) {
    result.push({
      id: 'all-members',
      errors: ERRORS.default,
      members: MEMBERS.map((m) => ({ kind: m.kind, options: Object.fromEntries(m.options.map((o) => [o.flag, o.default])) })),
    });
  }
  result.push(...pairings());
  return result;
}

/**
 * The members that change each other's code: a service on PostgreSQL beside a
 * `--queue postgres` worker gets `POST /jobs` on the worker's queue. In both
 * generation orders (test/jobs.spec.ts proves they give the same bytes), every
 * error style once, and both query modes.
 */
function pairings(): Combination[] {
  const member = (kind: string, options: Record<string, unknown>) => {
    const definition = MEMBERS.find((m) => m.kind === kind)!;
    return { kind, options: { ...Object.fromEntries(definition.options.map((o) => [o.flag, o.default])), ...options } };
  };
  const jobs = (errors: string, queries: string, later: string) => ({
    id: `jobs-${later === 'worker' ? 'service' : 'worker'}-first-queries-${queries}-${errors}`,
    errors,
    members: [member('service', { db: 'postgres', queries }), member('worker', { queue: 'postgres' })],
    later: [later],
  });
  return [jobs('split', 'runtime', 'worker'), jobs('anyhow', 'runtime', 'service'), jobs('thiserror', 'checked', 'service')];
}

/** `-p <workspace>-<kind>` for each member of the combination in STRICT_CLEAN_MEMBERS; empty when none is. */
export function strictPackageArgs(combination: Combination, workspace: string): string[] {
  return combination.members.filter((m) => STRICT_CLEAN_MEMBERS.has(m.kind)).flatMap((m) => ['-p', `${workspace}-${m.kind}`]);
}

/** The app generator's flags for a combination: the members it writes itself (not those added `later`). */
export function flagsOf(combination: Combination): string[] {
  const first = combination.members.filter((m) => !combination.later?.includes(m.kind));
  return [
    `--members=${first.map((m) => m.kind).join(',')}`,
    `--errors=${combination.errors}`,
    ...first.flatMap((m) => optionFlags(m.options)),
  ];
}

/** The member generator's flags for a member added `later`. */
export function laterFlagsOf(combination: Combination, kind: string, workspace: string): string[] {
  const member = combination.members.find((m) => m.kind === kind)!;
  return [kind, `${workspace}-${kind}`, `--path=crates/${kind}`, ...optionFlags(member.options)];
}

function optionFlags(options: Readonly<Record<string, unknown>>): string[] {
  const flags: string[] = [];
  for (const [flag, value] of Object.entries(options)) {
    if (typeof value === 'boolean') flags.push(value ? `--${flag}` : `--no-${flag}`);
    // An empty default (e.g. --module-name: derived from the crate name) is left to the generator.
    else if (value !== '') flags.push(`--${flag}=${String(value)}`);
  }
  return flags;
}
