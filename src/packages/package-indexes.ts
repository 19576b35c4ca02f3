import { MEGABYTE } from '../bytes.js';
import { errorMessage } from '../errors.js';
import type { Credential, OriginBoundFetch, RedirectPolicy } from '../http/origin-bound-fetch.js';
import { isPrivateHost } from '../registry/image-reference.js';
import { gunzipSync } from 'node:zlib';
import { apkIndexText, parseApkStanzas, type ApkPackage } from './apkindex.js';
import { packagesUrl, parseDebStanzas, type AptSource, type DebPackage } from './debian.js';
import { parseReleases, parseSecdb, type AlpineBranch, type SecurityDatabase } from './upgrades.js';

/** Where Alpine publishes what a rebuild decision reads, before `package-index-rewrite`. */
export const ALPINE_SECDB = 'https://secdb.alpinelinux.org';
export const ALPINE_RELEASES = 'https://alpinelinux.org/releases.json';
/** OSV's batch query: Debian's and Ubuntu's vulnerabilities of a package at a version. */
export const OSV_QUERYBATCH = 'https://api.osv.dev/v1/querybatch';
/** OSV answers at most this many queries a request. */
const OSV_BATCH = 1000;
/** Pages of one query's answer read at most (OSV pages a package with very many vulnerabilities). */
const OSV_PAGES = 10;

/** One index as read: where it is, its packages, and the stanzas that cannot be read (left out, and said once). */
export interface IndexRead<P> {
  url: string;
  packages: P[];
  malformed: { count: number; first: string[] };
}

/** One OSV query: a package of an ecosystem (`Debian:12`) at a version. */
export interface OsvQuery {
  ecosystem: string;
  name: string;
  version: string;
}

export interface PackageIndexOptions {
  http: OriginBoundFetch;
  /** `package-index-rewrite`: a URL starting with `from` is read from `to` instead (a mirror; 127.0.0.1 in tests). */
  rewrites: readonly { from: string; to: string }[];
  timeoutMs: number;
  maxBytes: number;
  /** `package-index-username`/`-password`: sent only to the origin of a rewrite's target, never to a URL an image names. */
  credentials?: { username: string; password: string };
}

/** Where one URL is read, and which redirects it may follow. */
interface Target {
  url: string;
  redirects: RedirectPolicy;
  credential?: Credential;
}

/** An index or database that cannot be read: the images it serves are unmodelled, with one warning naming it. */
export class PackageIndexError extends Error {
  override readonly name = 'PackageIndexError';
}

/**
 * Alpine's package indexes, security databases and releases.json, each read at most once a run,
 * through the job's network policy (deadline, size bound), without credentials. A URL read from an
 * image (`etc/apk/repositories`) is read over https and never on a private address, unless a
 * `package-index-rewrite` line a person wrote sends it elsewhere.
 */
export class PackageIndexes {
  private readonly reads = new Map<string, Promise<unknown>>();
  /** Requests and bytes, for the bench. */
  readonly counts = { requests: 0, bytes: 0 };

  constructor(private readonly options: PackageIndexOptions) {}

  /**
   * Where a URL is read: rewritten (a mirror a person named, which may redirect to its storage), or
   * as it is when an image may name it (https, a public host, and no redirect to another origin).
   */
  private target(url: string): Target {
    const rewrite = this.options.rewrites.find((r) => url.startsWith(r.from));
    if (rewrite) {
      const to = rewrite.to + url.slice(rewrite.from.length);
      const given = this.options.credentials;
      // the mirror a person named may ask for credentials: they go to its origin, and a redirect elsewhere drops them
      const credential = given
        ? {
            origin: new URL(rewrite.to).origin,
            authorization: `Basic ${Buffer.from(`${given.username}:${given.password}`).toString('base64')}`
          }
        : undefined;
      return { url: to, redirects: 'drop-credentials', ...(credential ? { credential } : {}) };
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PackageIndexError(`${url.slice(0, 200)} is not a URL`);
    }
    // apt sources are plain http (apt checks signatures, this reads none): Debian's and Ubuntu's archives answer on https too
    if (parsed.protocol === 'http:') parsed.protocol = 'https:';
    if (parsed.protocol !== 'https:')
      throw new PackageIndexError(`${url.slice(0, 200)} is not https: not read (a package-index-rewrite line can send it to a mirror)`);
    if (isPrivateHost(parsed.host)) throw new PackageIndexError(`${url.slice(0, 200)} is a private address: not read`);
    return { url: parsed.href, redirects: 'same-origin' };
  }

  private once<T>(url: string, read: (target: Target) => Promise<T>): Promise<T> {
    let pending = this.reads.get(url) as Promise<T> | undefined;
    if (!pending) {
      pending = (async () => read(this.target(url)))();
      this.reads.set(url, pending);
    }
    return pending;
  }

