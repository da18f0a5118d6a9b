/**
 * How a member declares each crate it uses, given the workspace it joins:
 * inherit the workspace's entry, have ours added to the workspace, or ask for
 * the tested version itself where the workspace's entry (or Cargo.lock) would
 * give it another one. Decisions only; cargo-manifest.ts writes the root.
 */
import { getStaticTOMLValue, parseTOML } from 'toml-eslint-parser';
import { compareVersions, lowerBound, matches, parseVersion, sameRange, type Version } from './cargo-version.js';
import { isTable, lookup } from './toml-value.js';
import { crateVersion, type CrateName } from './versions.js';
import type { PatchedCrate } from './cargo-workspace.js';

/** A dependency a member needs: the features its code uses and where it is used. */
export interface MemberDependency {
  readonly name: CrateName;
  readonly features?: readonly string[];
  readonly kind?: 'normal' | 'dev' | 'build';
  readonly optional?: boolean;
}
/**
 * How the member declares a dependency, given the workspace's entry:
 * - `add`: the workspace has none; we add ours and the member inherits it;
 * - `inherit`: the workspace's entry serves: it accepts the version the member
 *   is tested with, and Cargo.lock does not hold an older one of that range;
 * - `local`: it does not (an older pin, another major, another package under
 *   that name): the member asks for our version itself and the user's line
 *   stays as it is;
 * - `path`: the workspace holds the crate itself (tokio's, axum's repository),
 *   at a version of the range the member is tested with: the member uses it,
 *   as the workspace's own crates do, rather than a second copy from crates.io.
 *
 * A `[patch.crates-io]` of the crate at a version of that range also serves:
 * the member asks for the patched version (`version`), which cargo then takes
 * from the patch, instead of ours, which the patch could not satisfy.
 */
export interface DependencyDecision {
  readonly dep: MemberDependency;
  readonly source: 'add' | 'inherit' | 'local' | 'path';
  /** For `path`: the package's directory, relative to the member's. */
  readonly path?: string;
  /** For `local`: the version asked for where it is not ours (a patched crate's). */
  readonly version?: string;
  /** `inherit` from an entry without default features, where ours has them. */
  readonly defaultFeatures?: true;
  /** Why the member does not inherit, for the log. */
  readonly reason?: string;
}

/**
 * Decides, per dependency, whether the member inherits the workspace's entry.
 * `locked` gives the versions Cargo.lock holds for a crate name. `previous`
 * is the member's own manifest when it is generated again: a dependency it
 * already asks for itself stays so (the lock has moved since, by our doing).
 * `workspacePackage` finds a package of the workspace by name, `patched` the
 * root's `[patch.crates-io]` entry for a crate.
 */
export function planDependencies(
  rootValue: unknown,
  deps: readonly MemberDependency[],
  locked: (name: string) => readonly string[] = () => [],
  previous?: unknown,
  workspacePackage: (name: string) => OwnPackage | undefined = () => undefined,
  patched: (name: string) => PatchedCrate | undefined = () => undefined,
): DependencyDecision[] {
  return deps.map((dep): DependencyDecision => {
    const entry = lookup(rootValue, ['workspace', 'dependencies', dep.name]);
    const ours = crateVersion(dep.name).version;
    const tested = parseVersion(ours)!;
    const patch = patched(dep.name);
    if (patch) {
      const decision = planAgainstPatch(dep, patch, entry, ours, tested);
      if (decision) return decision;
    }
    const local = workspacePackage(dep.name);
    if (entry === undefined && local) {
      const version = local.version === undefined ? undefined : parseVersion(local.version);
      const where = `the workspace's own ${dep.name}${local.version ? ` ${local.version}` : ''} (in ${local.dir})`;
      if (version && sameRange(version, tested)) {
        return {
          dep,
          source: 'path',
          path: local.fromMember,
          reason: `${where} serves, so the member uses it rather than crates.io's`,
        };
      }
      return {
        dep,
        source: 'add',
        reason: `${where} is not of the ${ours} range the member is tested with, so the member takes crates.io's ${ours} beside it`,
      };
    }
    if (entry === undefined) return { dep, source: 'add' };
    const section = dep.kind === 'dev' ? 'dev-dependencies' : dep.kind === 'build' ? 'build-dependencies' : 'dependencies';
    const own = lookup(previous, [section, dep.name]);
    if (typeof own === 'string' || (isTable(own) && own['workspace'] !== true && own['version'] !== undefined)) {
      return { dep, source: 'local' };
    }
    const table = isTable(entry) ? entry : undefined;
    const requirement = typeof entry === 'string' ? entry : typeof table?.['version'] === 'string' ? table['version'] : undefined;
    const shown = `the workspace's \`${dep.name} = ${typeof entry === 'string' ? JSON.stringify(entry) : '{ .. }'}\``;
    if (typeof table?.['package'] === 'string' && table['package'] !== dep.name) {
      return { dep, source: 'local', reason: `${shown} names the package ${table['package']}` };
    }
    if (requirement !== undefined) {
      // The workspace's own package under that name is what the entry resolves to, whatever the lock says.
      const localVersion = local?.version === undefined ? undefined : parseVersion(local.version);
      if (localVersion && sameRange(localVersion, tested) && matches(requirement, localVersion)) {
        return { dep, source: 'inherit' };
      }
      const floor = lowerBound(requirement);
      const candidate = floor && sameRange(floor, tested) && compareVersions(floor, tested) > 0 ? floor : tested;
      if (!floor || !matches(requirement, candidate)) {
        return { dep, source: 'local', reason: `${shown} does not accept ${ours}, the version the member is tested with` };
      }
      // Only a locked version the entry still accepts stays in use; cargo moves any other one
      // (a lock from before our own entry was added, a local package of that name).
      const older = locked(dep.name)
        .map(parseVersion)
        .find(
          (v): v is Version =>
            v !== undefined && sameRange(v, tested) && compareVersions(v, tested) < 0 && matches(requirement, v),
        );
      if (older) {
        return {
          dep,
          source: 'local',
          reason: `Cargo.lock holds ${dep.name} ${older.join('.')}, older than ${ours}, the version the member is tested with`,
        };
      }
    }
    // A git or path dependency has no version: the user's choice, and it serves.
    const needsDefaults = table?.['default-features'] === false && crateVersion(dep.name).defaultFeatures !== false;
    return needsDefaults ? { dep, source: 'inherit', defaultFeatures: true } : { dep, source: 'inherit' };
  });
}

