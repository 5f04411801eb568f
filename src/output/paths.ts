/**
 * Output paths: every file and folder a command writes is checked here before any work starts, and
 * folders are created here. A refusal is a UsageError (one line, exit code 2) that names the path and
 * what to do instead; nothing is created by a refused check.
 *
 * Folders are created one level at a time, never with fs.mkdirSync's `recursive`: on Node 20 that
 * loops forever, deaf to SIGINT, on a path such as /proc/x whose parent exists but refuses new entries.
 */
import { closeSync, mkdirSync, openSync, readSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';

export type PathKind = 'missing' | 'dir' | 'file' | 'other';

/** What is at `path` (following links); a path under a file is `missing`. */
export function pathKind(path: string): PathKind {
  let st;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ELOOP') return 'missing';
    throw e;
  }
  if (!st) return 'missing';
  return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
}

/** A path as it appears in a one-line message: quoted as JSON when it holds control characters. */
export function showPath(path: string): string {
  return /[\u0000-\u001f\u007f]/.test(path) ? JSON.stringify(path) : path;
}

function refuse(field: string, message: string): never {
  throw new UsageError(field, message);
}

export function requireNonEmpty(path: string, field: string): void {
  if (path.trim() === '') refuse(field, 'an empty path; give a file or folder name');
}

/** Can new entries be made in the existing folder `dir`? Tried by creating and removing a probe file. */
function assertWritableFolder(dir: string, field: string, target: string): void {
  const probe = join(dir, `.kstep-write-test-${process.pid}`);
  let fd: number;
  try {
    fd = openSync(probe, 'wx');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    refuse(field, `cannot write ${showPath(target)}: new files cannot be made in ${showPath(dir)} (${code}); choose another path`);
  }
  closeSync(fd);
  unlinkSync(probe);
}

/** The nearest existing ancestor of a missing path; refuses when it is not a folder. */
function existingAncestor(path: string, field: string): string {
  let dir = resolve(path);
  for (;;) {
    const parent = dirname(dir);
    if (parent === dir) return dir;
    dir = parent;
    const kind = pathKind(dir);
    if (kind === 'dir') return dir;
    if (kind !== 'missing') refuse(field, `cannot write ${showPath(path)}: ${showPath(dir)} is a file, not a folder; choose another path`);
  }
}

/**
 * Checks a folder to write into: an existing folder, or one that can be created (its nearest
 * existing ancestor is a folder that takes new entries). A file at that path is always refused. For
 * an existing folder, `contents` checks what it holds before the folder is tried for writing (so a
 * refusal leaves even its modification time as it was). With `probe` false the folder is not tried
 * for writing (a command that checks several folders checks them all before it tries any). Returns
 * whether the folder exists.
 */
export function checkFolderTarget(dir: string, field: string, contents?: () => void, probe = true): boolean {
  requireNonEmpty(dir, field);
  const kind = pathKind(dir);
  if (kind === 'dir') {
    contents?.();
    if (probe) assertWritableFolder(dir, field, dir);
    return true;
  }
  if (kind !== 'missing') refuse(field, `${showPath(dir)} is a file, not a folder; choose another folder`);
  const ancestor = existingAncestor(dir, field);
  if (probe) assertWritableFolder(ancestor, field, dir);
  return false;
}

/** Creates a checked folder and its missing parents, one level at a time. */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); pathKind(d) === 'missing'; d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      // Another process (a second shard of the same sweep) may make the same parent meanwhile.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || pathKind(d) !== 'dir') throw e;
    }
  }
}

export interface FileTargetOptions {
  /** For an existing file: why it must not be replaced, or undefined when replacing it loses nothing. */
  refusal?: (file: string) => string | undefined;
  /** Replace an existing file whatever it holds (--force). */
  force?: boolean;
}

/**
 * Checks a file to write: a non-empty path, not a folder, in an existing folder that takes new files;
 * an existing file is replaced only when `refusal` finds nothing against it, or with `force`.
 */
export function checkFileTarget(file: string, field: string, opts: FileTargetOptions = {}): void {
  requireNonEmpty(file, field);
  if (file.endsWith('/') || file.endsWith(sep)) refuse(field, `${showPath(file)} names a folder; give a file name`);
  const kind = pathKind(file);
  if (kind === 'dir') refuse(field, `${showPath(file)} is a folder; give the path of a file (inside it, for example)`);
  if (kind === 'other') refuse(field, `${showPath(file)} is not a regular file; choose another path`);
  const parent = dirname(resolve(file));
  const parentKind = pathKind(parent);
  if (parentKind === 'missing') {
    existingAncestor(parent, field); // names a file on the way, if there is one
    refuse(field, `cannot write ${showPath(file)}: the folder ${showPath(parent)} does not exist; create it or choose another path`);
  }
  if (parentKind !== 'dir') refuse(field, `cannot write ${showPath(file)}: ${showPath(parent)} is a file, not a folder; choose another path`);
  if (kind === 'file' && !opts.force) {
    const why = opts.refusal?.(file);
    if (why !== undefined) refuse(field, `${showPath(file)} ${why}; choose another path, or --force to replace it`);
  }
  assertWritableFolder(parent, field, file);
}

/** The first `bytes` bytes of a file as text (to recognise what wrote it). */
export function fileHead(file: string, bytes = 4096): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The real path of a path that may not exist yet (its nearest existing ancestor resolved). */
export function realPathOf(path: string): string {
  const abs = resolve(path);
  const rest: string[] = [];
  for (let d = abs; ; d = dirname(d)) {
    if (pathKind(d) !== 'missing') return join(realpathSync(d), ...rest.reverse());
    if (dirname(d) === d) return abs;
    rest.push(basename(d));
  }
}

/** Is `inner` the folder `outer` or inside it (real paths)? */
export function isWithin(inner: string, outer: string): boolean {
  const rel = relative(realPathOf(outer), realPathOf(inner));
  return rel === '' || !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel));
}
