import { MEGABYTE } from '../bytes.js';
import { errorMessage } from '../errors.js';
import type { OriginBoundFetch, RedirectPolicy } from '../http/origin-bound-fetch.js';
import { isPrivateHost } from '../registry/image-reference.js';
import { apkIndexText, parseApkStanzas, type ApkPackage } from './apkindex.js';
import { parseReleases, parseSecdb, type AlpineBranch, type SecurityDatabase } from './upgrades.js';

/** Where Alpine publishes what a rebuild decision reads, before `package-index-rewrite`. */
export const ALPINE_SECDB = 'https://secdb.alpinelinux.org';
export const ALPINE_RELEASES = 'https://alpinelinux.org/releases.json';

export interface PackageIndexOptions {
  http: OriginBoundFetch;
  /** `package-index-rewrite`: a URL starting with `from` is read from `to` instead (a mirror; 127.0.0.1 in tests). */
  rewrites: readonly { from: string; to: string }[];
  timeoutMs: number;
  maxBytes: number;
}

/** Where one URL is read, and which redirects it may follow. */
interface Target {
  url: string;
  redirects: RedirectPolicy;
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
    if (rewrite) return { url: rewrite.to + url.slice(rewrite.from.length), redirects: 'drop-credentials' };
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PackageIndexError(`${url.slice(0, 200)} is not a URL`);
    }
    if (parsed.protocol !== 'https:')
      throw new PackageIndexError(`${url.slice(0, 200)} is not https: not read (a package-index-rewrite line can send it to a mirror)`);
    if (isPrivateHost(parsed.host)) throw new PackageIndexError(`${url.slice(0, 200)} is a private address: not read`);
    return { url, redirects: 'same-origin' };
  }

  private once<T>(url: string, read: (target: Target) => Promise<T>): Promise<T> {
    let pending = this.reads.get(url) as Promise<T> | undefined;
    if (!pending) {
      pending = (async () => read(this.target(url)))();
      this.reads.set(url, pending);
    }
    return pending;
  }

  private async fetchBytes(url: string, target: Target): Promise<Buffer> {
    let answer;
    try {
      this.counts.requests++;
      answer = await this.options.http.request(target.url, {
        service: 'package index',
        timeoutMs: this.options.timeoutMs,
        maxBytes: this.options.maxBytes,
        redirects: target.redirects
      });
    } catch (error) {
      throw new PackageIndexError(`${url}: ${errorMessage(error)}`, { cause: error });
    }
    this.counts.bytes += answer.body.length;
    if (answer.status !== 200) throw new PackageIndexError(`${url}: answered ${answer.status}`);
    return answer.body;
  }

  /** The packages of one `etc/apk/repositories` line's index (`<line>/x86_64/APKINDEX.tar.gz`). */
  apkIndex(repository: string): Promise<ApkPackage[]> {
    const url = `${repository.replace(/\/+$/, '')}/x86_64/APKINDEX.tar.gz`;
    return this.once(url, async (target) => {
      const archive = await this.fetchBytes(url, target);
      try {
        return parseApkStanzas(await apkIndexText(archive, this.options.maxBytes)).packages;
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
