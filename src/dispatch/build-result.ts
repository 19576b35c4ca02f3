import type { PlannedImage } from '../plan/plan.js';

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

/** What became of one image's build; what each means to a report is in report/outcomes.ts. */
export type BuildOutcome =
  | 'succeeded'
  | 'succeeded-on-retry'
  | 'already-built'
  | 'up-to-date'
  | 'skipped'
  | 'acknowledged'
  | 'failed'
  | 'cancelled'
  | 'timed-out'
  | 'running'
  | 'unmatched'
  | 'not-dispatched';

/** One attempt of a build's run (a re-run of its failed jobs is the next attempt of the same run). */
export interface RunAttempt {
  attempt: number;
  conclusion: string | null;
  url: string;
}

export interface BuildResult {
  githubRepo: string;
  image: string;
  fullImage: string;
  tag: string;
  gitTag: string;
  branches: string[];
  /** The release page of the git tag, when the repo has a release for it. */
  releaseUrl?: string;
  workflow?: { id: number; name: string; path: string };
  /** How the run was obtained: dispatched now, attached to a build still running, shared with another image of the build, or a recent success that was not redone. */
  via?: 'dispatched' | 'attached' | 'shared' | 'recent';
  runId?: number;
  runUrl?: string;
  status?: string;
  conclusion?: string | null;
  /** Every attempt of the run when its failed jobs were re-run, the last one last. */
  attempts?: RunAttempt[];
  outcome: BuildOutcome;
  reason?: string;
}

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
