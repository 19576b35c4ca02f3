import { once } from 'node:events';
import { createGunzip, type Gunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { MEGABYTE } from '../bytes.js';
import { errorMessage } from '../errors.js';
import type { ImageReference } from '../registry/image-reference.js';
import type { ImageLayers } from '../registry/registry-client.js';
import { parseApkStanzas, type ApkPackage } from './apkindex.js';

/** What the package reading needs of a registry: an image's layers and history, and a blob streamed (the real one is RegistryClient). */
export interface LayerSource {
  imageLayers(ref: ImageReference): Promise<ImageLayers | undefined>;
  /** The blob's bytes to `sink` as they come, its digest checked at its end; answers its size. */
  blobInto(ref: ImageReference, digest: string, maxBytes: number, sink: (chunk: Uint8Array) => Promise<void> | void): Promise<number>;
}

/** The files a rebuild decision reads, Alpine's and Debian's, as paths inside a layer. */
export const ALPINE_DATABASE = 'lib/apk/db/installed';
export const DEBIAN_DATABASE = 'var/lib/dpkg/status';
/** Distroless images keep one database file a package in this folder. */
export const DISTROLESS_DATABASE = 'var/lib/dpkg/status.d/';
const WANTED = [
  ALPINE_DATABASE,
  'etc/alpine-release',
  'etc/apk/repositories',
  'etc/apk/world',
  DEBIAN_DATABASE,
  'etc/os-release',
  // Debian's etc/os-release is a link to this
  'usr/lib/os-release',
  'etc/apt/sources.list'
];
/** Folders whose files are wanted: apt's further sources, and distroless databases (their `.md5sums` are not). */
const WANTED_FOLDERS = ['etc/apt/sources.list.d/', DISTROLESS_DATABASE];
const wanted = (path: string): boolean =>
  WANTED.includes(path) ||
  WANTED_FOLDERS.some((folder) => path.startsWith(folder) && !path.slice(folder.length).includes('/') && !path.endsWith('.md5sums'));

/** What an image holds, read from its layers. */
export type ImagePackages =
  | {
      kind: 'alpine';
      /** `3.15.11`, from `etc/alpine-release`. */
      release?: string;
      installed: ApkPackage[];
      /** Stanzas of the database that cannot be read: a package not known, so the image is not modelled. */
      malformed: { count: number; first: string[] };
      repositories: string[];
      world: string[];
      /** The layer that last wrote the database. */
      layer: string;
      bytesRead: number;
    }
  | {
      kind: 'debian';
      /** The dpkg database: `var/lib/dpkg/status`, or the files of `status.d/` joined. */
      status: string;
      osRelease?: string;
      /** apt's sources: `etc/apt/sources.list` and the files of `sources.list.d/`. */
      sources: { path: string; text: string }[];
      layer: string;
      bytesRead: number;
    }
  | { kind: 'no-database'; bytesRead: number }
  | { kind: 'unmodelled'; reason: string; bytesRead: number };

export interface LayerLimits {
  /** Bytes of one layer at most, compressed and decompressed (`limits.layer-megabytes`). */
  layerBytes: number;
  /** Bytes read for one image at most, all its layers together. */
  imageBytes: number;
}

export const DEFAULT_LAYER_LIMITS: LayerLimits = { layerBytes: 64 * MEGABYTE, imageBytes: 128 * MEGABYTE };

/** A package operation in a history entry: the layer it made holds the package database. */
const PACKAGE_STEP =
  /\b(apk\s+(\S+\s+)*(add|upgrade|del)|apt-get\s+(\S+\s+)*(install|upgrade|dist-upgrade)|apt\s+(install|upgrade)|dpkg\s+-i)\b/;

/**
 * The order to read layers in: when the config's history lines up with the layers (its entries
 * without `empty_layer`, one per layer), the top-most layer a package step made first, then the
 * layers below it, top down; else every layer top down. Apk and dpkg rewrite their whole database
 * on every operation, so the top-most copy is the truth.
 */
export function layerOrder(image: ImageLayers): number[] {
  const count = image.layers.length;
  const topDown = [...Array(count).keys()].reverse();
  const made = image.history.filter((h) => !h.emptyLayer);
  if (made.length !== count) return topDown;
  let top = -1;
  made.forEach((h, i) => {
    if (PACKAGE_STEP.test(h.createdBy)) top = i;
  });
  return top < 0 ? topDown : [...Array(top + 1).keys()].reverse();
}

/** What a decision needs of one layer: its wanted files, the wanted paths it deletes (whiteouts, opaque folders), and its size. */
export interface LayerFiles {
  files: Map<string, Buffer>;
  deleted: Set<string>;
  /** Bytes of the layer as read (compressed). */
  bytes: number;
}

/**
 * Layers read this run, by digest: a base layer shared by 40 images is read once, and only what the
 * decision needs of it is kept (a few small files), never the layer itself.
 */
export type LayerCache = Map<string, Promise<LayerFiles>>;

/**
 * One layer streamed from the registry through gunzip (when it is compressed) and a tar reader:
 * only the wanted files are kept, with the wanted paths it deletes (whiteouts, opaque folders).
 * Neither the layer nor its tar is ever held whole; its inflated bytes are bounded too.
 */
async function readLayer(
  source: LayerSource,
  ref: ImageReference,
  layer: { digest: string; mediaType: string },
  limits: LayerLimits
): Promise<LayerFiles> {
  const files = new Map<string, Buffer>();
  const deleted = new Set<string>();
  const reader = extract();
  let reject: (error: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, r) => (reject = r));
  // once gunzip or the tar reader fails, the next chunk ends the download too: nothing more is read for nothing
  let broken: { error: unknown } | undefined;
  const failed = (error: unknown): void => {
    broken ??= { error };
    reject(error);
  };
  failure.catch(() => undefined);
  const finished = new Promise<void>((resolve) => reader.on('finish', resolve));
  reader.on('error', failed);
  reader.on('entry', (header, stream, next) => {
    const path = header.name.replace(/^(\.\/|\/)+/, '');
    const slash = path.lastIndexOf('/');
    const folder = path.slice(0, slash + 1);
    const base = path.slice(slash + 1);
    if (base === '.wh..wh..opq') {
      for (const w of WANTED) if (w.startsWith(folder)) deleted.add(w);
      for (const w of WANTED_FOLDERS) if (w.startsWith(folder)) deleted.add(`${w}*`);
    } else if (base.startsWith('.wh.')) {
      deleted.add(folder + base.slice(4));
      if (WANTED_FOLDERS.includes(`${folder}${base.slice(4)}/`)) deleted.add(`${folder}${base.slice(4)}/*`);
    }
    const keep = header.type === 'file' && wanted(path);
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: unknown) => {
      if (keep && Buffer.isBuffer(chunk)) chunks.push(chunk);
    });
    stream.on('end', () => {
      if (keep) files.set(path, Buffer.concat(chunks));
      next();
    });
    stream.on('error', failed);
  });
  // gzip by its media type, or by its magic bytes (a registry may say "tar" of a gzip layer); anything else is a tar
  let gunzip: Gunzip | undefined;
  let started = false;
  let inflated = 0;
  const inflating = (): Gunzip => {
    const g = createGunzip();
    g.on('data', (chunk: Buffer) => {
      inflated += chunk.byteLength;
      if (inflated > limits.layerBytes) g.destroy(new Error(`it inflates past ${limits.layerBytes} bytes (limits.layer-megabytes)`));
      else reader.write(chunk);
    });
    g.on('end', () => reader.end(undefined));
    g.on('error', failed);
    return g;
  };
  const bytes = await Promise.race([
    source.blobInto(ref, layer.digest, limits.layerBytes, async (chunk) => {
      if (broken) throw broken.error;
      if (!started) {
        started = true;
        if (/gzip/.test(layer.mediaType) || (chunk[0] === 0x1f && chunk[1] === 0x8b)) gunzip = inflating();
      }
      if (!gunzip) reader.write(chunk);
      else if (!gunzip.write(chunk)) await Promise.race([once(gunzip, 'drain'), failure]);
    }),
    failure
  ]);
  if (gunzip) gunzip.end();
  else reader.end(undefined);
  await Promise.race([finished, failure]);
  return { files, deleted, bytes };
}

