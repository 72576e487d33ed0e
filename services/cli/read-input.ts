import { open, stat } from 'node:fs/promises';
import { UsageError } from '../../shared/errors.js';

/**
 * A command's input file, or standard input for `-`: read whole (`readInput`, for small inputs
 * such as events) or as a stream of chunks (`openInput`, for CSVs of any size). A missing file,
 * or one that is not a regular file, is a usage error.
 */
export async function readInput(
  path: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await openInput(path, stdin)) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * The bytes of a command's input as they are read (64 KiB at a time), after checking that the
 * file exists and is a regular file (a folder, a device such as /dev/zero, which never ends, or
 * a FIFO is refused before it is read).
 */
export async function openInput(
  path: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<AsyncIterable<Uint8Array>> {
  if (path === '-') return bytesOf(stdin);
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`cannot read ${path}: not a regular file`);
    // Opened now, so that a file that cannot be read fails here and not half-way.
    const handle = await open(path, 'r');
    return handle.createReadStream({ highWaterMark: 64 * 1024 });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : String(code ?? error)}`,
    );
  }
}

async function* bytesOf(stream: NodeJS.ReadableStream): AsyncIterable<Uint8Array> {
  for await (const chunk of stream)
    yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
}
