import { errorMessage } from '../errors.js';
import type { PlannedBuild } from '../plan/plan.js';
import { parseImageReference, type ImageReference } from '../registry/image-reference.js';
import { newestByName, type ApkPackage } from './apkindex.js';
import { aptSources, cveIds, debianRelease, newestDebByName, parseDebStanzas, type DebPackage } from './debian.js';
import { dockerfilePackages, type DockerfilePackages } from './dockerfile-packages.js';
import { readImagePackages, type ImagePackages, type LayerCache, type LayerLimits, type LayerSource } from './image-packages.js';
import type { IndexRead, PackageIndexes } from './package-indexes.js';
import { counted } from '../words.js';
import {
  frozenBranch,
  newestSupported,
  unfixable,
  upgradeList,
  upgradesOf,
  withDependencies,
  type PackageRelations,
  type SecurityDatabase
} from './upgrades.js';
import { compareDebianVersions } from './versions.js';

/** What a rebuild would install, as the plan keeps it (plan.schema.json, a decision's `packages`). */
export type PackageEvidence = NonNullable<NonNullable<PlannedBuild['decision']>['packages']>;

export interface PackageReading {
  layers: LayerSource;
  indexes: Pick<PackageIndexes, 'apkIndex' | 'secdb' | 'releases' | 'debianIndex' | 'osv'>;
  limits: LayerLimits;
  /** Layers read this run, by digest: each is read once, whatever number of images share it. */
  layerCache: LayerCache;
  /** The job's day (UTC, YYYY-MM-DD): a branch past its end of life is frozen. */
  today: string;
}

const unmodelled = (why: string, rest: Partial<PackageEvidence> = {}): PackageEvidence => ({
  modelled: false,
  why,
  upgrades: [],
  unmodelled: [],
  ...rest
});

/** What a warning adds when an index cannot be read, and when a security database (or OSV) cannot. */
const INDEX_UNREADABLE = 'its images are not modelled, and dates decide';
const FIXES_UNKNOWN = 'the upgrades of its images are known, the CVEs they fix are not';

/** An index with stanzas that cannot be read: one warning naming it (the caller says each message once a run). */
function warnOfMalformed(list: IndexRead<unknown>, warn: (message: string) => void): void {
  if (list.malformed.count === 0) return;
  warn(
    `${list.url}: ${counted(list.malformed.count, 'package stanza')} cannot be read (${list.malformed.first.join('; ')}): ` +
      'left out, so an upgrade of what they name is not seen'
  );
}

/** Which installed packages a rebuild may move: every one after an upgrade; after adds only, those added and their dependencies. */
function movableOf(ops: DockerfilePackages, added: Iterable<string>, installed: readonly PackageRelations[]): 'all' | Set<string> {
  if (ops.classification === 'upgrade') return 'all';
  return ops.classification === 'add-only' ? withDependencies(added, installed) : new Set<string>();
}

/** The evidence of an image whose indexes were read: modelled unless its Dockerfile fetches what no index models. */
function read(
  ops: DockerfilePackages,
  base: Partial<PackageEvidence>,
  upgrades: PackageEvidence['upgrades'],
  rest: Partial<PackageEvidence> = {}
): PackageEvidence {
  return {
    ...base,
    modelled: ops.unmodelled.length === 0,
    ...(ops.unmodelled.length > 0 ? { why: `its Dockerfile fetches what no index models (${ops.unmodelled[0] ?? ''})` } : {}),
    unmodelled: ops.unmodelled,
    upgrades,
    ...rest
  };
}

/** Not modelled for what the image itself holds (a layer, a file, a database): the caller names the image. */
type Unreadable = (why: string, rest: Partial<PackageEvidence>) => PackageEvidence;

/** The evidence of one image, and what could not be read for it (an index, a database): a warning each, said once a run by the caller. */
export interface PackageReadingResult {
  evidence: PackageEvidence;
  warnings: string[];
  /** Why what the image itself holds (a layer, a file, its database) cannot be read: the caller says these together, once. */
  unreadable?: string;
}

/**
 * What a rebuild of one image would change: its Dockerfile's final chain says which packages may
 * move; its layers, what it holds; the index of each of its repositories, what is there now; the
 * security database of its branch, which CVEs each move fixes. Anything that cannot be read leaves
 * it unmodelled, with the reason, and the decision falls back to dates.
 */
