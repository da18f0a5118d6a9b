/**
 * All-or-nothing writes. A run either writes every file it planned, or leaves
 * every file that existed byte-identical and nothing new behind, whatever stops
 * it: an exception, a full disk, a permission error, SIGINT, SIGTERM or SIGHUP.
 *
 * How: every new file is written first into a staging copy beside its
 * destination (same directory, so the same file system), a whole new directory
 * (a member) as one staged tree; edits of existing files (the root
 * `Cargo.toml`, `.yo-rc.json`) go to a temporary file beside the original.
 * Only then are they renamed into place, new trees first and the edits last, so
 * the root manifest never names a member whose files are missing. On failure
 * or signal, everything renamed so far is undone (originals come back from hard
 * links taken before the rename) and the staging copies are removed.
 *
 * Written by hand: no maintained library does multi-file rename transactions
 * with rollback (write-file-atomic covers one file at a time).
 */
import { randomBytes } from 'node:crypto';
import { constants, lstatSync, readdirSync, rmdirSync } from 'node:fs';
import { chmod, copyFile, link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { onExit } from 'signal-exit';
import { describeSystemError, isSystemError } from './fs-errors.js';

/** A file to write (`contents`) or to remove (`contents` undefined), by absolute path. */
export interface FileChange {
  readonly path: string;
  readonly contents: Buffer | undefined;
  /** Permission bits for a new file (e.g. 0o755); an edited file keeps its own. */
  readonly mode?: number;
}

/** A failed run's error: says what failed and that nothing was changed. */
export class NothingChangedError extends Error {
  constructor(
    message: string,
    /** The signal that stopped the run, to be raised again once the message is out. */
    readonly signal?: NodeJS.Signals,
  ) {
    super(message);
  }
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Staging names: hidden, recognisable, unique to this process. */
const stagingName = (path: string): string =>
  join(dirname(path), `.${basename(path)}.rust-patterns-${process.pid}-${randomBytes(4).toString('hex')}`);

// --- Directories the run created before writing -------------------------------

/**
 * Directories created on disk before the commit (Yeoman's `destinationRoot()`
 * creates the new workspace directory when it is set). They count as absent:
 * the commit moves a staged tree over such a directory while it is still empty,
 * and at exit one still empty is removed, so a failed or dry run leaves none.
 */
const createdDirectories = new Set<string>();
let cleanupRegistered = false;

export function noteCreatedDirectory(dir: string): void {
  createdDirectories.add(dir);
  if (cleanupRegistered) return;
  cleanupRegistered = true;
  onExit(() => {
    for (const created of [...createdDirectories].sort().reverse()) {
      try {
        if (readdirSync(created).length === 0) rmdirSync(created);
      } catch {
        // Gone already, or not ours to remove any more.
      }
    }
  });
}

const isEmptyCreatedDirectory = (dir: string): boolean => {
  if (!createdDirectories.has(dir)) return false;
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return false;
  }
};

// --- Fault injection (tests only) ----------------------------------------------

/**
 * `RUST_PATTERNS_FAULT=<fault>@<n>` makes the n-th step of a commit fail, for the
 * fault-injection tests: `sigint`/`sigterm`/`sighup` send that signal to this
 * process just before the step, `enospc`/`eacces`/`eio` make the step fail
 * with that error. Steps are counted from 1; a number past the last step
 * injects nothing. `slow@<ms>` makes every step take that much longer (a slow
 * disk), so that real signals sent from outside land during the commit.
 */
function injectedFault(): { readonly kind: string; readonly step: number } | undefined {
  const match = /^(sigint|sigterm|sighup|enospc|eacces|eio|slow)@(\d+)$/.exec(process.env['RUST_PATTERNS_FAULT'] ?? '');
  return match ? { kind: match[1]!, step: Number(match[2]) } : undefined;
}

// --- The transaction --------------------------------------------------------------

interface Plan {
  /** New trees or files: staged at `stage`, renamed to `target`. */
  readonly creates: { readonly target: string; readonly stage: string; readonly files: readonly FileChange[] }[];
  /** Edits of existing regular files: written to `temp`, renamed over `target`. */
  readonly edits: { readonly target: string; readonly temp: string; readonly backup: string; readonly change: FileChange }[];
  /** Removals: renamed to `trash`, unlinked once everything is in place. */
  readonly removes: { readonly target: string; readonly trash: string }[];
}

/** How each change lands: which paths are new (and from which new directory down), which are edits. */
function plan(changes: readonly FileChange[], cwd: string): Plan {
  const missing = (path: string): boolean => lstatOrUndefined(path) === undefined || isEmptyCreatedDirectory(path);
  const creates = new Map<string, { target: string; stage: string; files: FileChange[] }>();
  const edits: Plan['edits'] = [];
  const removes: Plan['removes'] = [];
  for (const change of changes) {
    const existing = lstatOrUndefined(change.path);
    if (change.contents === undefined) {
      if (existing) removes.push({ target: change.path, trash: stagingName(change.path) });
      continue;
    }
    if (existing?.isFile()) {
      edits.push({ target: change.path, temp: stagingName(change.path), backup: stagingName(change.path), change });
      continue;
    }
    if (existing) {
      // A directory, or a symbolic link: replacing it would change what the user built.
      const what = existing.isDirectory() ? 'a directory' : existing.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
      throw new NothingChangedError(
        `Cannot write ${relative(cwd, change.path) || '.'}: it is ${what}. Move it away and run again. Nothing was changed.`,
      );
    }
    // The topmost directory above the file that does not exist yet: the whole tree from there is new.
    let top = change.path;
    while (missing(dirname(top)) && dirname(top) !== top) top = dirname(top);
    const entry = creates.get(top) ?? { target: top, stage: stagingName(top), files: [] };
    entry.files.push(change);
    creates.set(top, entry);
  }
  // The edits land last, deepest first, `.yo-rc.json` (which records what was generated) very last.
  const weight = (path: string): number => (basename(path) === '.yo-rc.json' ? -1 : path.split(sep).length);
  edits.sort((a, b) => weight(b.target) - weight(a.target));
  return { creates: [...creates.values()], edits, removes };
}

/**
 * Writes every change or none. Throws `NothingChangedError` (after undoing
 * what was done) when a step fails or a signal arrives; `cwd` is where paths
 * in messages are relative to.
 */
export async function writeAtomically(changes: readonly FileChange[], cwd: string): Promise<void> {
  if (changes.length === 0) return;
  // An object, not a variable: the signal handler sets it between steps.
  const signal: { stopped?: NodeJS.Signals } = {};
  const onSignal = (received: NodeJS.Signals): void => {
    signal.stopped ??= received;
  };
  // Read through a call: the handler may have set it during any `await`.
  const stoppedBy = (): NodeJS.Signals | undefined => signal.stopped;
  for (const name of SIGNALS) process.on(name, onSignal);
  const undo: (() => Promise<void>)[] = [];
  const fault = injectedFault();
  let steps = 0;
  /** Every file-system step: first honour a signal (or an injected fault), then act. */
  const step = async <T>(verb: string, path: string, action: () => Promise<T>): Promise<T> => {
    steps += 1;
    if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.step));
    const injected = fault?.step === steps && fault.kind !== 'slow' ? fault.kind : undefined;
    if (injected?.startsWith('sig')) {
      process.kill(process.pid, injected.toUpperCase());
      // The signal reaches its handler a few turns of the event loop later: wait for it, so the fault lands at this step.
      for (let turn = 0; turn < 1000 && stoppedBy() === undefined; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const stopped = stoppedBy();
    if (stopped) throw new NothingChangedError(`Stopped by ${stopped} while writing. Nothing was changed.`, stopped);
    try {
      if (injected !== undefined && !injected.startsWith('sig')) {
        throw Object.assign(new Error(`injected ${injected}`), { code: injected.toUpperCase(), path });
      }
      return await action();
    } catch (error) {
      if (isSystemError(error)) {
        throw new NothingChangedError(`${describeSystemError(error, verb, path, cwd)} Nothing was changed.`);
      }
      throw error;
    }
  };
  try {
    const { creates, edits, removes } = plan(changes, cwd);
    // 1. Stage: nothing visible changes yet.
    for (const create of creates) {
      undo.push(() => rm(create.stage, { recursive: true, force: true }));
      for (const file of create.files) {
        const staged = create.target === file.path ? create.stage : join(create.stage, relative(create.target, file.path));
        await step('create the directory', dirname(file.path), () => mkdir(dirname(staged), { recursive: true }));
        await step('write', file.path, () => writeFile(staged, file.contents!, { flag: 'wx', mode: file.mode ?? 0o644 }));
        // writeFile's mode is filtered by the umask, as for any new file; an explicit mode (executable) is kept.
        if (file.mode !== undefined) await step('write', file.path, () => chmod(staged, file.mode!));
      }
    }
    for (const edit of edits) {
      undo.push(() => rm(edit.temp, { force: true }));
      const mode = lstatSync(edit.target).mode & 0o7777;
      await step('write', edit.target, () => writeFile(edit.temp, edit.change.contents!, { flag: 'wx', mode }));
      await step('write', edit.target, () => chmod(edit.temp, mode));
      // A second name for the original, to put it back without writing a byte.
      undo.push(() => rm(edit.backup, { force: true }));
      await step('keep a copy of', edit.target, () => keepCopy(edit.target, edit.backup));
    }
    // 2. Rename into place: new trees, then removals, then the edits.
    for (const create of creates) {
      // rename() replaces an empty directory, which is what a directory this run created still is.
      await step('move into place', create.target, () => rename(create.stage, create.target));
      undo.push(() => rm(create.target, { recursive: true, force: true }));
    }
    for (const remove of removes) {
      await step('remove', remove.target, () => rename(remove.target, remove.trash));
      undo.push(() => rename(remove.trash, remove.target));
    }
    for (const edit of edits) {
      await step('replace', edit.target, () => rename(edit.temp, edit.target));
      undo.push(() => rename(edit.backup, edit.target));
    }
    if (signal.stopped)
      throw new NothingChangedError(`Stopped by ${signal.stopped} while writing. Nothing was changed.`, signal.stopped);
    // 3. Done: drop the second names and the removed files. Nothing here can make the result partial.
    undo.length = 0;
    for (const leftover of [...edits.map((e) => e.backup), ...removes.map((r) => r.trash)]) await rm(leftover, { force: true });
  } catch (error) {
    // Undo in reverse order; each step is independent of the ones that failed.
    for (const action of undo.reverse()) await action().catch(() => undefined);
    throw error;
  } finally {
    for (const name of SIGNALS) process.removeListener(name, onSignal);
  }
  const late = stoppedBy();
  if (late) {
    // A signal that came during the last, irreversible clean-up: the run completed; honour it now.
    process.kill(process.pid, late);
  }
}

/** A hard link to the original (costs no space); a copy where the file system has no links. */
async function keepCopy(target: string, backup: string): Promise<void> {
  try {
    await link(target, backup);
  } catch (error) {
    if (!isSystemError(error) || !['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK'].includes(error.code!)) throw error;
    await copyFile(target, backup, constants.COPYFILE_EXCL);
  }
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
