/** Reading the static value of a parsed TOML document (tables as plain objects). */

export const isTable = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);

/** A TOML value from the static view, addressed by a dotted path. */
export function lookup(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isTable(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The strings of an array at `path`; other items, or no array, give none. */
export function stringsAt(value: unknown, path: readonly string[]): string[] {
  const found = lookup(value, path);
  return Array.isArray(found) ? found.filter((v): v is string => typeof v === 'string') : [];
}
