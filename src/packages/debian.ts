import { compareDebianVersions } from './versions.js';

/**
 * Debian's and Ubuntu's package stanzas: `Field: value` lines (a line starting with a space goes
 * on the field before it), one blank line between packages. The same format is the index
 * (`dists/<suite>/<component>/binary-amd64/Packages.gz`) and an image's database
 * (`var/lib/dpkg/status`, or one file a package under `status.d/` on distroless images).
 */
export interface DebPackage {
  /** `Package:` */
  name: string;
  /** `Version:` */
  version: string;
  /** `Source:`: the source package (the name OSV uses); the name when absent. */
  source: string;
  /** The source's version: `Source: openssl (3.0.11-1~deb12u1)` on a binary rebuild, else the version. */
  sourceVersion: string;
  /** `Depends:` and `Pre-Depends:`, as bare names: versions, architectures and alternatives' bars dropped. */
  depends: string[];
  /** `Provides:`, as bare names. */
  provides: string[];
}

export interface ParsedDebStanzas {
  packages: DebPackage[];
  /** Stanzas without a name or a version, or with a version Debian cannot order: counted, and the first few named. */
  malformed: { count: number; first: string[] };
}

/** `[epoch:]upstream[-revision]` as Policy §5.6.12 allows it. */
const DEBIAN_VERSION = /^(\d+:)?[0-9A-Za-z][0-9A-Za-z.+~:-]*$/;

/** The fields of one stanza, continuation lines joined to their field. */
function fieldsOf(stanza: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const line of stanza.split('\n')) {
    if (/^[ \t]/.test(line) && last !== undefined) {
      fields.set(last, `${fields.get(last) ?? ''}\n${line.trim()}`);
      continue;
    }
    const m = /^([A-Za-z0-9][A-Za-z0-9-]*):\s*(.*)$/.exec(line);
    if (!m) continue;
    last = (m[1] ?? '').toLowerCase();
    if (!fields.has(last)) fields.set(last, (m[2] ?? '').trim());
  }
  return fields;
}

/** `libc6 (>= 2.34), libssl3:any | libssl1.1` → `libc6 libssl3 libssl1.1`. */
const names = (relations: string | undefined): string[] =>
  (relations ?? '')
    .split(/[,|]/)
    .map((r) => r.trim().split(/[\s(:[]/)[0] ?? '')
    .filter(Boolean);

/**
 * Every stanza of a Packages index or a dpkg database; a malformed one is counted, not thrown.
 * `installedOnly`: a database's packages whose `Status:` is not `… installed` (removed, with their
 * configuration left) are not installed, and are left out.
 */
export function parseDebStanzas(text: string, installedOnly = false): ParsedDebStanzas {
  const packages: DebPackage[] = [];
  const malformed = { count: 0, first: [] as string[] };
  for (const stanza of text.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/)) {
    if (stanza.trim() === '') continue;
    const fields = fieldsOf(stanza);
    const name = fields.get('package');
    const version = fields.get('version');
    if (!name || !version || !DEBIAN_VERSION.test(version)) {
      malformed.count++;
      if (malformed.first.length < 3) malformed.first.push(stanza.trim().split('\n').slice(0, 2).join(' ').slice(0, 120));
      continue;
    }
    if (installedOnly && fields.has('status') && !/\binstalled$/.test(fields.get('status') ?? '')) continue;
    const source = /^(\S+)(?:\s+\(([^)]+)\))?/.exec(fields.get('source') ?? '');
    packages.push({
      name,
      version,
      source: source?.[1] ?? name,
      sourceVersion: source?.[2] ?? version,
      depends: [...names(fields.get('pre-depends')), ...names(fields.get('depends'))],
      provides: names(fields.get('provides'))
    });
  }
  return { packages, malformed };
}

/** The newest version of each package name across an image's suites (`bookworm`, `bookworm-updates`, `bookworm-security`). */
export function newestDebByName(packages: readonly DebPackage[]): Map<string, DebPackage> {
  const newest = new Map<string, DebPackage>();
  for (const p of packages) {
    const known = newest.get(p.name);
    if (!known || compareDebianVersions(p.version, known.version) > 0) newest.set(p.name, p);
  }
  return newest;
}

