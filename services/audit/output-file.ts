import { type Stats, statfsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { OutputFileError } from '../../shared/errors.js';

/**
 * Where `report --out`, `--report` and `audit --out` write: one rule for both. The folder is
 * created when missing; a target that exists must be a regular file, and nothing is written on
 * a kernel file system (/proc, /sys: their files look regular but are not storage, and writing
 * an HTML page there fails slowly or spins). Checked before any work, so a bad path costs nothing.
 */

/** statfs `type` of file systems that are not storage (Linux magic numbers). */
const KERNEL_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
  [0x1373, 'devfs'],
  [0x64626720, 'debugfs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
]);

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isFIFO()) return 'a pipe';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The nearest existing folder at or above `path`. */
function existingAncestor(path: string): string {
  let current = path;
  while (statOrUndefined(current) === undefined) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

/**
 * Checks `out` (relative to the working folder) and creates its folder. Returns the absolute
 * path. Throws an OutputFileError (one line, exit 4) naming the path and the problem.
 */
export async function prepareOutputFile(out: string, what: string): Promise<string> {
  if (out.trim() === '') throw new OutputFileError(`cannot write the ${what}: no file named`);
  const path = resolve(out);
  const fail = (problem: string) =>
    new OutputFileError(`cannot write the ${what} to ${path}: ${problem}`);
  const existing = statOrUndefined(path);
  if (existing && !existing.isFile()) throw fail(`it is ${kindOf(existing)}`);
  try {
    const type = statfsSync(existingAncestor(dirname(path))).type;
    const kernel = KERNEL_FILE_SYSTEMS.get(type);
    if (kernel) throw fail(`it is on ${kernel}, not on storage`);
  } catch (error) {
    if (error instanceof OutputFileError) throw error;
    // statfs unsupported here: the checks above and the write's own errors still apply.
  }
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (error) {
    throw fail(`cannot create its folder (${codeOf(error)})`);
  }
  return path;
}

/** The write of an output file failed: one line naming the path and the system's code. */
export function outputWriteError(path: string, what: string, error: unknown): OutputFileError {
  if (error instanceof OutputFileError) return error;
  return new OutputFileError(`cannot write the ${what} to ${path} (${codeOf(error)})`, {
    cause: error,
  });
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message.split('\n')[0] || error.name : String(error);
}