export async function packageEvidence(
  reading: PackageReading,
  image: ImageReference,
  dockerfile: string | undefined
): Promise<PackageReadingResult> {
  const warnings: string[] = [];
  let unreadable: string | undefined;
  // the Dockerfile's final chain, classified once: what may move, and the base that may float
  const ops = dockerfile === undefined ? undefined : dockerfilePackages(dockerfile);
  const evidence = await readEvidence(
    reading,
    image,
    ops,
    (message) => warnings.push(message),
    (why) => (unreadable = why)
  );
  const floating = ops?.base && evidence.release ? await floatingBase(reading, ops.base, evidence) : undefined;
  return { evidence: floating ? { ...evidence, floating } : evidence, warnings, ...(unreadable ? { unreadable } : {}) };
}

/** A tag that moves from one distribution branch to the next: a major alone (`alpine:3`), `latest`, `stable`, or none. */
export function isFloatingTag(reference: string): boolean {
  // no tag is `latest`; a digest never floats
  const ref = parseImageReference(reference);
  return ref !== undefined && /^(\d+|latest|stable)$/.test(ref.reference);
}

/** The branch of a release: Alpine's `3.22` of `3.22.2`, Debian's `12` of `12`, Ubuntu's `22.04`. */
const branchOf = (distribution: string | undefined, release: string): string =>
  distribution === 'alpine'
    ? release.split('.').slice(0, 2).join('.')
    : distribution === 'debian'
      ? (release.split('.')[0] ?? release)
      : release;

/**
 * A floating base (`alpine:3`) that now resolves to another branch than the one the image was built
 * on is itself a change a rebuild brings: "alpine:3 now resolves to 3.23; the image was built on
 * 3.22". The base's own release file says where it resolves; a base that cannot be read says nothing.
 */
async function floatingBase(
  reading: PackageReading,
  base: string,
  evidence: PackageEvidence
): Promise<PackageEvidence['floating'] | undefined> {
  const ref = parseImageReference(base);
  if (!ref || !isFloatingTag(base) || !evidence.release) return undefined;
  let contents: ImagePackages;
  try {
    contents = await readImagePackages(reading.layers, ref, reading.limits, reading.layerCache);
  } catch {
    return undefined;
  }
  const now =
    contents.kind === 'alpine'
      ? contents.release
      : contents.kind === 'debian'
        ? debianRelease(contents.osRelease ?? '')?.release
        : undefined;
  if (!now) return undefined;
  const built = branchOf(evidence.distribution, evidence.release);
  const resolves = branchOf(evidence.distribution, now);
  return resolves === built ? undefined : { base, now: resolves, built };
}

async function readEvidence(
  reading: PackageReading,
  image: ImageReference,
  ops: DockerfilePackages | undefined,
  warn: (message: string) => void,
  cannotRead: (why: string) => void
): Promise<PackageEvidence> {
  if (ops === undefined) return unmodelled('its Dockerfile is not known');
  const contents = await readImagePackages(reading.layers, image, reading.limits, reading.layerCache);
  const steps = { classification: ops.classification, unmodelled: ops.unmodelled };
  // what the image itself does not let be read: said by the caller, with the other images of the run; max-age decides it
  const unreadable: Unreadable = (why, rest) => {
    cannotRead(why);
    return unmodelled(why, rest);
  };
  if (contents.kind === 'unmodelled') return unreadable(contents.reason, steps);
  if (contents.kind === 'debian') return debianEvidence(reading, contents, ops, warn, unreadable);
  if (contents.kind === 'no-database')
    return ops.classification === 'none' && ops.unmodelled.length === 0
      ? { modelled: true, upgrades: [], ...steps }
      : unreadable('the image holds no package database, yet its Dockerfile runs package operations', steps);
  const { installed, release } = contents;
  if (!release) return unreadable('the image has no etc/alpine-release', steps);
  if (contents.malformed.count > 0)
    return unreadable(
      `its package database (layer ${contents.layer}) has ${counted(contents.malformed.count, 'stanza')} that cannot be read (${contents.malformed.first.join('; ')})`,
      steps
    );
  const branch = `v${release.split('.').slice(0, 2).join('.')}`;
  const base = { distribution: 'alpine' as const, release, layer: contents.layer, ...steps };
  const index = new Map<string, ApkPackage>();
  try {
    const lists = await Promise.all(contents.repositories.map((line) => reading.indexes.apkIndex(line)));
    for (const list of lists) warnOfMalformed(list, warn);
    for (const [name, p] of newestByName(lists.flatMap((l) => l.packages))) index.set(name, p);
  } catch (error) {
    warn(`${errorMessage(error)}: ${INDEX_UNREADABLE}`);
    return unmodelled(errorMessage(error), base);
  }
  if (contents.repositories.length === 0) return unreadable('the image names no repository in etc/apk/repositories', base);
  let own: SecurityDatabase = new Map();
  try {
    own = await reading.indexes.secdb(branch);
  } catch (error) {
    warn(`${errorMessage(error)}: ${FIXES_UNKNOWN}`);
  }
  const movable = movableOf(ops, contents.world, installed);
  const upgrades = upgradeList(installed, index, own, movable, contents.world);
  let frozen: PackageEvidence['frozen'];
  try {
    const branches = await reading.indexes.releases();
    const past = frozenBranch(branches, release, reading.today);
    const newest = newestSupported(branches, reading.today);
    if (past?.eol && newest && newest.branch !== past.branch) {
      const cves = [...new Set([...unfixable(installed, await reading.indexes.secdb(newest.branch), own).values()].flat())].sort();
      frozen = { branch: past.branch, eol: past.eol, cves };
    }
  } catch (error) {
    warn(`${errorMessage(error)}: whether its images' branch is past its end of life is not known`);
  }
  return read(ops, base, upgrades, frozen ? { frozen } : {});
}

