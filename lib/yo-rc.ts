/**
 * `.yo-rc.json`, where the generators keep their answers and the members they
 * wrote, checked before Yeoman reads it: Yeoman's own reading fails with
 * "… is not a valid Storage" or a bare JSON error that names no fix.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTable } from './toml-value.js';

/** Our key in `.yo-rc.json` (the package name). */
export const RC_KEY = 'generator-rust-patterns';

/** A member this generator wrote, as recorded in `.yo-rc.json`. */
export interface RecordedMember {
  readonly kind: string;
  readonly path: string;
  /** The member's own answers (`--db`, `--target`, …); absent in workspaces from before updates. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * Who wrote the workspace root: `rust-patterns app` (its README and CI list the
 * members), a member creating a workspace in place, or (no record) the user.
 */
export type RecordedWorkspace = { readonly generated: 'app'; readonly name: string } | { readonly generated: 'in-place' };

/**
 * Throws a clear error when `<dir>/.yo-rc.json` exists but is not a JSON
 * object, when our section is not an object, or when its `members` record
 * has the wrong shape. An absent file is fine.
 */
export function checkYoRc(dir: string, shown: string): void {
  const file = join(dir, '.yo-rc.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return;
    throw new Error(`Cannot read ${shown}: ${(error as Error).message}. Check its permissions.`, { cause: error });
  }
  const fix = `Fix ${shown} (it holds the answers of earlier runs), or move it away to start over.`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new Error(`${shown} is not valid JSON: ${(error as Error).message}. ${fix}`, { cause: error });
  }
  if (!isTable(parsed)) throw new Error(`${shown} must hold a JSON object, not ${describe(parsed)}. ${fix}`);
  const ours = parsed[RC_KEY];
  if (ours === undefined) return;
  if (!isTable(ours)) throw new Error(`${shown}: "${RC_KEY}" must be an object, not ${describe(ours)}. ${fix}`);
  const members = ours['members'];
  if (members === undefined) return;
  if (!isTable(members)) throw new Error(`${shown}: "${RC_KEY}.members" must be an object, not ${describe(members)}. ${fix}`);
  for (const [name, member] of Object.entries(members)) {
    const options = isTable(member) ? member['options'] : undefined;
    if (
      !isTable(member) ||
      typeof member['kind'] !== 'string' ||
      typeof member['path'] !== 'string' ||
      (options !== undefined && !isTable(options))
    ) {
      throw new Error(
        `${shown}: the member "${name}" must be { "kind": "…", "path": "…", "options": { … } }, not ${JSON.stringify(member)}. ${fix}`,
      );
    }
  }
  const workspace = ours['workspace'];
  if (workspace === undefined) return;
  const valid =
    isTable(workspace) &&
    ((workspace['generated'] === 'app' && typeof workspace['name'] === 'string') || workspace['generated'] === 'in-place');
  if (!valid) {
    throw new Error(
      `${shown}: "${RC_KEY}.workspace" must be { "generated": "app", "name": "…" } or { "generated": "in-place" }, not ${JSON.stringify(workspace)}. ${fix}`,
    );
  }
}

/** Our section of `.yo-rc.json`: the stored answers, the members, and who wrote the root. */
export interface YoRcRecord {
  readonly members: Readonly<Record<string, RecordedMember>>;
  readonly workspace?: RecordedWorkspace;
  /** The stored answers (`errors`, `db`, …), by flag. */
  readonly answers: Readonly<Record<string, unknown>>;
}

/** Our section of `.yo-rc.json` at `dir` (checked first), or undefined when the file or the section is absent. */
export function readRecord(dir: string): YoRcRecord | undefined {
  checkYoRc(dir, join(dir, '.yo-rc.json'));
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(dir, '.yo-rc.json'), 'utf8').replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
  const ours = isTable(parsed) ? parsed[RC_KEY] : undefined;
  if (!isTable(ours)) return undefined;
  // Shapes checked by checkYoRc.
  const { members, workspace, ...answers } = ours;
  return {
    members: (members ?? {}) as Record<string, RecordedMember>,
    ...(workspace === undefined ? {} : { workspace: workspace as RecordedWorkspace }),
    answers,
  };
}

const describe = (value: unknown): string =>
  Array.isArray(value) ? 'an array' : value === null ? 'null' : `${typeof value} ${JSON.stringify(value)}`;
