/**
 * How `workspace.members` and `workspace.exclude` hold a path, read as Cargo
 * reads them: explicit paths, globs (Cargo uses `glob` semantics) and
 * excludes. Used to find the packages of a workspace (cargo-workspace.ts) and
 * to add a member (cargo-manifest.ts).
 */
import { stringsAt } from './toml-value.js';

/** Whether a glob pattern of `workspace.members` covers a member path. */
export function globCovers(pattern: string, memberPath: string): boolean {
  return globRegExp(pattern).test(memberPath);
}

export function globRegExp(pattern: string): RegExp {
  const regex = normalizeMemberPath(pattern)
    .split('/')
    .map((segment) =>
      segment === '**'
        ? '(?:[^/]+/)*[^/]+'
        : segment
            .replace(/[.+^${}()|\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]')
            .replace(/\[!/g, '[^'),
    )
    .join('/');
  return new RegExp(`^${regex}$`);
}

export const isGlob = (pattern: string): boolean => /[*?[]/.test(pattern);

export const normalizeMemberPath = (p: string): string =>
  p
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '')
    .replace(/\/{2,}/g, '/');

/** Cargo's `exclude`: a path excludes itself and everything below it; we also read it as a glob, as `cargo new` does. */
function excludes(entry: string, memberPath: string): boolean {
  const ex = normalizeMemberPath(entry);
  return memberPath === ex || memberPath.startsWith(`${ex}/`) || (isGlob(ex) && globCovers(ex, memberPath));
}

/**
 * How the workspace holds a member path: listed explicitly, covered by a glob
 * of `members`, kept out by `exclude` (and not listed explicitly), or absent.
 */
export type MemberStatus = 'listed' | 'glob' | 'excluded' | 'absent';

/** The status of `memberPath` in a root manifest's static value. */
export function memberStatus(rootValue: unknown, memberPath: string): MemberStatus {
  const wanted = normalizeMemberPath(memberPath);
  const members = stringsAt(rootValue, ['workspace', 'members']).map(normalizeMemberPath);
  const explicit = members.filter((m) => !isGlob(m));
  if (explicit.includes(wanted)) return 'listed';
  // As Cargo: an explicit member at or above the path overrides `exclude`.
  const shielded = explicit.some((m) => m === '' || m === '.' || wanted.startsWith(`${m}/`));
  if (!shielded && stringsAt(rootValue, ['workspace', 'exclude']).some((e) => excludes(e, wanted))) return 'excluded';
  return members.some((m) => isGlob(m) && globCovers(m, wanted)) ? 'glob' : 'absent';
}
