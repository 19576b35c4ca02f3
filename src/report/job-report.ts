import { frozenOf } from './package-report.js';
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
 * How a run ended, one variant each: every consumer (summary, outputs, results file, exit status)
 * reads it through the functions below, never from a combination of flags.
 */
export type JobEnding =
  /** A dry run: its plan reported, nothing dispatched. */
  | { kind: 'dry-run' }
  /** A night that dispatched nothing: its plan was refused (a partial plan). */
  | { kind: 'not-dispatched'; why: string }
  /** Dispatched and watched to its end (builds past the time limit are results of their own). */
  | { kind: 'watched' }
  /** The report job of a sharded run: the shards' results merged. */
  | { kind: 'merged' }
  /** Stopped before its end: cancelled, or an error (a silent server); before or after it dispatched. */
  | { kind: 'stopped'; why: string; cause: 'cancelled' | 'error'; dispatched: boolean; dryRun: boolean };

/**
 * Everything one run has to say, whatever its mode and however it ended: built by the mode, turned
 * into summary, annotations, outputs, results file, failure-issue items and exit status by
 * report/write-report.ts alone.
 */
export interface JobReport {
  ending: JobEnding;
  /** Undefined when the job stopped before it knew the product stream's branches (cancelled while planning). */
  scope?: JobScope;
  plan?: Plan;
  /** One per image covered, in plan order; a dry run has the results of its gaps only. */
  results: BuildResult[];
  /**
   * What the phases found (planning, reading files, the failure issue), as values: the writer says
   * them once, with the problems it derives from the results and from how the run ended.
   */
  problems: Problem[];
  /**
   * Problems passed on from the plan's job (a shard's, for the report job): written into the
   * results file; reported by the job that reports the whole plan.
   */
  carried: Problem[];
  /** Lines a reader must see first (dispatching cannot fit the time limit). */
  notes: string[];
  /** What this run was narrowed to (`only repo:hms-smd: 2 of 144 builds`): the summary's first line. */
  headline?: string;
  /** The failure issue this run kept, when it is open or was just closed: the summary links it and shows each build's streak. */
  failureIssue?: FailureIssueLink;
}

/** The failure issue as the job summary points at it: its page, and each item's days in a row by its key (failure-issue.ts `failureKey`). */
export interface FailureIssueLink {
  number: number;
  url: string;
  open: boolean;
  nights: Readonly<Record<string, number>>;
}

/** Builds were handed to GitHub: the report is of results, not of a plan. */
export function dispatchedIn(report: JobReport): boolean {
  const { ending } = report;
  return ending.kind === 'watched' || ending.kind === 'merged' || (ending.kind === 'stopped' && ending.dispatched);
}

/** A dry run (finished or stopped): it has no results file and no result outputs. */
export function isDryRun(report: JobReport): boolean {
  const { ending } = report;
  return ending.kind === 'dry-run' || (ending.kind === 'stopped' && ending.dryRun);
}

/** Why the job stopped before its end, when it did. */
export function stoppedEarly(report: JobReport): string | undefined {
  return report.ending.kind === 'stopped' ? report.ending.why : undefined;
}

/** An error stopped it before anything was dispatched (not a cancel): the job fails whatever `fail-on` says. */
export function failedToRun(report: JobReport): boolean {
  const { ending } = report;
  return ending.kind === 'stopped' && ending.cause === 'error' && !ending.dispatched;
}

/** The exit status `fail-on` asks for: from the results through the outcome table, and the errors reported. */
export function reportExitStatus(report: JobReport, failOn: FailOn): ExitStatus {
  const stopped = stoppedEarly(report);
  if (failedToRun(report)) return { code: 1, failure: stopped ?? 'the job could not run to its end' };
  return exitStatus(failOn, {
    planningErrors: report.problems.filter((p) => p.severity === 'error').length,
    results: report.results,
    ...(stopped ? { stoppedEarly: stopped } : {})
  });
}

/** What the failure issue lists for this run: the results that need a person, the errors reported, the warnings it follows up (stale bases). */
export function failureItemsOf(report: JobReport, jobRunUrl: string | undefined): FailureItem[] {
  return failuresOfNight(
    report.results,
    report.problems.filter((p) => p.severity === 'error' || p.followUp),
    jobRunUrl,
    report.plan ? frozenOf(report.plan) : {}
  );
}
