import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../generators/cli/member.js';
import { QUIET, filesUnder, plannedMemberFiles, runGenerator } from './helpers.js';

const generate = (errors: string) =>
  runGenerator('app')
    .withArguments(['demo'])
    .withOptions({ ...QUIET, members: 'cli', errors });

describe('cli member', () => {
  it('writes a library, a thin binary and end-to-end tests', async () => {
    const result = await generate('split');
    assert.deepEqual(
      filesUnder(join(result.cwd, 'demo/crates/cli')),
      plannedMemberFiles(CLI, { name: 'demo-cli', path: 'crates/cli' }),
    );
    result.assertFileContent('demo/crates/cli/src/cli.rs', '#[command(version, about)]');
    result.assertFileContent('demo/crates/cli/src/cli.rs', 'action = ArgAction::Count, global = true');
    result.assertFileContent('demo/crates/cli/src/cli.rs', 'Cli::command().debug_assert()');
    result.assertFileContent('demo/crates/cli/tests/cli.rs', 'assert_cmd::cargo::cargo_bin_cmd!()');
    result.assertNoFileContent('demo/crates/cli/tests/cli.rs', 'Command::cargo_bin');
  });

  it('inherits everything from the workspace and names only the features it uses', async () => {
    const result = await generate('split');
    const manifest = readFileSync(join(result.cwd, 'demo/crates/cli/Cargo.toml'), 'utf8');
    assert.match(manifest, /^edition\.workspace = true$/m);
    assert.match(manifest, /^clap = \{ workspace = true, features = \["derive"\] \}$/m);
    assert.match(manifest, /^\[lints\]\nworkspace = true$/m);
    assert.doesNotMatch(manifest, /"full"/);
  });

  it('split: thiserror in the library, anyhow with Context in the binary', async () => {
    const result = await generate('split');
    result.assertFileContent('demo/crates/cli/src/stats.rs', '#[derive(Debug, thiserror::Error)]');
    result.assertFileContent('demo/crates/cli/src/main.rs', 'use anyhow::Context;');
    result.assertFileContent('demo/crates/cli/Cargo.toml', /^anyhow = \{ workspace = true, features = \["std"\] \}$/m);
    result.assertFileContent('demo/crates/cli/Cargo.toml', /^thiserror\.workspace = true$/m);
  });

  it('thiserror: typed errors also in the binary, no anyhow', async () => {
    const result = await generate('thiserror');
    result.assertFileContent('demo/crates/cli/src/main.rs', 'enum CliError');
    result.assertNoFileContent('demo/crates/cli/src/main.rs', 'anyhow');
    result.assertNoFileContent('demo/crates/cli/Cargo.toml', 'anyhow');
  });

  it('anyhow: no error enums, Context everywhere', async () => {
    const result = await generate('anyhow');
    result.assertNoFileContent('demo/crates/cli/src/stats.rs', 'thiserror');
    result.assertFileContent('demo/crates/cli/src/stats.rs', 'use anyhow::{Context, Result};');
    result.assertNoFileContent('demo/crates/cli/Cargo.toml', 'thiserror');
  });

  it('rejects a bad crate name given to the subgenerator, writing nothing', async () => {
    await assert.rejects(
      runGenerator('cli')
        .withArguments(['my crate'])
        .withOptions(QUIET)
        .withFiles({ 'Cargo.toml': '[workspace]\nmembers = []\n' }),
      /Invalid cli crate name 'my crate': 'space' is not allowed/,
    );
  });

  for (const name of ['clap', 'Serde_JSON', 'tracing-subscriber']) {
    it(`refuses the name ${name}, a crate the member depends on, writing nothing`, async () => {
      await assert.rejects(
        runGenerator('cli').withArguments([name]).withOptions(QUIET).withFiles({ 'Cargo.toml': '[workspace]\nmembers = []\n' }),
        /depends on the crate (clap|serde_json|tracing-subscriber), so it cannot be named .*Choose another name\. Nothing was written\./,
      );
    });
  }

  it('adds itself to an existing workspace and reuses the stored error style', async () => {
    const result = await runGenerator('cli')
      .withArguments(['tool'])
      .withOptions(QUIET)
      .withFiles({ 'Cargo.toml': '[workspace]\nresolver = "3"\nmembers = []\n' })
      .withYoRcConfig('generator-rust-patterns', { errors: 'anyhow' });
    result.assertFileContent('Cargo.toml', 'members = ["crates/tool"]');
    result.assertFileContent('crates/tool/src/main.rs', 'fn main() -> anyhow::Result<()>');
    result.assertNoFileContent('crates/tool/Cargo.toml', 'thiserror');
  });
});
