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
