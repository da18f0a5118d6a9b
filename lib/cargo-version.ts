/**
 * Cargo's version requirements, as far as the generator needs them: which
 * versions a requirement accepts, its lowest accepted version, and caret
 * compatibility. Release versions only (pre-release tags are read past).
 */

export type Version = readonly [number, number, number];

/** `1.2.3`, `1.2` or `1` (missing parts are 0); undefined if unreadable. */
export function parseVersion(text: string): Version | undefined {
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/.exec(text.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

export const compareVersions = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Semver-compatible: the same major, or for 0.x the same minor (Cargo's caret ranges). */
export const sameRange = (a: Version, b: Version): boolean => (a[0] > 0 || b[0] > 0 ? a[0] === b[0] : a[1] === b[1]);

interface Comparator {
  readonly op: string;
  /** Major, minor, patch as written: a partial version has fewer parts. */
  readonly parts: readonly number[];
}

/** Cargo's requirement syntax: comma-separated `^1.2.3`, `~1.2`, `=1`, `>=1, <2`, `1.*`, `*`; undefined if unreadable. */
function parseRequirement(requirement: string): Comparator[] | undefined {
  const comparators: Comparator[] = [];
  for (const text of requirement.split(',')) {
    const match = /^\s*(\^|~|=|>=|>|<=|<)?\s*(\d+(?:\.\d+){0,2}|[*xX])((?:\.[*xX])*)(?:[-+]\S*)?\s*$/.exec(text);
    if (!match) return undefined;
    const whole = match[2] === '*' || match[2] === 'x' || match[2] === 'X';
    const parts = whole ? [] : match[2]!.split('.').map(Number);
    const wildcard = whole || match[3] !== '';
    comparators.push({ op: wildcard ? '=' : (match[1] ?? '^'), parts });
  }
  return comparators;
}

/** The lowest version a requirement accepts, or undefined if it cannot be read. */
export function lowerBound(requirement: string): Version | undefined {
  const comparators = parseRequirement(requirement);
  if (!comparators) return undefined;
  let floor: Version = [0, 0, 0];
  for (const { op, parts } of comparators) {
    if (op === '<' || op === '<=') continue;
    const v: Version = [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
    const bumped: Version = op === '>' ? bump(parts) : v;
    if (compareVersions(bumped, floor) > 0) floor = bumped;
  }
  return floor;
}

/** The first version above everything a partial version `parts` names: 1.2 -> 1.3.0, 1.2.3 -> 1.2.4. */
function bump(parts: readonly number[]): Version {
  const [major = 0, minor = 0, patch = 0] = parts;
  if (parts.length <= 1) return [major + 1, 0, 0];
  if (parts.length === 2) return [major, minor + 1, 0];
  return [major, minor, patch + 1];
}

/** Whether a version satisfies a Cargo requirement (release versions only). */
export function matches(requirement: string, version: Version): boolean {
  const comparators = parseRequirement(requirement);
  if (!comparators) return false;
  return comparators.every(({ op, parts }) => {
    const low: Version = [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
    const c = compareVersions(version, low);
    switch (op) {
      case '>=':
        return c >= 0;
      case '>':
        return compareVersions(version, bump(parts)) >= 0;
      case '<':
        return c < 0;
      case '<=':
        return compareVersions(version, bump(parts)) < 0;
      case '=':
        return c >= 0 && (parts.length === 0 || compareVersions(version, bump(parts)) < 0);
      case '~':
        return c >= 0 && compareVersions(version, bump(parts.slice(0, Math.max(1, Math.min(2, parts.length))))) < 0;
      default: {
        // Caret: up to the next change of the leftmost non-zero part given.
        const significant = parts.findIndex((p) => p !== 0);
        const upto = significant === -1 ? parts.length : significant + 1;
        return c >= 0 && compareVersions(version, bump(parts.slice(0, Math.max(1, upto)))) < 0;
      }
    }
  });
}
