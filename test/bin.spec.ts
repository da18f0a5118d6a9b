/** The `rust-patterns` bin, run as a script or CI would: no TTY, no prompts. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_OPTIONS } from '../generators/app/options.js';
import { MEMBERS } from '../generators/members.js';
import { MEMBER_SHARED_OPTIONS, type OptionSpec } from '../lib/options.js';
import { rustPatterns } from './helpers.js';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('rust-patterns bin', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rust-patterns-bin-'))));
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('generates a workspace with --defaults and no TTY', () => {
    const run = rustPatterns(dir, 'app', 'ws', '--defaults', '--skip-install');
    assert.equal(run.status, 0, run.stderr);
    assert.ok(existsSync(join(dir, 'ws', 'Cargo.toml')));
    assert.ok(existsSync(join(dir, 'ws', 'crates', 'cli', 'src', 'main.rs')));
  });

  it('--help lists the generators and every app option with a description', () => {
    const run = rustPatterns(dir, '--help');
    assert.equal(run.status, 0, run.stderr);
    for (const member of MEMBERS)
      assert.match(run.stdout, new RegExp(`^  ${member.kind} +${escape(member.description.slice(0, 20))}`, 'm'));
    for (const option of APP_OPTIONS.filter((o: OptionSpec) => o.flag !== 'name' && o.hidden !== true)) {
      assert.match(run.stdout, new RegExp(`--${option.flag}\\s+# ${escape(option.description.slice(0, 20))}`), option.flag);
    }
  });

  it('cli --help lists every cli option with a description', () => {
    const run = rustPatterns(dir, 'cli', '--help');
    assert.equal(run.status, 0, run.stderr);
    for (const option of MEMBER_SHARED_OPTIONS.filter((o: OptionSpec) => o.hidden !== true)) {
      assert.match(run.stdout, new RegExp(`--${option.flag}\\s+# ${escape(option.description.slice(0, 20))}`), option.flag);
    }
  });

  for (const name of ['1abc', 'self', 'std', 'my crate', '../x', '']) {
    it(`exits non-zero for the name '${name}' and creates nothing`, () => {
      const run = rustPatterns(dir, 'app', name, '--defaults', '--skip-install', '--skip-git');
      assert.equal(run.status, 1);
      assert.match(run.stderr, new RegExp(`Invalid workspace name '${escape(name)}': .+ Try '`));
      assert.deepEqual(readdirSync(dir), []);
    });
  }

  it('adds a member to a generated workspace under a dot-directory without a prompt', () => {
    const hidden = join(dir, '.hidden');
    mkdirSync(hidden);
    assert.equal(rustPatterns(hidden, 'app', 'ws', '--defaults', '--skip-install', '--skip-git', '--members=cli').status, 0);
    const run = rustPatterns(join(hidden, 'ws'), 'cli', 'tool', '--defaults', '--skip-install');
    assert.equal(run.status, 0, run.stderr);
    assert.ok(existsSync(join(hidden, 'ws', 'crates', 'tool', 'src', 'main.rs')));
  });

  it('a member outside any Cargo workspace says how to create one and writes nothing', () => {
    const run = rustPatterns(dir, 'cli', 'tool', '--defaults', '--skip-install');
    assert.equal(run.status, 1);
    assert.match(run.stderr, /No Cargo\.toml at or above .+rust-patterns app <name>/);
    assert.deepEqual(readdirSync(dir), []);
  });
});
