import type { BuildResult } from '../dispatch/build-result.js';
import { OUTCOMES, type RollupColumn } from './outcomes.js';

/** What a report covers: the product stream and its release branches, in plan order (a plan, or merged results files). */
export interface ReportScope {
  org: string;
  productStreamRepo: string;
  branches: readonly { branch: string }[];
}

/** What one release branch of the product stream got from this run: its images, counted by rollup column. */
export type ReleaseRollup = Record<RollupColumn, number> & {
  branch: string;
  /** Images the branch ships that this run covers. */
  images: number;
};

/** One row per planned branch, in plan order: how its images fared (an image shipped by two branches counts in both). */
export function rollupByRelease(plan: Pick<ReportScope, 'branches'>, results: readonly BuildResult[]): ReleaseRollup[] {
  return plan.branches.map(({ branch }) => {
    const shipped = results.filter((r) => r.branches.includes(branch));
    const row: ReleaseRollup = { branch, images: shipped.length, ...emptyColumns() };
    for (const r of shipped) row[OUTCOMES[r.outcome].rollup]++;
    return row;
  });
}

function emptyColumns(): Record<RollupColumn, number> {
  return { rebuilt: 0, rebuiltOnRetry: 0, alreadyBuilt: 0, upToDate: 0, skipped: 0, acknowledged: 0, failed: 0, notDispatched: 0 };
}

/**
 * The registry path every image shares (`artifactory.algol60.net/csm-docker/stable/`), to show it
 * once instead of in every row; empty when the images do not share one.
 */
export function commonRegistryPath(images: readonly string[]): string {
  if (images.length === 0) return '';
  const folders = images.map((i) => i.slice(0, i.lastIndexOf('/') + 1));
  let prefix = folders[0] ?? '';
  for (const folder of folders) while (!folder.startsWith(prefix)) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('/') + 1);
  return prefix;
}
