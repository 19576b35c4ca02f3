import type { BuildResult } from '../dispatch/build-result.js';

/** What a report covers: the product stream and its release branches, in plan order (a plan, or merged results files). */
export interface ReportScope {
  org: string;
  productStreamRepo: string;
  branches: readonly { branch: string }[];
}

/** What one release branch of the product stream got from this run. */
export interface ReleaseRollup {
  branch: string;
  /** Images the branch ships that this run covers. */
  images: number;
  rebuilt: number;
  rebuiltOnRetry: number;
  /** Builds that ran and did not succeed, or whose run was never found or never ended. */
  failed: number;
  notDispatched: number;
  /** Skipped by GitHub (neutral, skipped). */
  skipped: number;
}

/** One row per planned branch, in plan order: how its images fared (an image shipped by two branches counts in both). */
export function rollupByRelease(plan: Pick<ReportScope, 'branches'>, results: readonly BuildResult[]): ReleaseRollup[] {
  return plan.branches.map(({ branch }) => {
    const shipped = results.filter((r) => r.branches.includes(branch));
    const count = (...outcomes: BuildResult['outcome'][]): number => shipped.filter((r) => outcomes.includes(r.outcome)).length;
    return {
      branch,
      images: shipped.length,
      rebuilt: count('succeeded'),
      rebuiltOnRetry: count('succeeded-on-retry'),
      failed: count('failed', 'cancelled', 'timed-out', 'unmatched', 'running'),
      notDispatched: count('not-dispatched'),
      skipped: count('skipped')
    };
  });
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
