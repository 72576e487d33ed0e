import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../../shared/errors.js';

/**
 * Reads a command's input file, or standard input for `-`. A missing file, or one that is not a
 * regular file, is a usage error.
 */
export async function readInput(
  path: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<Buffer> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin)
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks);
  }
  try {
    // A folder, a device (/dev/zero never ends) or a FIFO is refused before it is read.
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`cannot read ${path}: not a regular file`);
    return await readFile(path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : String(code ?? error)}`,
    );
  }
}
