import type { FailOn } from '../constants.js';
import type { BuildResult } from '../dispatch/build-result.js';
import { needsPerson, OUTCOMES } from './outcomes.js';

export interface RunFacts {
  /** Errors reported while planning (each is an annotation already). */
  planningErrors: number;
  /** Results of a run that dispatched; none for a dry run. */
  results?: readonly BuildResult[];
  /** Why the job stopped before every build was watched to the end, when it did. */
  stoppedEarly?: string;
}

export type ExitStatus = { code: 0 } | { code: 1; failure: string };

function listImages(results: readonly BuildResult[]): string {
  const shown = results
    .slice(0, 20)
    .map((r) => `${r.githubRepo} ${r.image} ${r.gitTag} (${r.outcome})`)
    .join(', ');
  return results.length > 20 ? `${shown}, …` : shown;
}

/**
 * The exit status the user chose with `fail-on`:
 * - `problems`: any build that did not succeed, any image not dispatched, any planning error, a job stopped early;
 * - `failed-builds`: only builds that ran and did not succeed (failed, cancelled, timed out), or a job stopped early;
 * - `never`: 0 (bad input still fails, before this is asked).
 */
export function exitStatus(failOn: FailOn, facts: RunFacts): ExitStatus {
  if (failOn === 'never') return { code: 0 };
  const reasons: string[] = [];
  if (facts.stoppedEarly) reasons.push(`the job stopped early: ${facts.stoppedEarly}`);
  const results = facts.results ?? [];
  const failing = failOn === 'failed-builds' ? results.filter((r) => OUTCOMES[r.outcome].ranAndFailed) : results.filter(needsPerson);
  if (failing.length > 0)
    reasons.push(`${failing.length} ${failing.length === 1 ? 'image needs' : 'images need'} a person: ${listImages(failing)}`);
  if (failOn === 'problems' && facts.planningErrors > 0) reasons.push(`${facts.planningErrors} planning errors (see the annotations)`);
  return reasons.length === 0 ? { code: 0 } : { code: 1, failure: reasons.join('; ') };
}
