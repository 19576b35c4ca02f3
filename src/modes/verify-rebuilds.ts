import pLimit from 'p-limit';
import type { BuildResult } from '../dispatch/build-result.js';
import { errorMessage } from '../errors.js';
import type { Problem } from '../log.js';
import { checkUpgrades, describeMissing, type ReadRebuilt, type Verification } from '../packages/verify-upgrades.js';
import type { Upgrade } from '../packages/upgrades.js';
import { planBuilds, type Plan } from '../plan/plan.js';
import { OUTCOMES } from '../report/outcomes.js';

/** Rebuilt images read at once. */
const CONCURRENT_READS = 4;

export const MISSING_UPGRADES_KIND = 'Rebuilds that did not install the upgrades they were dispatched for';

/** The upgrades each image's build was dispatched for, by full image: only builds a package decision rebuilt. */
function predictedUpgrades(plan: Plan): Map<string, Upgrade[]> {
  const predicted = new Map<string, Upgrade[]>();
  for (const build of planBuilds(plan)) {
    const upgrades = build.decision?.rebuild ? (build.decision.packages?.upgrades ?? []) : [];
    if (upgrades.length > 0) for (const image of build.images) predicted.set(image, upgrades);
  }
  return predicted;
}

/**
 * Proof that the fix shipped: each image whose build was dispatched for package upgrades and
 * succeeded is read again, and its result says whether the upgrades landed. One that did not is one
 * warning naming the image, the packages and the likely causes; it stays outdated, so the next
 * night dispatches it again. Reads stop at the deadline (the job's time limit); what is not read
 * by then is `unknown`.
 */
export async function verifyRebuilds(
  plan: Plan,
  results: readonly BuildResult[],
  read: ReadRebuilt,
  timeLeft: () => number
): Promise<{ results: BuildResult[]; problems: Problem[] }> {
  const predicted = predictedUpgrades(plan);
  const limit = pLimit(CONCURRENT_READS);
  const problems: Problem[] = [];
  const verified = await Promise.all(
    results.map((r) =>
      limit(async (): Promise<BuildResult> => {
        const upgrades = predicted.get(r.fullImage);
        if (!upgrades || !OUTCOMES[r.outcome].succeeded || r.via === 'recent') return r;
        let verification: Verification;
        if (timeLeft() <= 0) verification = { state: 'unknown', why: 'the time limit passed before it was read' };
        else {
          try {
            verification = checkUpgrades(upgrades, await read(r.fullImage));
          } catch (error) {
            verification = { state: 'unknown', why: errorMessage(error) };
          }
        }
        if (verification.state === 'missing')
          problems.push({
            severity: 'warning',
            kind: MISSING_UPGRADES_KIND,
            message:
              `${r.fullImage}: rebuilt, but ${describeMissing(verification)}: ` +
              'a build cache (a cache-from, or a layer cached before the index moved) or a package mirror behind the index is the likely cause; ' +
              'the image is still outdated, and the next night dispatches it again'
          });
        return { ...r, verification: { ...verification, ...(verification.missing ? { missing: verification.missing.slice(0, 50) } : {}) } };
      })
    )
  );
  return { results: verified, problems };
}
