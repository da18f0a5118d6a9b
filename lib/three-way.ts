/**
 * The three-way decision for one file of an update: `base` is what the
 * generator wrote last time (the baseline), `ours` the file as it is now (the
 * user's), `theirs` what the current generator writes. Each side may be
 * absent. Line-wise merging is node-diff3's; the decisions around it are here.
 */
import { diff3Merge } from 'node-diff3';

export type Outcome =
  /** Nobody changed it, or both made the same change. */
  | 'unchanged'
  /** Untouched by the user: the new template replaces it. */
  | 'updated'
  /** Changed by the user, not by the template: the user's version stays. */
  | 'kept'
  /** Both changed it, in different lines: both changes are in the result. */
  | 'merged'
  /** Both changed the same lines: the result holds conflict markers. */
  | 'conflict'
  /** New in the templates. */
  | 'added'
  /** The templates no longer write it and the user never changed it. */
  | 'removed'
  /** The templates no longer write it, but the user changed it: it stays. */
  | 'kept (no longer generated)'
  /** The user deleted it: it stays deleted. */
  | 'kept deleted'
  /** No baseline, and the file differs from the current templates: left alone. */
  | 'unknown'
  /** A file of the user's is where the templates now write one: the user's stays. */
  | 'yours';

export interface Decision {
  readonly outcome: Outcome;
  /** The file's content afterwards; undefined: absent. */
  readonly text: string | undefined;
}

/** The labels of git's diff3 conflict style, naming each side for the user. */
export const MARKERS = { ours: 'yours', base: 'generated before', theirs: 'generated now' } as const;

/** Lines with their line endings, so that the merge keeps CRLF or LF as each side has it. */
const lines = (text: string): string[] => (text === '' ? [] : text.split(/(?<=\n)/));

/** The newline a side's last line lacks, so a marker after it starts a line of its own. */
const newlineAfter = (side: readonly string[], eol: string): string =>
  side.length > 0 && !side[side.length - 1]!.endsWith('\n') ? eol : '';

/** Merges line-wise; conflicting regions become diff3-style markers (with the base section). */
export function mergeLines(base: string, ours: string, theirs: string): { readonly text: string; readonly conflict: boolean } {
  const regions = diff3Merge(lines(ours), lines(base), lines(theirs), { excludeFalseConflicts: true });
  // Markers end their lines as the user's file does.
  const eol = ours.includes('\r\n') ? '\r\n' : '\n';
  let conflict = false;
  const out: string[] = [];
  for (const region of regions) {
    if (region.ok) {
      out.push(...region.ok);
      continue;
    }
    if (!region.conflict) continue;
    conflict = true;
    const { a, o, b } = region.conflict;
    const nl = eol;
    out.push(`<<<<<<< ${MARKERS.ours}${nl}`, ...a, `${newlineAfter(a, nl)}||||||| ${MARKERS.base}${nl}`, ...o);
    out.push(`${newlineAfter(o, nl)}=======${nl}`, ...b, `${newlineAfter(b, nl)}>>>>>>> ${MARKERS.theirs}${nl}`);
  }
  return { text: out.join(''), conflict };
}

/**
 * What happens to a file. `base` undefined with `hasBaseline` false means the
 * workspace has no baseline at all (generated before updates existed): only a
 * file identical to the new render is safe to take as its baseline.
 */
export function decide(
  base: string | undefined,
  ours: string | undefined,
  theirs: string | undefined,
  hasBaseline: boolean,
): Decision {
  if (!hasBaseline) {
    if (theirs === undefined) return { outcome: 'unknown', text: ours };
    return ours === theirs ? { outcome: 'unchanged', text: ours } : { outcome: 'unknown', text: ours };
  }
  if (theirs === undefined) {
    if (ours === undefined) return { outcome: 'unchanged', text: undefined };
    if (base === undefined || ours === base) return { outcome: 'removed', text: undefined };
    return { outcome: 'kept (no longer generated)', text: ours };
  }
  if (ours === undefined) {
    return base === undefined ? { outcome: 'added', text: theirs } : { outcome: 'kept deleted', text: undefined };
  }
  if (ours === theirs) return { outcome: 'unchanged', text: ours };
  if (base === undefined) return { outcome: 'yours', text: ours };
  if (ours === base) return { outcome: 'updated', text: theirs };
  if (theirs === base) return { outcome: 'kept', text: ours };
  const merged = mergeLines(base, ours, theirs);
  return { outcome: merged.conflict ? 'conflict' : 'merged', text: merged.text };
}

/** Whether a text holds a conflict marker line an update wrote. */
export const hasConflictMarkers = (text: string): boolean =>
  new RegExp(`^(<<<<<<< ${MARKERS.ours}|>>>>>>> ${MARKERS.theirs})\r?$`, 'm').test(text);
