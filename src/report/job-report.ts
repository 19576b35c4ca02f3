import type { FailOn } from '../constants.js';
import type { BuildResult } from '../dispatch/build-result.js';
import type { Problem } from '../log.js';
import type { Plan, Shard } from '../plan/plan.js';
import { exitStatus, type ExitStatus } from './exit-status.js';
import type { FailureItem } from './failure-issue.js';
import { failuresOfNight } from './failure-issue.js';
import type { ReportScope } from './release-rollup.js';

/** What a report covers: the product stream and its release branches, the plan's time, the shard. */
export type JobScope = ReportScope & { createdAt: string; shard?: Shard };

/**
 * Everything one run has to say, whatever its mode and however it ended: built by the mode, turned
 * into summary, annotations, outputs, results file, failure-issue items and exit status by
 * report/write-report.ts alone.
 */
export interface JobReport {
  /** `plan`: a dry run (its results are the plan's gaps); `dispatch`: a night (its plan dispatched and watched); `merge`: shards' results. */
  mode: 'plan' | 'dispatch' | 'merge';
  /** Builds were handed to GitHub (a night can stop before: cancelled while planning, a partial plan refused). */
  dispatched: boolean;
  /** Undefined when the job stopped before it knew the product stream's branches (cancelled while planning). */
  scope?: JobScope;
  plan?: Plan;
  /** One per image covered, in plan order; a dry run has the results of its gaps only. */
  results: BuildResult[];
  /**
   * What the job reported as it went (planning, reading files): already in the log and the
   * annotations. The results' own problems are not here: the writer derives them from the results.
   */
  problems: Problem[];
  /**
   * Problems passed on from the plan's job (a shard's, for the report job): written into the
   * results file; reported by the job that reports the whole plan.
   */
  carried: Problem[];
  /** Lines a reader must see first (the job stopped early, dispatching cannot fit the time limit). */
  notes: string[];
  /** Why the job stopped before its end: cancelled, a late error. */
  stoppedEarly?: string;
  /** An error stopped it (not a cancel): the job fails whatever `fail-on` says. */
  failedToRun?: boolean;
}

/** The exit status `fail-on` asks for: from the results through the outcome table, and the errors reported. */
export function reportExitStatus(report: JobReport, failOn: FailOn): ExitStatus {
  if (report.failedToRun) return { code: 1, failure: report.stoppedEarly ?? 'the job could not run to its end' };
  return exitStatus(failOn, {
    planningErrors: report.problems.filter((p) => p.severity === 'error').length,
    results: report.results,
    ...(report.stoppedEarly ? { stoppedEarly: report.stoppedEarly } : {})
  });
}

/** What the failure issue lists for this run: the results that need a person, the errors reported, the warnings it follows up (stale bases). */
export function failureItemsOf(report: JobReport, jobRunUrl: string | undefined): FailureItem[] {
  return failuresOfNight(
    report.results,
    report.problems.filter((p) => p.severity === 'error' || p.followUp),
    jobRunUrl
  );
}
