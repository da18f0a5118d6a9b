/**
 * Generated Rust must pass `cargo fmt --check` as written, also with
 * `--skip-install` (no `cargo fmt` afterwards). The templates are shaped so
 * that a crate name changes neither the order of imports (the crate's own
 * `use` lines form a group of their own) nor any width heuristic (names never
 * sit inside calls); what remains is a line that a long name pushes past
 * rustfmt's width. Only such a file is formatted here, in memory, by rustfmt
 * itself; where rustfmt is missing it is written as rendered and said so.
 */
import { spawnSync } from 'node:child_process';

/** The `max_width` of the generated rustfmt.toml (templates/app/rustfmt.toml). */
export const MAX_WIDTH = 100;

/** What the generated rustfmt.toml sets, for rustfmt runs without it on disk. */
const OUR_CONFIG = `max_width=${MAX_WIDTH},use_field_init_shorthand=true`;

/**
 * rustfmt wraps some lines before `max_width` (an import list of 99 columns, for one):
 * any line this close to it is left to rustfmt to judge.
 */
const MARGIN = 10;

/** Whether any line is near or past rustfmt's width (UTF-16 units; the rendered Rust is ASCII but for comments). */
export const tooWide = (text: string): boolean => text.split('\n').some((line) => line.length > MAX_WIDTH - MARGIN);

/**
 * `text` formatted by rustfmt when a line is too wide, else as it is.
 * Returns undefined when it needed formatting and rustfmt could not run.
 */
export function formatIfTooWide(text: string): string | undefined {
  if (!tooWide(text)) return text;
  const result = spawnSync('rustfmt', ['--edition', '2024', '--config', OUR_CONFIG, '--emit', 'stdout', '--quiet'], {
    input: text,
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout : undefined;
}
