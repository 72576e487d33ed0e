import { readFile } from 'node:fs/promises';
import { UsageError } from '../../shared/errors.js';

/** Reads a command's input file, or standard input for `-`. A missing file is a usage error. */
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
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : String(code ?? error)}`,
    );
  }
}
