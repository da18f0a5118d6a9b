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
import * as nodeFs from 'node:fs';
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
  // `made` is set the moment our mkdir of the lock succeeds, a few async steps before
  // proper-lockfile's promise resolves (and its own exit handler knows the lock): a
  // signal in between must still take the lock away, and none may be taken after it.
  // An object, not variables: exit handlers and the mkdir callback change it between awaits.
  const state = { made: false, released: false };
  const release = (): void => {
    if (state.released) return;
    state.released = true;
    if (!state.made) return;
    // Ours unless another run took it over as stale and wrote its own owner file since.
    const ours = ownedByThisProcess(ownerPath) ?? true;
    try {
      lockfile.unlockSync(root, { lockfilePath: lockPath, realpath: false });
    } catch {
      // Not known to proper-lockfile: a signal came during the acquisition, or it judged the lock
      // compromised (a stalled event loop) and forgot it without removing it.
    }
    if (ours) {
      rmSync(lockPath, { recursive: true, force: true });
      rmSync(ownerPath, { force: true });
    }
  };
  // However the run ends (an error, a signal), the lock and its owner file go with it.
  const stopWatching = onExit(release);
  const fs = {
    ...nodeFs,
    mkdir: (path: string, callback: (error: NodeJS.ErrnoException | null) => void): void => {
      // Released already (the process is ending on a signal): take nothing new, whatever is retried.
      if (state.released) {
        callback(Object.assign(new Error('the run is ending'), { code: 'ECANCELED' }));
        return;
      }
      // Synchronous, so that no signal handler can run between the directory's creation and
      // `made`: an exit handler that saw `made` false while an async mkdir was in flight left it.
      try {
        nodeFs.mkdirSync(path);
        if (path === lockPath) state.made = true;
        process.nextTick(callback, null);
      } catch (error) {
        process.nextTick(callback, error);
      }
    },
  };
  try {
    await lockfile.lock(root, {
      lockfilePath: lockPath,
      realpath: false,
      fs,
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
    stopWatching();
    if (isSystemError(error) && error.code === 'ELOCKED') throw new Error(lockedMessage(root, ownerPath), { cause: error });
    if (isSystemError(error)) {
      throw new Error(`${describeSystemError(error, 'lock the workspace at', root, cwd)} Nothing was changed.`, { cause: error });
    }
    throw error;
  }
  // A signal's exit handlers ran during the acquisition (the process is ending): hold nothing.
  if (state.released) {
    try {
      lockfile.unlockSync(root, { lockfilePath: lockPath, realpath: false });
    } catch {
      // Removed by release() already.
    }
    return release;
  }
  const owner: Owner = { pid: process.pid, command: ['rust-patterns', ...process.argv.slice(2)].join(' '), started: Date.now() };
  try {
    writeFileSync(ownerPath, `${JSON.stringify(owner)}\n`);
  } catch {
    // The owner file only improves another run's message.
  }
  return release;
}

/** Whether the owner file names this process; undefined when there is none (or it cannot be read). */
function ownedByThisProcess(ownerPath: string): boolean | undefined {
  try {
    return (JSON.parse(readFileSync(ownerPath, 'utf8')) as Owner).pid === process.pid;
  } catch {
    return undefined;
  }
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
