import type { ApkPackage } from './apkindex.js';
import { compareApkVersions } from './versions.js';

/** One fix of Alpine's security database: the version of a source package that fixes these CVEs. */
export interface SecurityFix {
  fixed: string;
  ids: string[];
}

/** Fixes by source package (origin), from `secdb.alpinelinux.org/<branch>/{main,community}.json`. */
export type SecurityDatabase = Map<string, SecurityFix[]>;

/**
 * Alpine's secdb JSON (`{"packages":[{"pkg":{"name":…,"secfixes":{"1.1.1t-r0":["CVE-…"]}}}]}`) as
 * fixes by origin. A fixed version of `"0"` (the CVE does not affect Alpine) is left out; an id
 * with a note (`CVE-2023-1 (+ regression fix)`) keeps its id. Anything else is an error naming it.
 */
export function parseSecdb(json: unknown, into: SecurityDatabase = new Map()): SecurityDatabase {
  const packages = (json as { packages?: unknown } | null)?.packages;
  if (!Array.isArray(packages)) throw new Error('not an Alpine security database: no "packages" list');
  for (const entry of packages) {
    const pkg = (entry as { pkg?: { name?: unknown; secfixes?: unknown } } | null)?.pkg;
    if (!pkg || typeof pkg.name !== 'string' || typeof pkg.secfixes !== 'object' || pkg.secfixes === null) continue;
    const fixes = into.get(pkg.name) ?? [];
    for (const [fixed, ids] of Object.entries(pkg.secfixes as Record<string, unknown>)) {
      if (fixed === '0' || !Array.isArray(ids)) continue;
      fixes.push({ fixed, ids: ids.filter((i): i is string => typeof i === 'string').map((i) => i.trim().split(/\s+/)[0] ?? i) });
    }
    into.set(pkg.name, fixes);
  }
  return into;
}

/** The CVE ids a move of a source package from `installed` to `available` fixes: installed < fixed ≤ available. */
export function fixedBetween(fixes: readonly SecurityFix[] | undefined, installed: string, available: string): string[] {
  const ids = new Set<string>();
  for (const fix of fixes ?? []) {
    const above = compareApkVersions(installed, fix.fixed);
    const within = compareApkVersions(fix.fixed, available);
    if (above === -1 && within !== undefined && within <= 0) for (const id of fix.ids) ids.add(id);
  }
  return [...ids].sort();
}

export interface Upgrade {
  name: string;
  installed: string;
  available: string;
  /** CVE ids the upgrade fixes (by the package's origin in the security database). */
  fixes: string[];
}

/** A package with what it is and what it needs: Alpine's and Debian's alike. */
export interface PackageRelations {
  name: string;
  version: string;
  depends: readonly string[];
  provides: readonly string[];
}

/**
 * What a rebuild would install newer than the image holds: each installed package that may move
 * (`all` after an upgrade; else the named ones: the packages the Dockerfile adds, with their
 * dependencies) whose index version is newer by the distribution's order, with the CVEs that move
 * fixes. Alpine keeps one build per package and branch, and the newest across Debian's suites is
 * what apt takes, so "newer in the index" is "would upgrade".
 */
export function upgradesOf<P extends PackageRelations>(
  installed: readonly P[],
  index: ReadonlyMap<string, P>,
  movable: 'all' | ReadonlySet<string>,
  compare: (a: string, b: string) => number | undefined,
  fixes: (installed: P, available: P) => string[],
  /** Whether the package manager may install this version (apk's world constraints); any, by default. */
  allowed: (name: string, version: string) => boolean = () => true
): Upgrade[] {
  const upgrades: Upgrade[] = [];
  for (const p of installed) {
    if (movable !== 'all' && !movable.has(p.name)) continue;
    const candidate = index.get(p.name);
    if (!candidate || compare(candidate.version, p.version) !== 1 || !allowed(p.name, candidate.version)) continue;
    upgrades.push({ name: p.name, installed: p.version, available: candidate.version, fixes: fixes(p, candidate) });
  }
  return upgrades.sort((a, b) => a.name.localeCompare(b.name));
}

/** Alpine's upgrade list: by apk's order, within the world's constraints, with the CVEs of the package's origin in the branch's security database. */
export function upgradeList(
  installed: readonly ApkPackage[],
  index: ReadonlyMap<string, ApkPackage>,
  security: SecurityDatabase,
  movable: 'all' | ReadonlySet<string>,
  world: readonly string[] = []
): Upgrade[] {
  const constraints = worldConstraints(world);
  return upgradesOf(
    installed,
    index,
    movable,
    compareApkVersions,
    (p, candidate) => fixedBetween(security.get(p.origin), p.version, candidate.version),
    (name, version) => satisfies(constraints.get(name) ?? [], version)
  );
}

/** One constraint of `etc/apk/world`: `openssl<3.2`, `librdkafka-dev>1.1.0`, `curl=8.5.0-r0`, `busybox~1.36`. */
export interface WorldConstraint {
  op: '=' | '<' | '<=' | '>' | '>=' | '~';
  version: string;
}

