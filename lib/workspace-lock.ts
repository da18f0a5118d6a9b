/**
 * One run at a time per workspace. Two runs that both read the root
 * `Cargo.toml`, add their member and write it back would each lose the
 * other's member; so a run takes this lock before it reads the manifest and
 * holds it until its last rename. A second run waits a few seconds, then
 * stops, naming the run that holds the lock.
 *
 * proper-lockfile does the locking (an atomic `mkdir`, refreshed while held,
 * taken over when stale after a crash); the owner file beside it only serves
 * the message.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { onExit } from 'signal-exit';
import { describeSystemError, isSystemError } from './fs-errors.js';

export const LOCK_NAME = '.rust-patterns.lock';
const OWNER_NAME = '.rust-patterns.lock.json';

interface Owner {
  readonly pid: number;
  readonly command: string;
  readonly started: number;
}

/** Takes the lock of the workspace at `root`; resolves with its release. */
export async function lockWorkspace(root: string, cwd: string): Promise<() => void> {
  const lockPath = join(root, LOCK_NAME);
  const ownerPath = join(root, OWNER_NAME);
  try {
    await lockfile.lock(root, {
      lockfilePath: lockPath,
      realpath: false,
      // A holder refreshes the lock every 2 s; one not refreshed for 10 s crashed and is taken over.
      stale: 10_000,
      update: 2_000,
      // About 8 s of waiting for a run that is writing (a write takes well under a second).
      retries: { retries: 16, factor: 1.2, minTimeout: 150, maxTimeout: 800 },
      onCompromised: () => {
        // Our lock was taken over (the process stalled past `stale`): the commit still checks what it replaces.
      },
    });
  } catch (error) {
    if (isSystemError(error) && error.code === 'ELOCKED') throw new Error(lockedMessage(root, ownerPath), { cause: error });
    if (isSystemError(error)) {
      throw new Error(`${describeSystemError(error, 'lock the workspace at', root, cwd)} Nothing was changed.`, { cause: error });
    }
    throw error;
  }
  const owner: Owner = { pid: process.pid, command: ['rust-patterns', ...process.argv.slice(2)].join(' '), started: Date.now() };
  try {
    writeFileSync(ownerPath, `${JSON.stringify(owner)}\n`);
  } catch {
    // The owner file only improves another run's message.
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    rmSync(ownerPath, { force: true });
    try {
      lockfile.unlockSync(root, { lockfilePath: lockPath, realpath: false });
    } catch {
      // Already released (taken over as stale): nothing of ours to remove.
    }
  };
  // However the run ends (an error, a signal), the lock and its owner file go with it.
  onExit(release);
  return release;
}

function lockedMessage(root: string, ownerPath: string): string {
  let who = 'another rust-patterns run';
  try {
    const owner = JSON.parse(readFileSync(ownerPath, 'utf8')) as Owner;
    const seconds = Math.max(0, Math.round((Date.now() - owner.started) / 1000));
    who = `another run (pid ${owner.pid}, \`${owner.command}\`, started ${seconds} s ago)`;
  } catch {
    // No owner file: the generic wording.
  }
  return (
    `The workspace at ${root} is being changed by ${who}. Wait for it to finish and run again; ` +
    `if no such process is running, remove ${join(root, LOCK_NAME)}. Nothing was changed.`
  );
}
