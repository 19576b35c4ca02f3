import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { basicAuthOf, listen, readBody, type RunningServer } from './http.js';

/** A tar of these files; without its end-of-archive blocks when `fragment` (apk's signature tar is one). */
export async function tarOf(files: Record<string, string>, fragment = false): Promise<Buffer> {
  const p = pack();
  for (const [name, content] of Object.entries(files)) p.entry({ name }, content);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  const tar = Buffer.concat(chunks);
  return fragment ? tar.subarray(0, tar.length - 1024) : tar;
}

/** An installed database (`lib/apk/db/installed`) of these packages (`name version origin`). */
export function apkDatabase(packages: readonly [string, string, string?][]): string {
  return packages.map(([name, version, origin]) => `P:${name}\nV:${version}\no:${origin ?? name}\n`).join('\n');
}

/**
 * A real tar.gz layer of an Alpine image: its release, its branch's main repository, its world and
 * its installed database, and any other files given.
 */
export async function alpineLayer(
  release: string,
  packages: readonly [string, string, string?][],
  extra: Record<string, string> = {}
): Promise<Buffer> {
  const branch = `v${release.split('.').slice(0, 2).join('.')}`;
  return gzipSync(
    await tarOf({
      'etc/alpine-release': `${release}\n`,
      'etc/apk/repositories': `https://dl-cdn.alpinelinux.org/alpine/${branch}/main\n`,
      'etc/apk/world': 'alpine-baselayout busybox\n',
      'lib/apk/db/installed': apkDatabase(packages),
      ...extra
    })
  );
}

/** A real two-stream `APKINDEX.tar.gz` holding these packages (`name version origin`). */
export async function apkIndexArchive(packages: readonly [string, string, string?][]): Promise<Buffer> {
  const text = packages.map(([name, version, origin]) => `P:${name}\nV:${version}\no:${origin ?? name}\nt:1760000000\n`).join('\n');
  return Buffer.concat([
    gzipSync(await tarOf({ '.SIGN.RSA.alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub': 'signature' }, true)),
    gzipSync(await tarOf({ DESCRIPTION: 'mirror', APKINDEX: text }))
  ]);
}

/** Alpine's secdb JSON of these fixes: source package → fixed version → CVE ids. */
export function secdbJson(fixes: Record<string, Record<string, string[]>>): string {
  return JSON.stringify({ packages: Object.entries(fixes).map(([name, secfixes]) => ({ pkg: { name, secfixes } })) });
}

/**
 * One Alpine branch on the mirror: its main repository's index (`/alpine/<branch>/main/…`, when
 * packages are given) and its security database (`/secdb/<branch>/{main,community}.json`), its
 * fixes in main.
 */
export async function serveAlpineBranch(
  mirror: PackageMirror,
  branch: string,
  packages: readonly [string, string, string?][] | undefined,
  fixes: Record<string, Record<string, string[]>>
): Promise<void> {
  if (packages) mirror.put(`/alpine/${branch}/main/x86_64/APKINDEX.tar.gz`, await apkIndexArchive(packages));
  mirror.put(`/secdb/${branch}/main.json`, secdbJson(fixes));
  mirror.put(`/secdb/${branch}/community.json`, secdbJson({}));
}

/** Alpine's releases.json of these branches (`v3.22` → its end of life), with `edge`. */
export function releasesJson(branches: Record<string, string>): string {
  return JSON.stringify({
    release_branches: [{ rel_branch: 'edge' }, ...Object.entries(branches).map(([rel_branch, eol_date]) => ({ rel_branch, eol_date }))]
  });
}

/** A Debian package for the builders below: `name version source? depends?`. */
export type DebianEntry = readonly [string, string, string?, string?];

/** A dpkg database (`var/lib/dpkg/status`) or a Packages index of these packages, installed. */
export function debianStanzas(packages: readonly DebianEntry[]): string {
  return packages
    .map(
      ([name, version, source, depends]) =>
        `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n` +
        `${source ? `Source: ${source}\n` : ''}${depends ? `Depends: ${depends}\n` : ''}Description: ${name}\n a package of the test world\n`
    )
    .join('\n');
}

/** A Packages.gz index of these packages. */
export const packagesGz = (packages: readonly DebianEntry[]): Buffer => gzipSync(debianStanzas(packages));

/**
 * A real tar.gz layer of a Debian 12 image: its os-release (a link from etc/, as Debian has it),
 * its deb822 sources, and its dpkg database.
 */
export async function debianLayer(packages: readonly DebianEntry[]): Promise<Buffer> {
  const p = pack();
  p.entry(
    { name: 'usr/lib/os-release' },
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'
  );
  p.entry({ name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' });
  p.entry(
    { name: 'etc/apt/sources.list.d/debian.sources' },
    'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n' +
      'Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
  );
  p.entry({ name: 'var/lib/dpkg/status' }, debianStanzas(packages));
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

/** OSV's records of a package at a version: `Debian:12/openssl@3.0.11-1~deb12u1` → ids. */
export type OsvRecords = Record<string, string[]>;

export interface PackageMirror {
  url: string;
  /** Requests by path, and bytes sent. */
  readonly requests: string[];
  readonly bytes: () => number;
  /** Serve (or replace) a file at a path. */
  put(path: string, body: Buffer | string): void;
  /** What `POST /osv/v1/querybatch` answers, as OSV does: a result per query, `{}` for none. */
  osv(records: OsvRecords): void;
  close(): Promise<void>;
}

/**
 * A loopback mirror of Alpine's package indexes, security databases and releases.json, in their
 * real formats: it answers `If-None-Match` with 304, 404 for what it does not hold, and counts
 * requests and bytes.
 */
export async function startPackageMirror(auth?: { user: string; password: string }): Promise<PackageMirror> {
  const files = new Map<string, Buffer>();
  const requests: string[] = [];
  let bytes = 0;
  let osv: OsvRecords = {};
  const server: RunningServer = await listen(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push(path);
    // a mirror that asks for credentials (Artifactory's), as Basic auth
    const given = basicAuthOf(req);
    if (auth && (given?.user !== auth.user || given.password !== auth.password)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="mirror"', 'content-type': 'text/plain' }).end('unauthorized');
      return;
    }
    if (req.method === 'POST' && path === '/osv/v1/querybatch') {
      let queries: { package?: { name?: string; ecosystem?: string }; version?: string }[];
      try {
        queries = (JSON.parse((await readBody(req)).toString('utf8')) as { queries: typeof queries }).queries;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":3,"message":"Invalid query."}');
        return;
      }
      const results = queries.map((q) => {
        const ids = osv[`${q.package?.ecosystem ?? ''}/${q.package?.name ?? ''}@${q.version ?? ''}`] ?? [];
        return ids.length === 0 ? {} : { vulns: ids.map((id) => ({ id, modified: '2026-11-01T00:00:00Z' })) };
      });
      const body = JSON.stringify({ results });
      bytes += body.length;
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      return;
    }
    const body = files.get(path);
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    bytes += body.length;
    res.writeHead(200, { etag, 'content-length': body.length }).end(body);
  });
  return {
    url: server.url,
    requests,
    bytes: () => bytes,
    put: (path, body) => files.set(path, Buffer.from(body)),
    osv: (records) => {
      osv = records;
    },
    close: () => server.close()
  };
}
