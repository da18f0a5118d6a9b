/** The pieces of the e2e supply-chain steps (test/e2e/supply-chain.ts) that need no cargo. */
import assert from 'node:assert/strict';
import { aboveMsrv, advisoryIds, offlinePolicy } from './e2e/supply-chain.js';

describe('e2e supply-chain steps', () => {
  it('finds the resolved packages that need a newer Rust than rust-version', () => {
    const packages = [
      { name: 'old', version: '1.0.0', rust_version: '1.70' },
      { name: 'same', version: '1.0.0', rust_version: '1.88.0' },
      { name: 'none', version: '1.0.0', rust_version: null },
      { name: 'newer', version: '2.1.0', rust_version: '1.89' },
    ];
    assert.deepEqual(aboveMsrv({ packages }, '1.88'), ['newer@2.1.0 (1.89)']);
    assert.deepEqual(aboveMsrv({ packages }, '1.89'), []);
  });

  it('points a copy of deny.toml at the local database, with or without its ignores', () => {
    const policy = '[advisories]\nignore = [\n    { id = "RUSTSEC-2023-0071", reason = "x" },\n]\n\n[bans]\n';
    const offline = offlinePolicy(policy, '/db');
    assert.match(offline, /^\[advisories\]\ndb-path = "\/db"\nignore = \[\n {4}\{ id = "RUSTSEC-2023-0071"/);
    assert.equal(offlinePolicy(policy, '/db', true), '[advisories]\ndb-path = "/db"\nignore = []\n\n[bans]\n');
    assert.throws(() => offlinePolicy('[bans]\n', '/db'), /no \[advisories\]/);
  });

  it("reads the advisory ids of cargo-deny's JSON diagnostics", () => {
    const lines = [
      '{"type":"diagnostic","fields":{"code":"vulnerability","advisory":{"id":"RUSTSEC-2023-0071"}}}',
      '{"type":"diagnostic","fields":{"code":"duplicate"}}',
      '{"type":"summary","fields":{}}',
      'not json',
    ].join('\n');
    assert.deepEqual(advisoryIds(lines), ['RUSTSEC-2023-0071']);
  });
});