  private async fetchBytes(url: string, target: Target, post?: unknown): Promise<Buffer> {
    let answer;
    try {
      this.counts.requests++;
      answer = await this.options.http.request(
        target.url,
        { service: 'package index', timeoutMs: this.options.timeoutMs, maxBytes: this.options.maxBytes, redirects: target.redirects },
        {
          ...(target.credential ? { credential: target.credential } : {}),
          ...(post === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(post) })
        }
      );
    } catch (error) {
      throw new PackageIndexError(`${url}: ${errorMessage(error)}`, { cause: error });
    }
    this.counts.bytes += answer.body.length;
    if (answer.status !== 200) throw new PackageIndexError(`${url}: answered ${answer.status}`);
    return answer.body;
  }

  /** The packages of one `etc/apk/repositories` line's index (`<line>/x86_64/APKINDEX.tar.gz`). */
  apkIndex(repository: string): Promise<IndexRead<ApkPackage>> {
    const url = `${repository.replace(/\/+$/, '')}/x86_64/APKINDEX.tar.gz`;
    return this.once(url, async (target) => {
      const archive = await this.fetchBytes(url, target);
      try {
        return { url, ...parseApkStanzas(await apkIndexText(archive, this.options.maxBytes)) };
      } catch (error) {
        throw new PackageIndexError(`${url}: ${errorMessage(error)}`, { cause: error });
      }
    });
  }

  /** The security fixes of one Alpine branch (`v3.15`): its main and community databases together. */
  secdb(branch: string): Promise<SecurityDatabase> {
    const url = `${ALPINE_SECDB}/${branch}`;
    return this.once(url, async () => {
      const database: SecurityDatabase = new Map();
      for (const part of ['main', 'community']) {
        const partUrl = `${url}/${part}.json`;
        const body = await this.fetchBytes(partUrl, this.target(partUrl));
        try {
          parseSecdb(JSON.parse(body.toString('utf8')) as unknown, database);
        } catch (error) {
          throw new PackageIndexError(`${partUrl}: ${errorMessage(error)}`, { cause: error });
        }
      }
      return database;
    });
  }

  /** The packages of one apt source's binary index (`<uri>/dists/<suite>/<component>/binary-amd64/Packages.gz`). */
  debianIndex(source: AptSource): Promise<IndexRead<DebPackage>> {
    const url = packagesUrl(source);
    return this.once(url, async (target) => {
      const archive = await this.fetchBytes(url, target);
      try {
        const text = gunzipSync(archive, { maxOutputLength: this.options.maxBytes }).toString('utf8');
        const parsed = parseDebStanzas(text);
        if (parsed.packages.length === 0 && parsed.malformed.count > 0)
          throw new Error(`no package stanza in it can be read (${parsed.malformed.first[0] ?? ''})`);
        return { url, ...parsed };
      } catch (error) {
        throw new PackageIndexError(`${url}: ${errorMessage(error)}`, { cause: error });
      }
    });
  }

  /**
   * The vulnerability ids OSV knows for each query, in the order asked: each package at each
   * version asked once a run, in batches of at most 1,000, following a page token a few times.
   */
  async osv(queries: readonly OsvQuery[]): Promise<string[][]> {
    const key = (q: OsvQuery): string => `${OSV_QUERYBATCH}#${q.ecosystem}/${q.name}@${q.version}`;
    const unasked = [...new Map(queries.filter((q) => !this.reads.has(key(q))).map((q) => [key(q), q])).values()];
    for (let start = 0; start < unasked.length; start += OSV_BATCH) {
      const batch = unasked.slice(start, start + OSV_BATCH);
      const answers = this.osvBatch(batch);
      batch.forEach((q, i) =>
        this.reads.set(
          key(q),
          answers.then((a) => a[i] ?? [])
        )
      );
    }
    return Promise.all(queries.map((q) => this.reads.get(key(q)) as Promise<string[]>));
  }

  private async osvBatch(batch: readonly OsvQuery[]): Promise<string[][]> {
    const target = this.target(OSV_QUERYBATCH);
    const ids: string[][] = batch.map(() => []);
    let pending = batch.map((q, i) => ({ i, query: { package: { name: q.name, ecosystem: q.ecosystem }, version: q.version } }));
    for (let page = 0; page < OSV_PAGES && pending.length > 0; page++) {
      const body = await this.fetchBytes(OSV_QUERYBATCH, target, { queries: pending.map((p) => p.query) });
      let results: unknown;
      try {
        results = (JSON.parse(body.toString('utf8')) as { results?: unknown } | null)?.results;
      } catch (error) {
        throw new PackageIndexError(`${OSV_QUERYBATCH}: ${errorMessage(error)}`, { cause: error });
      }
      if (!Array.isArray(results) || results.length !== pending.length)
        throw new PackageIndexError(`${OSV_QUERYBATCH}: the answer does not hold one result per query`);
      const next: typeof pending = [];
      results.forEach((result: unknown, n) => {
        const asked = pending[n];
        if (!asked) return;
        const r = result as { vulns?: unknown; next_page_token?: unknown } | null;
        for (const v of Array.isArray(r?.vulns) ? r.vulns : [])
          if (typeof (v as { id?: unknown } | null)?.id === 'string') ids[asked.i]?.push((v as { id: string }).id);
        if (typeof r?.next_page_token === 'string' && r.next_page_token !== '')
          next.push({ i: asked.i, query: { ...asked.query, page_token: r.next_page_token } as typeof asked.query });
      });
      pending = next;
    }
    return ids;
  }

  /** Alpine's branches and their ends of life. */
  releases(): Promise<AlpineBranch[]> {
    return this.once(ALPINE_RELEASES, async (target) => {
      const body = await this.fetchBytes(ALPINE_RELEASES, target);
      try {
        return parseReleases(JSON.parse(body.toString('utf8')) as unknown);
      } catch (error) {
        throw new PackageIndexError(`${ALPINE_RELEASES}: ${errorMessage(error)}`, { cause: error });
      }
    });
  }
}

/** Package index and security database sizes: Alpine's largest index is about 3 MB, its largest secdb under 1 MB. */
export const DEFAULT_PACKAGE_INDEX_BYTES = 64 * MEGABYTE;
