/**
 * The baseline: what the generator wrote, file by file, as it wrote it
 * (before anyone edited it), so that `rust-patterns update` can tell a user's
 * edit from a template change with a three-way merge, without the old
 * generator version and without a network.
 *
 * Kept in one gzipped JSON file beside `.yo-rc.json`, committed with the
 * workspace: it travels with every clone (a git ref of our own would not), and
 * gzip makes ~10x smaller what repeats across members. Written with sorted keys
 * and no timestamp, so the same content gives the same bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isTable } from './toml-value.js';

export const BASELINE_FILE = '.rust-patterns-baseline.json.gz';

export interface Baseline {
  /** The generator version that wrote it last. */
  readonly generator: string;
  /** File contents by path relative to the workspace root (`/`-separated). */
  readonly files: Readonly<Record<string, string>>;
  /**
   * The root `Cargo.toml`'s `[workspace.dependencies]` values as we wrote them
   * (TOML text, e.g. `"4.6.0"`): an entry still equal to its text is ours to move
   * to a newer pin; one that differs was changed by the user.
   */
  readonly dependencies: Readonly<Record<string, string>>;
}

const FORMAT = 1;

/** The baseline of the workspace at `root`, undefined when it has none; a damaged file is an error that says what to do. */
export function readBaseline(root: string): Baseline | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(root, BASELINE_FILE));
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(gunzipSync(bytes).toString('utf8')) as unknown;
    if (!isTable(value) || value['format'] !== FORMAT || !isTable(value['files']) || !isTable(value['dependencies'])) {
      throw new Error('unexpected content');
    }
    return {
      generator: typeof value['generator'] === 'string' ? value['generator'] : 'unknown',
      files: value['files'] as Record<string, string>,
      dependencies: value['dependencies'] as Record<string, string>,
    };
  } catch (error) {
    throw new Error(
      `${BASELINE_FILE} is damaged (${(error as Error).message}). Restore it from git (git checkout -- ${BASELINE_FILE}), or delete it: the update then keeps every file that differs from the current templates.`,
      { cause: error },
    );
  }
}

const sorted = <T>(record: Readonly<Record<string, T>>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The file's bytes: gzipped JSON with sorted keys (the same baseline always gives the same bytes). */
export function encodeBaseline(baseline: Baseline): Buffer {
  const json = JSON.stringify({
    format: FORMAT,
    generator: baseline.generator,
    files: sorted(baseline.files),
    dependencies: sorted(baseline.dependencies),
  });
  return gzipSync(Buffer.from(json, 'utf8'), { level: 9 });
}
