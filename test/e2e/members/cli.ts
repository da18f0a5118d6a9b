/** The cli member's own e2e step: the built binary run as a user would. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { MemberE2e } from '../member-steps.js';

const cli: MemberE2e = {
  steps: () => [
    {
      name: 'run',
      run: async (ctx) => {
        const bin = join(ctx.targetDir, 'debug', ctx.member.name);
        const json = await ctx.run(bin, ['stats', '--format', 'json', join(ctx.member.dir, 'Cargo.toml')]);
        const report = JSON.parse(json) as { lines: number; input: string };
        assert.ok(report.lines > 5, `expected a line count for Cargo.toml, got ${json}`);
        const completions = await ctx.run(bin, ['completions', 'zsh']);
        assert.match(completions, new RegExp(`#compdef ${ctx.member.name}`));
      },
    },
  ],
};

export default cli;
