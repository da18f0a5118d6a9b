/** Every template file belongs to exactly one block of its generator's write plan, so none is forgotten or written twice. */
import assert from 'node:assert/strict';
import { MEMBERS } from '../generators/members.js';
import { templatesDir } from '../lib/paths.js';
import { ROOT_PLAN } from '../lib/workspace-root.js';
import type { WritePlan } from '../lib/write-plan.js';
import { filesUnder } from './helpers.js';

const plans: readonly { readonly kind: string; readonly plan: WritePlan<never> }[] = [
  { kind: 'app', plan: ROOT_PLAN },
  ...MEMBERS.map((m) => ({ kind: m.kind, plan: m.plan })),
];

describe('write plans', () => {
  for (const { kind, plan } of plans) {
    it(`templates/${kind}: each file in exactly one block, each block's files present`, () => {
      // `_workspace/` holds the snippets a member adds to a new workspace root, rendered by the app.
      const files = filesUnder(templatesDir(kind)).filter((f) => !f.startsWith('_workspace/'));
      const listed = plan.flatMap((block) => block.templates);
      for (const file of files) {
        assert.equal(
          listed.filter((t) => t === file).length,
          1,
          `templates/${kind}/${file} is in ${listed.filter((t) => t === file).length} blocks`,
        );
      }
      assert.deepEqual(
        listed.filter((t) => !files.includes(t)),
        [],
        `templates/${kind}: planned but missing`,
      );
    });
  }
});