/**
 * What a rebuild of a Debian or Ubuntu image would change: its dpkg database against the binary
 * indexes of its apt sources (the newest across its suites), and the CVEs each move fixes by OSV:
 * those that affect the source package at the installed version and not at the available one.
 */
async function debianEvidence(
  reading: PackageReading,
  contents: Extract<ImagePackages, { kind: 'debian' }>,
  ops: DockerfilePackages,
  warn: (message: string) => void,
  unreadable: Unreadable
): Promise<PackageEvidence> {
  const steps = { classification: ops.classification, unmodelled: ops.unmodelled, layer: contents.layer };
  const release = debianRelease(contents.osRelease ?? '');
  if (!release) return unreadable('the image has no etc/os-release naming Debian or Ubuntu and its version', steps);
  const base = { distribution: release.distribution, release: release.release, ...steps };
  const parsed = parseDebStanzas(contents.status, true);
  if (parsed.packages.length === 0 || parsed.malformed.count > 0)
    return unreadable(
      `its dpkg database (layer ${contents.layer}) has ${counted(parsed.malformed.count, 'stanza')} that cannot be read (${parsed.malformed.first.join('; ') || 'it is empty'})`,
      base
    );
  const sources = aptSources(contents.sources);
  if (sources.length === 0) return unreadable('the image names no apt source (etc/apt/sources.list, sources.list.d)', base);
  let index: Map<string, DebPackage>;
  try {
    const lists = await Promise.all(sources.map((s) => reading.indexes.debianIndex(s)));
    for (const list of lists) warnOfMalformed(list, warn);
    index = newestDebByName(lists.flatMap((l) => l.packages));
  } catch (error) {
    warn(`${errorMessage(error)}: ${INDEX_UNREADABLE}`);
    return unmodelled(errorMessage(error), base);
  }
  const installed = parsed.packages;
  const movable = movableOf(ops, ops.added, installed);
  const moves = upgradesOf(installed, index, movable, compareDebianVersions, () => []);
  // the CVEs of a move: OSV's records of its source package at the installed version, less those still there at the available one
  const fixes = new Map<string, string[]>();
  try {
    const pairs = moves.flatMap((u) => {
      const from = installed.find((p) => p.name === u.name);
      const to = index.get(u.name);
      return from && to ? [{ name: u.name, from, to }] : [];
    });
    const answers = await reading.indexes.osv(
      pairs.flatMap(({ from, to }) => [
        { ecosystem: release.ecosystem, name: from.source, version: from.sourceVersion },
        { ecosystem: release.ecosystem, name: to.source, version: to.sourceVersion }
      ])
    );
    pairs.forEach(({ name }, i) => {
      const still = new Set(cveIds(answers[2 * i + 1] ?? []));
      fixes.set(
        name,
        cveIds(answers[2 * i] ?? []).filter((id) => !still.has(id))
      );
    });
  } catch (error) {
    warn(`${errorMessage(error)}: ${FIXES_UNKNOWN}`);
  }
  return read(
    ops,
    base,
    moves.map((u) => ({ ...u, fixes: fixes.get(u.name) ?? [] }))
  );
}

/** `3 packages would upgrade (openssl 1.1.1t-r0 → 1.1.1w-r1, …), fixing 2 CVEs`: the decision's reason. */
export function describeUpgrades(evidence: PackageEvidence): string {
  const shown = evidence.upgrades
    .slice(0, 3)
    .map((u) => `${u.name} ${u.installed} → ${u.available}`)
    .join(', ');
  const more = evidence.upgrades.length > 3 ? ', …' : '';
  const cves = new Set(evidence.upgrades.flatMap((u) => u.fixes)).size;
  const n = evidence.upgrades.length;
  return `${n} ${n === 1 ? 'package' : 'packages'} would upgrade (${shown}${more})${cves > 0 ? `, fixing ${cves} ${cves === 1 ? 'CVE' : 'CVEs'}` : ''}`;
}
