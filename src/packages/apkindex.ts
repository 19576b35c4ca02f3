import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { compareApkVersions } from './versions.js';

/**
 * Alpine's package stanzas: `X:value` lines, one blank line between packages. The same format is
 * the index (`APKINDEX` in `APKINDEX.tar.gz`) and an image's database (`lib/apk/db/installed`).
 */
export interface ApkPackage {
  /** `P:` */
  name: string;
  /** `V:` */
  version: string;
  /** `o:`: the source package (the name the security database uses); the name when absent. */
  origin: string;
  /** `t:`: build time, seconds since the epoch. */
  buildTime?: number;
  /** `D:` */
  depends: string[];
  /** `p:` */
  provides: string[];
}

export interface ParsedStanzas {
  packages: ApkPackage[];
  /** Stanzas without a name or a version, or with a version apk cannot order: counted, and the first few named. */
  malformed: { count: number; first: string[] };
}

/** Every stanza of an APKINDEX or an installed database; a malformed one is counted, not thrown. */
export function parseApkStanzas(text: string): ParsedStanzas {
  const packages: ApkPackage[] = [];
  const malformed = { count: 0, first: [] as string[] };
  for (const stanza of text.split(/\n[ \t]*\n/)) {
    if (stanza.trim() === '') continue;
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      const m = /^([A-Za-z]):(.*)$/.exec(line.trim());
      // the installed database repeats F:/R:/Z: per file: only the first of a key is kept, and files are not needed
      if (m && !fields.has(m[1] ?? '')) fields.set(m[1] ?? '', m[2] ?? '');
    }
    const name = fields.get('P');
    const version = fields.get('V');
    if (!name || !version || compareApkVersions(version, version) === undefined) {
      malformed.count++;
      if (malformed.first.length < 3) malformed.first.push(stanza.trim().split('\n').slice(0, 2).join(' ').slice(0, 120));
      continue;
    }
    const time = Number(fields.get('t'));
    packages.push({
      name,
      version,
      origin: fields.get('o') || name,
      ...(Number.isFinite(time) && time > 0 ? { buildTime: time } : {}),
      depends: (fields.get('D') ?? '').split(/\s+/).filter(Boolean),
      provides: (fields.get('p') ?? '').split(/\s+/).filter(Boolean)
    });
  }
  return { packages, malformed };
}

/** Bytes of an APKINDEX file at most (Alpine's largest, edge/community, is about 3 MB). */
export const MAX_APKINDEX_BYTES = 32 * 1024 * 1024;

/**
 * The `APKINDEX` text of an `APKINDEX.tar.gz`: two gzip streams back to back (a signature tar
 * fragment, then a tar of `DESCRIPTION` and `APKINDEX`), which read as one tar. Bounded after
 * decompression; an archive without an `APKINDEX` is an error naming what it held.
 */
export async function apkIndexText(archive: Uint8Array, maxBytes = MAX_APKINDEX_BYTES): Promise<string> {
  // gunzip reads every member of a multi-member file, the signature's and the index's
  const tar = gunzipSync(archive, { maxOutputLength: maxBytes });
  const reader = extract();
  const names: string[] = [];
  let index: string | undefined;
  const done = new Promise<void>((resolve, reject) => {
    reader.on('entry', (header, stream, next) => {
      names.push(header.name);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: unknown) => {
        if (header.name === 'APKINDEX' && Buffer.isBuffer(chunk)) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (header.name === 'APKINDEX') index = Buffer.concat(chunks).toString('utf8');
        next();
      });
      stream.on('error', reject);
    });
    reader.on('finish', resolve);
    reader.on('error', reject);
  });
  reader.end(tar);
  await done;
  if (index === undefined) throw new Error(`not an APKINDEX.tar.gz: it holds ${names.slice(0, 5).join(', ') || 'no file'}`);
  return index;
}

/** The newest version of each package name of an index (Alpine keeps one build per name and branch; a merge of repositories may hold two). */
export function newestByName(packages: readonly ApkPackage[]): Map<string, ApkPackage> {
  const newest = new Map<string, ApkPackage>();
  for (const p of packages) {
    const known = newest.get(p.name);
    if (!known || (compareApkVersions(p.version, known.version) ?? 0) > 0) newest.set(p.name, p);
  }
  return newest;
}