/**
 * The decision for a crate the root patches, or undefined where the patch
 * changes nothing (the entry's own planning applies): a patch of the tested
 * range serves, through the workspace's entry where that accepts the patched
 * version, else by asking for that version; another range is built beside it.
 */
function planAgainstPatch(
  dep: MemberDependency,
  patch: PatchedCrate,
  entry: unknown,
  ours: string,
  tested: Version,
): DependencyDecision | undefined {
  const version = patch.version === undefined ? undefined : parseVersion(patch.version);
  const where = `the workspace's [patch.crates-io] ${dep.name}${patch.version ? ` ${patch.version}` : ''} (from ${patch.source})`;
  if (!version) {
    // A git patch: its version is not known offline; cargo uses it where it matches what is asked for.
    return entry === undefined
      ? {
          dep,
          source: 'add',
          reason: `${where} replaces crates.io's ${ours} if its version matches it; cargo warns where it does not`,
        }
      : undefined;
  }
  if (!sameRange(version, tested)) {
    return {
      dep,
      source: entry === undefined ? 'add' : 'local',
      reason: `${where} is not of the ${ours} range the member is tested with, so the member takes crates.io's ${ours} beside it`,
    };
  }
  const requirement = typeof entry === 'string' ? entry : isTable(entry) ? entry['version'] : undefined;
  if (entry !== undefined && (typeof requirement !== 'string' || matches(requirement, version))) {
    return { dep, source: 'inherit', reason: `${where} serves, through the workspace's entry` };
  }
  return {
    dep,
    source: 'local',
    version: patch.version!,
    reason: `${where} serves, so the member asks for ${patch.version}, which the patch provides`,
  };
}

/** A package of the workspace named like a crate a member uses. */
export interface OwnPackage {
  readonly version: string | undefined;
  /** Its directory relative to the root, for the log. */
  readonly dir: string;
  /** Its directory relative to the member's, for the member's `path` entry. */
  readonly fromMember: string;
}

/** The versions of each package in a Cargo.lock text; an unreadable lock holds none. */
export function lockedVersions(lockText: string | undefined): (name: string) => readonly string[] {
  let packages: unknown = [];
  try {
    if (lockText !== undefined) packages = lookup(getStaticTOMLValue(parseTOML(lockText)), ['package']);
  } catch {
    // Cargo rewrites a broken lock file; we only read it as a hint.
  }
  const byName = new Map<string, string[]>();
  for (const p of Array.isArray(packages) ? packages : []) {
    if (isTable(p) && typeof p['name'] === 'string' && typeof p['version'] === 'string') {
      byName.set(p['name'], [...(byName.get(p['name']) ?? []), p['version']]);
    }
  }
  return (name) => byName.get(name) ?? [];
}

/**
 * The member's own dependency line: it inherits from the workspace (or, for a
 * `local` decision, asks for our version itself) and names the features its
 * code uses.
 */
export function memberDependencyEntry(
  dep: MemberDependency,
  decision?: Pick<DependencyDecision, 'source' | 'defaultFeatures' | 'path' | 'version'>,
): string {
  const extras: string[] = [];
  if (decision?.source === 'path') {
    extras.push(`path = ${JSON.stringify(decision.path)}`);
  } else if (decision?.source === 'local') {
    const { version, defaultFeatures } = crateVersion(dep.name);
    extras.push(`version = "${decision.version ?? version}"`);
    if (defaultFeatures === false) extras.push('default-features = false');
  } else {
    extras.push('workspace = true');
    if (decision?.defaultFeatures) extras.push('default-features = true');
  }
  if (dep.features && dep.features.length > 0) {
    extras.push(`features = [${dep.features.map((f) => JSON.stringify(f)).join(', ')}]`);
  }
  if (dep.optional) extras.push('optional = true');
  if (extras.length === 1 && extras[0] === 'workspace = true') return `${dep.name}.workspace = true`;
  if (extras.length === 1 && extras[0]!.startsWith('version = ')) return `${dep.name} = ${extras[0]!.slice('version = '.length)}`;
  return `${dep.name} = { ${extras.join(', ')} }`;
}
