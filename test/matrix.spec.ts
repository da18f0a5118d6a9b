import assert from 'node:assert/strict';
import { MEMBERS } from '../generators/members.js';
import { STRICT_CLEAN_MEMBERS, combinations, strictPackageArgs } from './e2e/matrix.js';

describe('e2e matrix: clippy strict', () => {
  it('names only member kinds that exist', () => {
    const kinds = new Set(MEMBERS.map((m) => m.kind));
    for (const kind of STRICT_CLEAN_MEMBERS) assert.ok(kinds.has(kind), `${kind} is not a member`);
  });

  it('checks every clean member of the all-members workspace by package, and no other', () => {
    const all = combinations().find((c) => c.id === 'all-members');
    assert.ok(all);
    const expected = MEMBERS.filter((m) => STRICT_CLEAN_MEMBERS.has(m.kind)).flatMap((m) => ['-p', `e2e-${m.kind}`]);
    assert.deepEqual(strictPackageArgs(all, 'e2e'), expected);
    assert.ok(expected.includes('e2e-cli') && expected.includes('e2e-pyo3'));
  });

  it('gives a combination of members outside the set no step', () => {
    for (const combination of combinations().filter((c) => c.members.length === 1)) {
      const clean = STRICT_CLEAN_MEMBERS.has(combination.members[0]!.kind);
      assert.equal(strictPackageArgs(combination, 'e2e').length, clean ? 2 : 0, combination.id);
    }
  });
});

describe('e2e matrix: members that change each other', () => {
  it('builds a service beside a queue worker in both generation orders, every error style and both query modes', () => {
    const pairs = combinations().filter((c) => c.later !== undefined);
    assert.deepEqual(new Set(pairs.map((c) => c.later!.join())), new Set(['worker', 'service']));
    assert.deepEqual(new Set(pairs.map((c) => c.errors)), new Set(['split', 'thiserror', 'anyhow']));
    const service = (c: (typeof pairs)[number]) => c.members.find((m) => m.kind === 'service')!.options;
    assert.deepEqual(new Set(pairs.map((c) => service(c)['queries'])), new Set(['runtime', 'checked']));
    for (const pair of pairs) {
      assert.equal(service(pair)['db'], 'postgres', pair.id);
      assert.equal(pair.members.find((m) => m.kind === 'worker')!.options['queue'], 'postgres', pair.id);
    }
  });
});