/**
 * What an image holds: its package database (Alpine's, else Debian's) from the top-most layer that
 * has it, and the files around it. A layer that cannot be read (zstd, corrupt gzip, over its bound,
 * refused) leaves the image `unmodelled`, with the reason naming the layer.
 */
export async function readImagePackages(
  source: LayerSource,
  ref: ImageReference,
  limits: LayerLimits = DEFAULT_LAYER_LIMITS,
  cache: LayerCache = new Map()
): Promise<ImagePackages> {
  const image = await source.imageLayers(ref);
  let bytesRead = 0;
  if (!image) return { kind: 'unmodelled', reason: 'the image is not in the registry', bytesRead };
  const found = new Map<string, { content: Buffer; layer: string }>();
  const gone = new Set<string>();
  // a path is settled by its top-most copy, or by a whiteout of it or of its whole folder
  const settled = (path: string): boolean =>
    found.has(path) || gone.has(path) || WANTED_FOLDERS.some((f) => path.startsWith(f) && gone.has(`${f}*`));
  const distroless = (): string[] => [...found.keys()].filter((p) => p.startsWith(DISTROLESS_DATABASE)).sort();
  for (const index of layerOrder(image)) {
    const layer = image.layers[index];
    if (!layer) continue;
    if (/zstd/.test(layer.mediaType))
      return { kind: 'unmodelled', reason: `layer ${layer.digest} is zstd-compressed, which is not read here`, bytesRead };
    if (layer.size !== undefined && layer.size > limits.layerBytes)
      return { kind: 'unmodelled', reason: `layer ${layer.digest} is ${layer.size} bytes, over limits.layer-megabytes`, bytesRead };
    if (bytesRead + (layer.size ?? 0) > limits.imageBytes)
      return { kind: 'unmodelled', reason: `reading the image's layers would pass ${limits.imageBytes} bytes`, bytesRead };
    let contents: LayerFiles;
    try {
      let pending = cache.get(layer.digest);
      if (!pending) {
        pending = readLayer(source, ref, layer, limits);
        cache.set(layer.digest, pending);
      }
      contents = await pending;
      bytesRead += contents.bytes;
    } catch (error) {
      return { kind: 'unmodelled', reason: `layer ${layer.digest} cannot be read (${errorMessage(error)})`, bytesRead };
    }
    for (const [path, content] of contents.files) if (!settled(path)) found.set(path, { content, layer: layer.digest });
    for (const path of contents.deleted) if (!settled(path)) gone.add(path);
    // Alpine's files are small and near its database; Debian's sources and os-release sit in the base, so its layers are read to the bottom
    const database = settled(ALPINE_DATABASE) || settled(DEBIAN_DATABASE);
    if (database && !found.has(DEBIAN_DATABASE) && settled('etc/alpine-release') && settled('etc/apk/repositories')) break;
  }
  const text = (path: string): string | undefined => found.get(path)?.content.toString('utf8');
  const alpine = found.get(ALPINE_DATABASE);
  if (alpine) {
    return {
      kind: 'alpine',
      ...(text('etc/alpine-release') ? { release: (text('etc/alpine-release') ?? '').trim() } : {}),
      ...(({ packages, malformed }) => ({ installed: packages, malformed }))(parseApkStanzas(alpine.content.toString('utf8'))),
      repositories: (text('etc/apk/repositories') ?? '')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#')),
      world: (text('etc/apk/world') ?? '').split(/\s+/).filter(Boolean),
      layer: alpine.layer,
      bytesRead
    };
  }
  const debian = found.get(DEBIAN_DATABASE);
  const perPackage = distroless();
  if (debian || perPackage.length > 0) {
    const osRelease = text('etc/os-release') ?? text('usr/lib/os-release');
    const sourceFiles = [...found.keys()].filter((p) => p === 'etc/apt/sources.list' || p.startsWith('etc/apt/sources.list.d/')).sort();
    return {
      kind: 'debian',
      status: debian
        ? debian.content.toString('utf8')
        : perPackage.map((p) => found.get(p)?.content.toString('utf8').trim() ?? '').join('\n\n'),
      ...(osRelease ? { osRelease } : {}),
      sources: sourceFiles.map((path) => ({ path, text: text(path) ?? '' })),
      // the top-most layer holding a database file: the map keeps the order layers were read in, top down
      layer: debian?.layer ?? [...found.entries()].find(([p]) => p.startsWith(DISTROLESS_DATABASE))?.[1].layer ?? '',
      bytesRead
    };
  }
  return { kind: 'no-database', bytesRead };
}