/** `etc/os-release` (or `usr/lib/os-release`): `KEY=value` lines, values maybe quoted. */
export function parseOsRelease(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) values.set(m[1] ?? '', (m[2] ?? '').replace(/^(["'])(.*)\1$/, '$2'));
  }
  return values;
}

/** A Debian or Ubuntu release, as os-release names it, and its OSV ecosystem. */
export interface DebianRelease {
  distribution: 'debian' | 'ubuntu';
  /** `12`, `22.04`. */
  release: string;
  /** `Debian:12`, `Ubuntu:22.04:LTS`. */
  ecosystem: string;
}

/** The release of an os-release, when it is Debian's or Ubuntu's (a derivative through `ID_LIKE` is not: its packages are its own). */
export function debianRelease(osRelease: string): DebianRelease | undefined {
  const values = parseOsRelease(osRelease);
  const id = values.get('ID');
  const release = values.get('VERSION_ID');
  if (!release) return undefined;
  if (id === 'debian') return { distribution: 'debian', release, ecosystem: `Debian:${release.split('.')[0] ?? release}` };
  if (id === 'ubuntu') {
    const lts = /\bLTS\b/.test(values.get('VERSION') ?? '');
    return { distribution: 'ubuntu', release, ecosystem: `Ubuntu:${release}${lts ? ':LTS' : ''}` };
  }
  return undefined;
}

/** One index an image's apt reads: `<uri>/dists/<suite>/<component>/binary-amd64/Packages.gz`. */
export interface AptSource {
  uri: string;
  suite: string;
  component: string;
}

/**
 * The binary indexes of an image's apt sources: one-line `sources.list` and `*.list` files
 * (`deb [options] uri suite component…`) and deb822 `*.sources` files (`Types:`, `URIs:`,
 * `Suites:`, `Components:`, `Enabled:`). Source indexes (`deb-src`) and flat repositories (a suite
 * ending in `/`, no components) are left out: apt installs nothing from the first, and the second
 * has no `dists/` tree.
 */
export function aptSources(files: readonly { path: string; text: string }[]): AptSource[] {
  const sources: AptSource[] = [];
  const add = (uri: string, suite: string, component: string): void => {
    const entry = { uri: uri.replace(/\/+$/, ''), suite, component };
    if (suite.endsWith('/')) return;
    if (!sources.some((s) => s.uri === entry.uri && s.suite === suite && s.component === component)) sources.push(entry);
  };
  for (const { path, text } of files) {
    if (path.endsWith('.sources')) {
      for (const stanza of text.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/)) {
        const fields = fieldsOf(stanza.replace(/^#.*$/gm, ''));
        if (!(fields.get('types') ?? '').split(/\s+/).includes('deb')) continue;
        if (/^(no|false|0)$/i.test(fields.get('enabled') ?? 'yes')) continue;
        const words = (key: string): string[] => (fields.get(key) ?? '').split(/\s+/).filter(Boolean);
        for (const uri of words('uris')) for (const suite of words('suites')) for (const c of words('components')) add(uri, suite, c);
      }
      continue;
    }
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*$/, '').trim();
      const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$/.exec(line);
      if (!m) continue;
      for (const component of (m[3] ?? '').split(/\s+/).filter(Boolean)) add(m[1] ?? '', m[2] ?? '', component);
    }
  }
  return sources;
}

/** Where a source's binary index is. */
export const packagesUrl = (source: AptSource): string =>
  `${source.uri}/dists/${source.suite}/${source.component}/binary-amd64/Packages.gz`;

/**
 * The CVE ids of OSV's Debian and Ubuntu records: `DEBIAN-CVE-2023-0286` and `UBUNTU-CVE-2023-0286`
 * are `CVE-2023-0286`. Advisories (`DSA-`, `DLA-`, `USN-`) are left out: OSV has a record per CVE
 * beside them, and counting both would count one fix twice.
 */
export function cveIds(ids: readonly string[]): string[] {
  const cves = new Set<string>();
  for (const id of ids) {
    const m = /^(?:(?:DEBIAN|UBUNTU)-)?(CVE-\d{4}-\d+)$/.exec(id);
    if (m?.[1]) cves.add(m[1]);
  }
  return [...cves].sort();
}
