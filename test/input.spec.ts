/**
 * Bad and unlucky input, as a new user gives it: unknown flags and
 * generators, names that look like flags or imply invalid member names,
 * broken or ill-shaped `.yo-rc.json`, paths that escape or are not portable,
 * a byte-order mark, no terminal to ask on. Each is refused with a message
 * naming the problem and the fix, and nothing is written. (Faults during the
 * write itself are the fault layer's: test/faults/run.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceNameProblem } from '../generators/app/index.js';
import { MEMBERS } from '../generators/members.js';
import { closest, commandLineProblem } from '../lib/command-line.js';
import { crateNameError, suggestCrateName } from '../lib/crate-name.js';
import { ERRORS, MEMBER_PATH, parseOptionValue, parseStoredValue, questionFor } from '../lib/options.js';
import { REPOS, snapshot, writeTree } from './fixtures/repos.js';
import { rustPatterns } from './helpers.js';

describe('input: the command line', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rust-patterns-input-'))));
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const refused = (args: readonly string[], message: RegExp): void => {
    const run = rustPatterns(dir, ...args);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, message);
    assert.match(run.stderr, /Nothing was written\./);
    assert.ok(!(run.stderr + run.stdout).includes('\u001b['), 'no colour codes when not a terminal');
    assert.deepEqual(readdirSync(dir), []);
  };

  it('an unknown flag, with the nearest known one', () => {
    refused(['app', 'ws', '--member', 'worker', '--defaults'], /Unknown option --member for `app`\. Did you mean --members\?/);
    refused(['cli', 'tool', '--erors=anyhow', '--defaults'], /Unknown option --erors .*Did you mean --errors\?/);
    refused(['app', 'ws', '--no-defualts'], /Did you mean --no-defaults\?/);
  });

  it('a mistyped generator, instead of a workspace named after it', () => {
    const run = rustPatterns(dir, 'sevice', 'api', '--defaults');
    assert.equal(run.status, 1);
    assert.match(run.stderr, /Unknown generator 'sevice'\. Did you mean `rust-patterns service api/);
    assert.match(run.stderr, /rust-patterns app sevice/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a name that looks like a flag', () => {
    refused(['app', '-x', '--defaults'], /Unknown option -x/);
    refused(['cli', '--new-workspace', '--defaults', '--', '-foo'], /Invalid cli crate name '-foo': it starts with '-'/);
  });

  it('extra words, and a value for a flag that takes none', () => {
    refused(['app', 'ws', 'extra', '--defaults'], /Unexpected argument 'extra': `app` takes <name> only/);
    refused(['app', 'ws', '--defaults=yes'], /--defaults takes no value/);
  });

  it('no terminal and no --defaults: names the flags that answer the questions', () => {
    refused(
      ['app', 'ws'],
      /No terminal to ask on .* Pass --members cli\|service\|worker\|wasm\|pyo3, --errors split\|thiserror\|anyhow.* or --defaults/,
    );
  });

  it('per-generator --help lists every flag, the environment ones too, and says what --skip-install does', () => {
    for (const generator of ['app', ...MEMBERS.map((m) => m.kind)]) {
      const run = rustPatterns(dir, generator, '--help');
      assert.equal(run.status, 0, run.stderr);
      for (const flag of ['--force', '--bail', '--dry-run', '--defaults', '--errors'])
        assert.match(run.stdout, new RegExp(`${flag}\\s`), `${generator}: ${flag}`);
      assert.match(run.stdout, /--skip-install\s+# Do not run cargo fmt and cargo check after writing/);
    }
  }).timeout(60_000);

  it('commandLineProblem: values, --no- forms, positionals', () => {
    const flags = [
      { name: 'errors', boolean: false },
      { name: 'defaults', boolean: true },
      { name: 'abi3', boolean: false },
    ];
    assert.equal(commandLineProblem(['x', '--errors', 'split', '--defaults', '--no-abi3'], flags, ['name'], 'cli'), undefined);
    assert.equal(commandLineProblem(['--errors=split', 'x'], flags, ['name'], 'cli'), undefined);
    assert.match(commandLineProblem(['a', 'b'], flags, ['name'], 'cli') ?? '', /Unexpected argument 'b'/);
    assert.equal(closest('sevice', ['cli', 'service', 'worker']), 'service');
    assert.equal(closest('myapp', ['cli', 'service', 'worker', 'wasm', 'pyo3']), undefined);
  });
});

describe('input: names', () => {
  it('Cargo rules, the first character included', () => {
    for (const name of ['-foo', '_', '_x', 'a', 'x'.repeat(64)]) {
      assert.equal(crateNameError(name) === undefined, !name.startsWith('-') && name !== '_', name);
    }
    assert.match(crateNameError('x'.repeat(65)) ?? '', /65 characters long, over the crates\.io limit of 64/);
  });

  it('every suggestion is itself valid, at the length asked for', () => {
    const inputs = [
      '',
      '-',
      '1abc',
      'self',
      'CON',
      'my crate',
      '__x__',
      'x'.repeat(100),
      '∆∆∆',
      '---a---',
      'proc_macro',
      'ümlaut',
    ];
    for (let i = 0; i < 200; i++)
      inputs.push(Array.from({ length: 1 + (i % 70) }, () => String.fromCharCode(32 + Math.floor(Math.random() * 95))).join(''));
    for (const input of inputs) {
      for (const max of [64, 56]) {
        const suggestion = suggestCrateName(input, max);
        assert.equal(crateNameError(suggestion), undefined, `${JSON.stringify(input)} -> ${suggestion}`);
        assert.ok(suggestion.length <= max, suggestion);
      }
    }
  });

  it('a workspace name whose member names would be invalid, with a fix that is valid for both', () => {
    const name = 'a'.repeat(60);
    const problem = workspaceNameProblem(name, ['cli', 'service']) ?? '';
    assert.match(
      problem,
      /its cli member would be named 'a{60}-cli', and it is 64 characters long|its service member would be named/,
    );
    const fix = /Try '([^']+)'/.exec(problem)![1]!;
    assert.equal(workspaceNameProblem(fix, ['cli', 'service']), undefined, fix);
    assert.equal(workspaceNameProblem('a'.repeat(56), ['service']), undefined);
  });

  it('a member name equal to a package after -/_ normalisation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rust-patterns-input-'));
    try {
      writeTree(dir, REPOS.explicit.files);
      const before = snapshot(dir);
      const run = rustPatterns(dir, 'cli', 'acme_core', '--defaults', '--skip-install');
      assert.equal(run.status, 1);
      assert.match(run.stderr, /already has a package named acme-core.*treat acme-core and acme_core as one name/);
      assert.deepEqual(snapshot(dir), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('input: .yo-rc.json', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rust-patterns-input-'));
    writeTree(dir, REPOS.explicit.files);
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const refused = (rc: string, message: RegExp): void => {
    writeFileSync(join(dir, '.yo-rc.json'), rc);
    const before = snapshot(dir);
    const run = rustPatterns(dir, 'cli', 'tool', '--defaults', '--skip-install');
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /--errors:/, 'a stored value is not blamed on a flag');
    assert.deepEqual(snapshot(dir), before);
  };

  it('a value no option accepts names the file, the key, the value and the fix', () => {
    refused(
      '{ "generator-rust-patterns": { "errors": "panic" } }',
      /\.yo-rc\.json: "errors" is "panic", which is not valid: 'panic' is not one of split, thiserror, anyhow\. Fix the value there/,
    );
  });

  it('a value of the wrong shape is refused, never reshaped', () => {
    refused(
      '{ "generator-rust-patterns": { "errors": ["split"] } }',
      /"errors" is \["split"\], which is not valid: expected a string/,
    );
    refused(
      '{ "generator-rust-patterns": { "members": "cli" } }',
      /"generator-rust-patterns\.members" must be an object, not string "cli"/,
    );
    refused(
      '{ "generator-rust-patterns": { "members": { "tool": { "kind": 1 } } } }',
      /the member "tool" must be \{ "kind": "…", "path": "…", "options": \{ … \} \}/,
    );
    refused('[]', /must hold a JSON object, not an array/);
  });

  it('invalid JSON, instead of "is not a valid Storage"', () => {
    refused('{ "generator-rust-patterns": { ', /\.yo-rc\.json is not valid JSON: .* Fix .*\.yo-rc\.json/);
  });

  it('parseStoredValue and parseOptionValue word their errors for where the value came from', () => {
    assert.throws(() => parseStoredValue(ERRORS, 'x', '/w/.yo-rc.json'), /^Error: \/w\/\.yo-rc\.json: "errors" is "x"/);
    assert.throws(() => parseOptionValue(ERRORS, 'x'), /^Error: --errors: 'x' is not one of/);
    assert.equal(parseStoredValue(ERRORS, 'anyhow', 'f'), 'anyhow');
  });
});

describe('input: member paths', () => {
  it('refuses globs, .git, Windows device names and characters, and trailing dots', () => {
    for (const [path, problem] of [
      ['crates/*', /glob character/],
      ['crates/{a,b}', /glob character/],
      ['.git/hooks/x', /inside \.git/],
      ['tools/con', /device name Windows reserves/],
      ['tools/NUL.rs', /device name Windows reserves/],
      ['tools/a<b', /which Windows does not allow/],
      ['tools/x.', /ends with a dot or space/],
      ['/abs', /must be relative/],
      ['a/../../b', /no '\.\.'/],
      ['.', /workspace root itself/],
    ] as const) {
      assert.throws(() => parseOptionValue(MEMBER_PATH, path), problem, path);
    }
    assert.equal(parseOptionValue(MEMBER_PATH, 'tools/my-tool'), 'tools/my-tool');
  });

  it('a path below a file is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rust-patterns-input-'));
    try {
      writeTree(dir, REPOS.explicit.files);
      const before = snapshot(dir);
      const run = rustPatterns(dir, 'cli', 'tool', '--path', 'Cargo.toml/tool', '--defaults', '--skip-install');
      assert.equal(run.status, 1);
      assert.match(run.stderr, /Cargo\.toml is a file, not a directory/);
      assert.deepEqual(snapshot(dir), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('input: the manifest', () => {
  it('keeps a UTF-8 byte-order mark and every other byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rust-patterns-input-'));
    try {
      const withBom = `\uFEFF${REPOS.glob.files['Cargo.toml']}`;
      writeTree(dir, { ...REPOS.glob.files, 'Cargo.toml': withBom });
      const run = rustPatterns(dir, 'cli', 'tool', '--defaults', '--skip-install');
      assert.equal(run.status, 0, run.stderr);
      const after = readFileSync(join(dir, 'Cargo.toml'));
      assert.deepEqual([...after.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
      assert.ok(after.toString('utf8').startsWith(withBom.trimEnd().split('\n')[0]!), 'the original text follows the mark');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('input: prompts', () => {
  it('select, not the deprecated list; answers echo the value, not its description', () => {
    const choice = questionFor(ERRORS, 'split') as { type: string; choices: { short: string }[] };
    assert.equal(choice.type, 'select');
    assert.deepEqual(
      choice.choices.map((c) => c.short),
      ['split', 'thiserror', 'anyhow'],
    );
  });
});
