import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, posix, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
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

const BLOCK = 512;
const inflate = promisify(gunzip);

const field = (header: Buffer, start: number, length: number): string => {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
};

const octal = (header: Buffer, start: number, length: number): number => {
  const text = field(header, start, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
};

/** Records of a pax extended header (`length key=value\n`...). */
function paxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return records;
}

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

const KIND: Record<string, string> = {
  '1': 'a hard link',
  '2': 'a symbolic link',
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a FIFO'
};

/**
 * Extract a chart archive (.tgz) into an empty folder with the action's own reader, never tar's:
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
  let pax = new Map<string, string>();
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= tar.length;) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0x30);
    const dataStart = at + BLOCK;
    const data = tar.subarray(dataStart, dataStart + size);
    if (data.length < size) throw new ArchiveRefused('the archive ends inside an entry', true);
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      pax = paxRecords(data);
      continue;
    }
    if (type === 'g') continue;
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    const prefix = field(header, 345, 155);
    const name = pax.get('path') ?? longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    pax = new Map();
    longName = undefined;
    const refusedKind = KIND[type];
    if (refusedKind) throw new ArchiveRefused(`entry ${JSON.stringify(name)} is ${refusedKind}: links and devices are not extracted`);
    const relative = entryPath(name);
    if (relative === undefined) continue;
    const target = resolve(root, relative);
    if (!target.startsWith(root + sep)) throw new ArchiveRefused(`entry ${JSON.stringify(name)} leaves the chart's folder`);
    if (type === '5') {
      await mkdir(target, { recursive: true });
      continue;
    }
    if (type !== '0' && type !== '\0' && type !== '7')
      throw new ArchiveRefused(`entry ${JSON.stringify(name)} has the unknown tar type ${JSON.stringify(type)}`);
    if (size > limits.maxFileBytes)
      throw new ArchiveRefused(
        `entry ${JSON.stringify(name)} is ${megabytes(size)}, more than the ${megabytes(limits.maxFileBytes)} a file may be (configuration.limits.chart-file-megabytes)`
      );
    await mkdir(dirname(target), { recursive: true });
    // a file already there (a second entry of the same name) is replaced, never followed
    await writeFile(target, data, { mode: 0o644, flag: 'w' });
  }
}

const megabytes = (bytes: number): string => formatMegabytes(bytes, bytes < MEGABYTE ? 2 : 0);
