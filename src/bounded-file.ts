import { open } from 'node:fs/promises';
import { constants } from 'node:fs';
import { formatMegabytes } from './bytes.js';

/**
 * A file's text, read only when it is a regular file no larger than `maxBytes`: a FIFO, a device or
 * a folder given as a file is refused at once (reading a FIFO would wait for a writer forever), and
 * a file too large is refused before it is read. `what` names the option for the message.
 */
export async function readBoundedFile(path: string, maxBytes: number, what: string): Promise<string> {
  // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting for one
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error(`${what}: ${path} is not a regular file (a FIFO, a device or a folder): give a file`);
    if (stat.size > maxBytes)
      throw new Error(`${what}: ${path} is ${formatMegabytes(stat.size, 1)}, more than the ${formatMegabytes(maxBytes)} it may be`);
    const buffer = Buffer.alloc(stat.size);
    const { bytesRead } = await handle.read(buffer, 0, stat.size, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
