/** The version table and `npm run versions` (bench/versions.ts), without the network. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { indexPath, statusOf } from '../bench/versions.js';
import { parseVersion, type Version } from '../lib/cargo-version.js';
import { TOOLS } from '../lib/versions.js';

const v = (text: string): Version => parseVersion(text)!;

describe('npm run versions', () => {
  it('finds a crate in the sparse index as cargo does', () => {
    assert.equal(indexPath('a'), '1/a');
    assert.equal(indexPath('js'), '2/js');
    assert.equal(indexPath('syn'), '3/s/syn');
    assert.equal(indexPath('Serde_JSON'), 'se/rd/serde_json');
  });

  it('flags a pin a breaking release behind, unless the table says why', () => {
    assert.equal(statusOf(v('1.2.3'), v('1.2.3'), undefined), 'newest');
    assert.equal(statusOf(v('1.2.3'), v('1.9.0'), undefined), 'behind');
    assert.equal(statusOf(v('1.2.3'), v('2.0.0'), undefined), 'BREAKING BEHIND');
    // Below 1.0 a minor is a breaking release (Cargo's caret).
    assert.equal(statusOf(v('0.8.6'), v('0.8.9'), undefined), 'behind');
    assert.equal(statusOf(v('0.8.6'), v('0.9.0'), undefined), 'BREAKING BEHIND');
    assert.equal(statusOf(v('0.8.6'), v('0.9.0'), 'its own issue'), 'held back');
  });

  it('the setup scripts read the table lines they install from', () => {
    // .ci/setup.d/deny.sh and pyo3.sh read these lines with sed: the shape must stay.
    const table = readFileSync(new URL('../lib/versions.ts', import.meta.url), 'utf8');
    assert.ok(table.includes(`'cargo-deny': { version: '${TOOLS['cargo-deny'].version}'`));
    assert.ok(table.includes(`maturin: { version: '${TOOLS.maturin.version}'`));
  });
});