/** The version constraints of `etc/apk/world`, by package name (a name without one, `name@tag` and `!conflict` add none). */
export function worldConstraints(world: readonly string[]): Map<string, WorldConstraint[]> {
  const constraints = new Map<string, WorldConstraint[]>();
  for (const entry of world) {
    const m = /^([^!<>=~@\s][^<>=~@\s]*)(?:@\S+?)?(<=|>=|=|<|>|~)(.+)$/.exec(entry.trim());
    if (!m) continue;
    const [, name = '', op = '=', version = ''] = m;
    constraints.set(name, [...(constraints.get(name) ?? []), { op: op as WorldConstraint['op'], version }]);
  }
  return constraints;
}

/** Whether apk may install `version` under these constraints; a constraint whose version apk cannot order does not hold it back. */
export function satisfies(constraints: readonly WorldConstraint[], version: string): boolean {
  return constraints.every(({ op, version: bound }) => {
    // fuzzy: the bound as a prefix that ends where a version component does (~1.36 takes 1.36.1, not 1.360)
    if (op === '~') return version.startsWith(bound) && !/^\d/.test(version.slice(bound.length));
    const c = compareApkVersions(version, bound);
    if (c === undefined) return true;
    return op === '=' ? c === 0 : op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
  });
}

/** The installed packages `apk add` (or `apt-get install`) of these names pulls in: the names, and their dependencies, transitively (by provides too). */
export function withDependencies(names: Iterable<string>, installed: readonly PackageRelations[]): Set<string> {
  const byName = new Map(installed.map((p) => [p.name, p]));
  const provider = new Map<string, string>();
  for (const p of installed) for (const provided of p.provides) provider.set(provided.split('=')[0] ?? provided, p.name);
  const wanted = new Set<string>();
  const queue = [...names];
  for (let next = queue.shift(); next !== undefined && wanted.size < 10_000; next = queue.shift()) {
    const name = byName.has(next) ? next : provider.get(next);
    if (!name || wanted.has(name)) continue;
    wanted.add(name);
    for (const d of byName.get(name)?.depends ?? []) if (!d.startsWith('!')) queue.push(d.split(/[<>=~]/)[0] ?? d);
  }
  return wanted;
}

/** One Alpine branch of `alpinelinux.org/releases.json`: its name (`v3.15`) and end of life. */
export interface AlpineBranch {
  branch: string;
  eol?: string;
}

/** The branches of releases.json (`release_branches[].rel_branch`, `eol_date`); `edge` is left out. */
export function parseReleases(json: unknown): AlpineBranch[] {
  const branches = (json as { release_branches?: unknown } | null)?.release_branches;
  if (!Array.isArray(branches)) throw new Error('not Alpine\'s releases.json: no "release_branches" list');
  return branches.flatMap((b): AlpineBranch[] => {
    const entry = b as { rel_branch?: unknown; eol_date?: unknown };
    if (typeof entry.rel_branch !== 'string' || entry.rel_branch === 'edge') return [];
    return [{ branch: entry.rel_branch, ...(typeof entry.eol_date === 'string' ? { eol: entry.eol_date } : {}) }];
  });
}

/** `3.15` (from `etc/alpine-release` `3.15.11`) is frozen when its end of life is past: its index will not change again. */
export function frozenBranch(branches: readonly AlpineBranch[], release: string, today: string): AlpineBranch | undefined {
  const branch = `v${release.split('.').slice(0, 2).join('.')}`;
  const found = branches.find((b) => b.branch === branch);
  return found?.eol && found.eol < today ? found : undefined;
}

/** The newest branch still supported on `today`: where "fixed in a later branch" is read from. */
export function newestSupported(branches: readonly AlpineBranch[], today: string): AlpineBranch | undefined {
  const number = (b: AlpineBranch): number[] => b.branch.replace(/^v/, '').split('.').map(Number);
  return [...branches]
    .filter((b) => !b.eol || b.eol >= today)
    .sort((a, b) => {
      const [x0 = 0, x1 = 0] = number(a);
      const [y0 = 0, y1 = 0] = number(b);
      return y0 - x0 || y1 - x1;
    })[0];
}

/**
 * What no rebuild can fix on a frozen branch: the CVEs the newest supported branch's security
 * database fixes, for a package the image holds (by origin), at a version newer than the image's.
 */
export function unfixable(
  installed: readonly ApkPackage[],
  newer: SecurityDatabase,
  own: SecurityDatabase = new Map()
): Map<string, string[]> {
  const byPackage = new Map<string, string[]>();
  const origins = new Map<string, string>();
  for (const p of installed) if (!origins.has(p.origin)) origins.set(p.origin, p.version);
  for (const [origin, version] of origins) {
    // a CVE the image's own branch fixed at or below the version it holds is fixed already
    const held = new Set((own.get(origin) ?? []).filter((f) => (compareApkVersions(f.fixed, version) ?? 1) <= 0).flatMap((f) => f.ids));
    const ids = new Set<string>();
    for (const fix of newer.get(origin) ?? [])
      if (compareApkVersions(version, fix.fixed) === -1) for (const id of fix.ids) if (!held.has(id)) ids.add(id);
    if (ids.size > 0) byPackage.set(origin, [...ids].sort());
  }
  return byPackage;
}
