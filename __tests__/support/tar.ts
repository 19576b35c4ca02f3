import { gzipSync } from 'node:zlib';

/** One entry of a tar archive made by a test: a file (`0`), folder (`5`), link (`1`, `2`) or device (`3`). */
export interface TarEntry {
  name: string;
  type?: '0' | '1' | '2' | '3' | '5';
  data?: string | Buffer;
  linkname?: string;
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(512);
  const put = (text: string, at: number, length: number): void => void block.write(text.slice(0, length), at, 'utf8');
  const octal = (n: number, length: number): string => n.toString(8).padStart(length - 1, '0');
  put(entry.name, 0, 100);
  put(octal(entry.type === '5' ? 0o755 : 0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  block.fill(0x20, 148, 156);
  put(entry.type ?? '0', 156, 1);
  put(entry.linkname ?? '', 157, 100);
  put('ustar\u000000', 257, 8);
  const sum = block.reduce((total, byte) => total + byte, 0);
  put(`${octal(sum, 7)}\u0000`, 148, 8);
  return block;
}

/**
 * A gzipped tar archive with exactly these entries, written byte by byte (ustar), so a test can
 * make what `tar` and `helm package` refuse to make: links out of the folder, `..`, devices.
 */
export function makeTgz(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.type === undefined || entry.type === '0' ? Buffer.from(entry.data ?? '') : Buffer.alloc(0);
    parts.push(header(entry, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}
