import type { FromSchema } from 'json-schema-to-ts';
import type { PlannedImage } from '../plan/plan.js';
import type { resultsSchema } from '../report/results-schema.js';

/** Every conclusion GitHub gives a completed workflow run (statuses: requested, waiting, pending, queued, in_progress, completed). */
export const RUN_CONCLUSIONS = [
  'success',
  'failure',
  'cancelled',
  'timed_out',
  'action_required',
  'neutral',
  'skipped',
  'stale',
  'startup_failure'
] as const;

/**
 * One image's result, as the results file (results.schema.json, the one source of the contract)
 * has it: what became of its build (`outcome`; what each means to a report is in
 * report/outcomes.ts), its run, and every attempt of the run when its failed jobs were re-run.
 */
export type BuildResult = FromSchema<(typeof resultsSchema)['definitions']['result']>;

/** What became of one image's build: the schema's enum, each with its row in report/outcomes.ts. */
export type BuildOutcome = BuildResult['outcome'];

/** One attempt of a build's run (a re-run of its failed jobs is the next attempt of the same run). */
export type RunAttempt = NonNullable<BuildResult['attempts']>[number];

/** A job of a failed build's run that did not succeed, and its first step that did not: what to open first. */
export type FailedJob = NonNullable<BuildResult['failedJobs']>[number];

export function resultFor(image: PlannedImage, outcome: BuildOutcome, reason?: string): BuildResult {
  return {
    githubRepo: image.githubRepo,
    image: image.name,
    fullImage: image.fullImage,
    tag: image.tag,
    gitTag: image.gitTag,
    branches: image.branches,
    ...(image.releaseUrl ? { releaseUrl: image.releaseUrl } : {}),
    outcome,
    ...(reason ? { reason } : {})
  };
}

/** A completed run's conclusion as an outcome: only success succeeds; neutral and skipped are not failures either. */
export function outcomeOfConclusion(conclusion: string | null | undefined): BuildOutcome {
  switch (conclusion) {
    case 'success':
      return 'succeeded';
    case 'neutral':
    case 'skipped':
      return 'skipped';
    case 'cancelled':
      return 'cancelled';
    case 'timed_out':
      return 'timed-out';
    default:
      // failure, startup_failure, action_required, stale, and anything GitHub adds later
      return 'failed';
  }
}
