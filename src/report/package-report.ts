import type { BuildResult } from '../dispatch/build-result.js';
import { OUTCOMES } from './outcomes.js';
import type { Plan } from '../plan/plan.js';
import type { PackageEvidence } from '../packages/package-evidence.js';
import { planBuilds } from '../plan/plan.js';
import { parseImageReference, shortImageName } from '../registry/image-reference.js';
import { codeSpan, htmlSummary, tableCell } from '../escape.js';
import { details, table } from './markdown.js';
import { counted, inNumber } from '../words.js';

const short = (image: string): string => {
  const ref = parseImageReference(image);
  return ref ? shortImageName(ref) : image;
};

/** The `fixes` output: each image a build to dispatch rebuilds, and the CVE ids its upgrades fix (rebuild: when-outdated). */
export function fixesOf(plan: Plan): Record<string, string[]> {
  const fixes: Record<string, string[]> = {};
  for (const build of planBuilds(plan)) {
    const packages = build.decision?.packages;
    if (!build.decision?.rebuild || !packages || packages.upgrades.length === 0) continue;
    const ids = [...new Set(packages.upgrades.flatMap((u) => u.fixes))].sort();
    for (const image of build.images) fixes[short(image)] = ids;
  }
  return fixes;
}

export interface FrozenBranch {
  eol: string;
  images: Record<string, number>;
  /** Distinct CVEs, over all its images, that only a change of base can fix. */
  cves: number;
}

/** The `frozen` output: per distribution branch past its end of life, its images and how many CVEs no rebuild can fix for each. */
export function frozenOf(plan: Plan): Record<string, FrozenBranch> {
  const frozen: Record<string, FrozenBranch & { ids: Set<string> }> = {};
  for (const build of planBuilds(plan)) {
    const f = build.decision?.packages?.frozen;
    if (!f) continue;
    const key = `alpine ${f.branch.replace(/^v/, '')}`;
    const entry = (frozen[key] ??= { eol: f.eol, images: {}, cves: 0, ids: new Set() });
    for (const image of build.images) entry.images[short(image)] = f.cves.length;
    for (const id of f.cves) entry.ids.add(id);
  }
  return Object.fromEntries(Object.entries(frozen).map(([k, { ids, ...rest }]) => [k, { ...rest, cves: ids.size }]));
}

/** `Alpine 3.15, end of life 2023-11-01: 2 images, 5 CVEs fixed in a supported branch for packages they hold`. */
export function describeFrozenBranch(branch: string, f: FrozenBranch): string {
  const name = branch.replace(/^alpine/, 'Alpine');
  return `${name}, end of life ${f.eol}: ${counted(Object.keys(f.images).length, 'image')}, ${counted(f.cves, 'CVE')} fixed in a supported branch for packages they hold`;
}

/** The summary's "Frozen: no rebuild can fix these": one folded row per branch, its images with their counts inside. */
export function frozenSection(plan: Plan): string {
  const branches = Object.entries(frozenOf(plan));
  if (branches.length === 0) return '';
  const rows = branches.map(([branch, f]) => {
    const summary = describeFrozenBranch(branch, f);
    const images = table(
      ['Image', 'CVEs only a new base fixes'],
      Object.entries(f.images).map(([image, n]) => [codeSpan(image), String(n)])
    );
    return details(summary, images);
  });
  return (
    '\n### 🧊 Frozen: no rebuild can fix these\n\n' +
    'Their distribution branch is past its end of life: its index will not change again, so a rebuild installs nothing new. ' +
    'Only a change of base, in the source, brings these fixes.\n\n' +
    `${rows.join('\n\n')}\n`
  );
}

/**
 * `Rebuilds fixed 3 CVEs in 2 images (verified in 2)`: the night's package upgrades, counted over
 * the images whose build succeeded; verified: the rebuilt images read again hold them.
 */
export function describeFixed(plan: Plan, results: readonly BuildResult[]): string | undefined {
  const succeeded = new Map(results.filter((r) => OUTCOMES[r.outcome].succeeded).map((r) => [`${r.image}:${r.tag}`, r]));
  const rebuilt = Object.entries(fixesOf(plan)).filter(([image]) => succeeded.has(image));
  if (rebuilt.length === 0) return undefined;
  // an image read again without its upgrades fixed nothing: it is counted apart, never in what was fixed
  const stateOf = (image: string) => succeeded.get(image)?.verification?.state;
  const fixed = rebuilt.filter(([image]) => stateOf(image) !== 'missing');
  const missing = rebuilt.length - fixed.length;
  const cves = new Set(fixed.flatMap(([, ids]) => ids)).size;
  const verified = fixed.filter(([image]) => stateOf(image) === 'verified').length;
  const total =
    fixed.length > 0 ? `Rebuilds fixed ${counted(cves, 'CVE')} in ${counted(fixed.length, 'image')} (verified in ${verified}).` : '';
  const notInstalled =
    missing > 0
      ? `${counted(missing, 'image')} rebuilt for upgrades did not install them, and ${inNumber(missing, 'stays', 'stay')} outdated.`
      : '';
  return [total, notInstalled].filter(Boolean).join(' ');
}

/** Upgrades listed in a table cell at most; the plan file holds them all. */
const UPGRADES_IN_A_CELL = 15;

/**
 * A build's upgrades, folded inside a table cell: "3 packages, 2 CVEs", then each package with its
 * move and the CVEs it fixes. One line (a table cell holds no newline); empty without upgrades.
 */
export function upgradesCell(packages: PackageEvidence | undefined): string {
  const upgrades = packages?.upgrades ?? [];
  if (upgrades.length === 0) return '';
  const cves = new Set(upgrades.flatMap((u) => u.fixes)).size;
  const lines = upgrades
    .slice(0, UPGRADES_IN_A_CELL)
    .map((u) => tableCell(`${u.name} ${u.installed} → ${u.available}${u.fixes.length > 0 ? `: ${u.fixes.join(', ')}` : ''}`, 300));
  if (upgrades.length > UPGRADES_IN_A_CELL) lines.push(`… and ${upgrades.length - UPGRADES_IN_A_CELL} more (in the plan file)`);
  // the counts are the reason's, on the line above: the fold holds what it does not say, each package's move and CVE ids
  return `<details><summary>${htmlSummary(cves > 0 ? 'the packages and their CVEs' : 'the packages')}</summary>${lines.join('<br>')}</details>`;
}

/** Each image a build was dispatched for with upgrades, and its folded upgrade list: the night's rows link to what they fix. */
export function upgradeCellsOf(plan: Plan): Map<string, string> {
  const cells = new Map<string, string>();
  for (const build of planBuilds(plan)) {
    const cell = build.decision?.rebuild ? upgradesCell(build.decision.packages) : '';
    if (cell) for (const image of build.images) cells.set(image, cell);
  }
  return cells;
}
