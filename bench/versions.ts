/**
 * `npm run versions`: every pin of lib/versions.ts beside the newest release
 * of its registry (crates.io through its sparse index, PyPI through its JSON
 * API), flagging pins a breaking release behind (another major, or another
 * minor below 1.0: Cargo's caret ranges). Exits 1 when a pin is a breaking
 * release behind and the table does not say why it is held back (`heldBack`).
 * Images and actions are printed unchecked: no registry reachable here lists
 * their tags (Dependabot moves them in a generated repository).
 *
 *   npm run versions            # needs the network to index.crates.io and pypi.org
 */
import { compareVersions, parseVersion, sameRange, type Version } from '../lib/cargo-version.js';
import { ACTIONS, CRATES, IMAGES, TOOLS, type CrateVersion, type Registry } from '../lib/versions.js';

interface Pin {
  readonly name: string;
  readonly version: string;
  readonly registry: Registry;
  readonly heldBack?: string;
}

/** The sparse index path of a crate: `1/a`, `2/ab`, `3/a/abc`, `se/rd/serde`. */
export function indexPath(name: string): string {
  const n = name.toLowerCase();
  if (n.length <= 2) return `${n.length}/${n}`;
  if (n.length === 3) return `3/${n[0]!}/${n}`;
  return `${n.slice(0, 2)}/${n.slice(2, 4)}/${n}`;
}

const isRelease = (text: string): boolean => /^\d+\.\d+\.\d+$/.test(text);

/** The highest version of a list of release versions (pre-releases are left out). */
function newestOf(versions: readonly string[]): string | undefined {
  const parsed = versions.filter(isRelease).map((v) => [v, parseVersion(v)!] as const);
  parsed.sort((a, b) => compareVersions(b[1], a[1]));
  return parsed[0]?.[0];
}

async function newestRelease(pin: Pin): Promise<string> {
  if (pin.registry === 'crates.io') {
    const response = await fetch(`https://index.crates.io/${indexPath(pin.name)}`);
    if (!response.ok) throw new Error(`crates.io index: ${pin.name}: HTTP ${response.status}`);
    const entries = (await response.text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { vers: string; yanked: boolean });
    const newest = newestOf(entries.filter((e) => !e.yanked).map((e) => e.vers));
    if (!newest) throw new Error(`crates.io index: ${pin.name} has no release`);
    return newest;
  }
  const response = await fetch(`https://pypi.org/pypi/${pin.name}/json`);
  if (!response.ok) throw new Error(`PyPI: ${pin.name}: HTTP ${response.status}`);
  const body = (await response.json()) as { releases: Record<string, { yanked?: boolean }[]> };
  const newest = newestOf(
    Object.entries(body.releases)
      .filter(([, files]) => files.length > 0 && files.some((f) => f.yanked !== true))
      .map(([v]) => v),
  );
  if (!newest) throw new Error(`PyPI: ${pin.name} has no release`);
  return newest;
}

export type Status = 'newest' | 'behind' | 'BREAKING BEHIND' | 'held back';

/** How a pin stands against the newest release. */
export function statusOf(pin: Version, newest: Version, heldBack: string | undefined): Status {
  if (compareVersions(pin, newest) >= 0) return 'newest';
  if (sameRange(pin, newest)) return 'behind';
  return heldBack === undefined ? 'BREAKING BEHIND' : 'held back';
}

async function main(): Promise<void> {
  const pins: Pin[] = [
    ...Object.entries(CRATES).map(([name, c]: [string, CrateVersion]) => ({
      name,
      version: c.version,
      registry: 'crates.io' as const,
      ...(c.heldBack === undefined ? {} : { heldBack: c.heldBack }),
    })),
    ...Object.entries(TOOLS).map(([name, t]) => ({ name, version: t.version, registry: t.registry })),
  ];
  const results = await Promise.all(pins.map(async (pin) => ({ pin, newest: await newestRelease(pin) })));
  const width = Math.max(...pins.map((p) => p.name.length));
  console.log(`${'pin'.padEnd(width)}  ${'ours'.padEnd(9)} ${'newest'.padEnd(9)} status`);
  let failing = 0;
  for (const { pin, newest } of results) {
    const status = statusOf(parseVersion(pin.version)!, parseVersion(newest)!, pin.heldBack);
    if (status === 'BREAKING BEHIND') failing += 1;
    const why = status === 'held back' ? `: ${pin.heldBack!}` : '';
    console.log(`${pin.name.padEnd(width)}  ${pin.version.padEnd(9)} ${newest.padEnd(9)} ${status}${why}`);
  }
  console.log('\nUnchecked (no registry here lists their tags; Dependabot moves them in a generated repository):');
  for (const ref of [...Object.values(IMAGES), ...Object.values(ACTIONS)]) console.log(`  ${ref}`);
  if (failing > 0) {
    console.log(
      `\n${failing} pin(s) a breaking release behind: bump them in lib/versions.ts and run the e2e, or record why with \`heldBack\`.`,
    );
    process.exitCode = 1;
  } else {
    console.log('\nNo pin is a breaking release behind without a recorded reason.');
  }
}

if (import.meta.url === `file://${process.argv[1]!}`) await main();
