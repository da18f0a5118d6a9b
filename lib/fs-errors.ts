/**
 * Operating-system errors as sentences: what could not be done, to which
 * path, why in words, and what the user can do about it. Raw messages such as
 * `ENOTDIR: not a directory, scandir 'x'` name neither the operation the
 * generator was doing nor a fix.
 */
import { relative } from 'node:path';

/** An error from Node's fs or child_process: `code` (ENOSPC…) and usually `path` or `syscall`. */
export interface SystemError extends Error {
  readonly code?: string;
  readonly path?: string;
  readonly syscall?: string;
}

export const isSystemError = (error: unknown): error is SystemError =>
  error instanceof Error && typeof (error as SystemError).code === 'string' && /^E[A-Z]+$/.test((error as SystemError).code!);

/** Why, in words, and what to do, per error code. */
const REASONS: Readonly<Record<string, readonly [string, string]>> = {
  EACCES: ['permission denied', 'check the permissions of that path and of its directory (ls -ld), or run where you may write'],
  EPERM: ['operation not permitted', 'check the permissions and flags of that path (ls -ld, lsattr)'],
  ENOSPC: ['no space left on device', 'free some space on that disk (df -h) and run again'],
  EDQUOT: ['disk quota exceeded', 'free some space within your quota and run again'],
  EROFS: ['the file system is read-only', 'run in a writable directory'],
  ENOTDIR: ['a part of the path is a file, not a directory', 'move or rename that file, or choose another path'],
  EISDIR: ['it is a directory', 'move that directory away, or choose another path'],
  ENOENT: ['it does not exist', 'check the path, or create the directory first'],
  EEXIST: ['it already exists', 'choose another name or path'],
  ENOTEMPTY: ['the directory is not empty (another run may have written it meanwhile)', 'look at its contents, then run again'],
  ENAMETOOLONG: ['the path is too long for the file system', 'choose a shorter name or path'],
  ELOOP: ['it is a loop of symbolic links', 'fix the links on that path'],
  EMFILE: ['too many open files', 'raise the limit (ulimit -n) or close other programs, then run again'],
  EXDEV: [
    'it is on another file system than its staging copy',
    'run on a directory that is not a mount point of another file system',
  ],
  EBUSY: ['the file is busy', 'close the program that holds it, then run again'],
  EIO: ['an input/output error of the disk', 'check the disk, then run again'],
};

/** `verb` the path: reason (CODE). Fix. — e.g. `Cannot write crates/x/src/main.rs: no space left on device (ENOSPC). Free …` */
export function describeSystemError(error: SystemError, verb: string, path: string | undefined, cwd: string): string {
  const code = error.code ?? 'EUNKNOWN';
  const [reason, fix] = REASONS[code] ?? [error.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, ''), 'check that path'];
  const where = path === undefined ? '' : ` ${shown(cwd, path)}`;
  return `Cannot ${verb}${where}: ${reason} (${code}). To fix it, ${fix}.`;
}

function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

/** The verb of a syscall, for errors raised outside our own code (`scandir` -> `read the directory`). */
export function verbOf(syscall: string | undefined): string {
  switch (syscall) {
    case 'scandir':
    case 'opendir':
      return 'read the directory';
    case 'open':
    case 'read':
      return 'read';
    case 'write':
      return 'write';
    case 'mkdir':
      return 'create the directory';
    case 'rename':
      return 'move into place';
    case 'unlink':
    case 'rmdir':
    case 'rm':
      return 'remove';
    case 'stat':
    case 'lstat':
      return 'look at';
    case 'spawn':
      return 'run';
    default:
      return 'use';
  }
}
