import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, posix, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { formatMegabytes, MEGABYTE } from '../bytes.js';

/** What one chart archive may hold. */
export interface ArchiveLimits {
  /** Bytes the archive inflates to, every file and tar header together. */
  maxUnpackedBytes: number;
  /** Bytes of one file. */
  maxFileBytes: number;
}

/** An archive that breaks a rule, or is no archive at all (`invalid`): nothing of it reaches helm. */
export class ArchiveRefused extends Error {
  override readonly name = 'ArchiveRefused';
  constructor(
    message: string,
    readonly invalid = false
  ) {
    super(message);
  }
}

const inflate = promisify(gunzip);

/**
 * The path an entry is written to, below the chart folder: its first component (the chart's own
 * folder in a `helm package` archive) taken off, as `tar --strip-components=1` does. Absolute
 * paths and `..` are refused.
 */
function entryPath(name: string): string | undefined {
  if (name.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(name)) throw new ArchiveRefused(`entry ${JSON.stringify(name)} has an absolute path`);
  const parts = name.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new ArchiveRefused(`entry ${JSON.stringify(name)} leaves the chart's folder (..)`);
  const inside = parts.slice(1);
  return inside.length === 0 ? undefined : posix.join(...inside);
}

/** What tar-stream calls the entries that are refused (links and devices), as a person says them. */
const REFUSED: Partial<Record<NonNullable<Header['type']>, string>> = {
  link: 'a hard link',
  symlink: 'a symbolic link',
  'character-device': 'a character device',
  'block-device': 'a block device',
  fifo: 'a FIFO'
};

/**
 * Extract a chart archive (.tgz) into an empty folder through tar-stream (which reads pax and GNU
 * long names, base-256 sizes, and checks each header's checksum), never tar's own extraction:
 * inflated bytes are bounded in all and per file, links of any kind, devices, absolute paths and
 * `..` are refused, and nothing is written outside `dir`. Only regular files and folders come out.
 */
export async function extractChartArchive(archive: Buffer, dir: string, limits: ArchiveLimits): Promise<void> {
  let tar: Buffer;
  try {
    tar = await inflate(archive, { maxOutputLength: limits.maxUnpackedBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new ArchiveRefused(
        `it inflates to more than ${megabytes(limits.maxUnpackedBytes)} (configuration.limits.chart-unpacked-megabytes)`
      );
    throw new ArchiveRefused(`not a gzip archive: ${(error as Error).message}`, true);
  }
  const root = resolve(dir);
  const reader = extract();
  const entries = (async () => {
    for await (const entry of reader) {
      const { name, type, size = 0 } = entry.header;
      const refusedKind = REFUSED[type ?? 'file'];
      if (refusedKind) throw new ArchiveRefused(`entry ${JSON.stringify(name)} is ${refusedKind}: links and devices are not extracted`);
      const relative = entryPath(name);
      const target = relative === undefined ? undefined : resolve(root, relative);
      if (target !== undefined && !target.startsWith(root + sep))
        throw new ArchiveRefused(`entry ${JSON.stringify(name)} leaves the chart's folder`);
      if (type === 'directory') {
        if (target !== undefined) await mkdir(target, { recursive: true });
        entry.resume();
        continue;
      }
      if (type !== 'file' && type !== 'contiguous-file')
        throw new ArchiveRefused(`entry ${JSON.stringify(name)} has the tar type ${JSON.stringify(type)}, which is not extracted`);
      if (size > limits.maxFileBytes)
        throw new ArchiveRefused(
          `entry ${JSON.stringify(name)} is ${megabytes(size)}, more than the ${megabytes(limits.maxFileBytes)} a file may be (configuration.limits.chart-file-megabytes)`
        );
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      if (target === undefined) continue;
      await mkdir(dirname(target), { recursive: true });
      // a file already there (a second entry of the same name) is replaced, never followed: no link is ever written
      await writeFile(target, Buffer.concat(chunks), { mode: 0o644, flag: 'w' });
    }
  })();
  reader.end(tar);
  try {
    await entries;
  } catch (error) {
    if (error instanceof ArchiveRefused) throw error;
    const message = (error as Error).message;
    throw new ArchiveRefused(
      /unexpected end/i.test(message) ? 'the archive ends inside an entry' : `not a valid tar archive: ${message}`,
      true
    );
  } finally {
    reader.destroy();
  }
}

const megabytes = (bytes: number): string => formatMegabytes(bytes, bytes < MEGABYTE ? 2 : 0);
