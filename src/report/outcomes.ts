import type { BuildOutcome, BuildResult } from '../dispatch/build-result.js';
import type { Problem } from '../log.js';
import { counted } from '../words.js';

/** The column of the release rollup (the `releases` output, the summary's release table) an outcome counts in. */
export type RollupColumn =
  'rebuilt' | 'rebuiltOnRetry' | 'alreadyBuilt' | 'upToDate' | 'skipped' | 'acknowledged' | 'failed' | 'notDispatched';

/** What one outcome means to every reader of a report. Adding an outcome is adding one row below. */
export interface OutcomeMeaning {
  /** Icon and words, as the summary's Conclusion column shows it. */
  label: string;
  /** Words for the totals line (`3 failed`). */
  counted: string;
  /** The annotation each such build gets, if any: level, the heading of its kind, and message. */
  annotation?: { severity: Problem['severity']; kind: string; message(result: BuildResult): string };
  /** Said in a section of its own in the job summary: its annotation stays, the summary's problem list leaves it out. */
  ownSection?: true;
  /** Set when a person must act: the failure issue lists it under this heading, and `fail-on: problems` fails. */
  failureIssue?: 'build' | 'not-dispatched';
  /** A run of this job ended without success: `fail-on: failed-builds` fails too. */
  ranAndFailed: boolean;
  /** It counts in the `succeeded` output: a run of this job built the image. */
  succeeded: boolean;
  rollup: RollupColumn;
}

const run = (r: BuildResult): string => (r.runUrl ? ` (${r.runUrl})` : '');
/** `job build, step "Build and push the image"`: the first failed job of a failed build, when its run's jobs were read. */
export function failedWhere(r: Pick<BuildResult, 'failedJobs'>): string | undefined {
  const job = r.failedJobs?.[0];
  if (!job) return undefined;
  const more = (r.failedJobs?.length ?? 0) > 1 ? ` (and ${counted((r.failedJobs?.length ?? 1) - 1, 'other job')})` : '';
  return `job ${job.name}${job.step ? `, step "${job.step}"` : ''}${more}`;
}

const shippedBy = (r: BuildResult): string => (r.branches.length > 0 ? ` (branches: ${r.branches.join(', ')})` : '');

/**
 * Every outcome a build can have, in the order the totals name them. Summary, annotations,
 * outputs, results file, release rollup, failure issue and exit status all read this table.
 */
export const OUTCOMES: Readonly<Record<BuildOutcome, OutcomeMeaning>> = {
  succeeded: { label: '✅ succeeded', counted: 'succeeded', ranAndFailed: false, succeeded: true, rollup: 'rebuilt' },
  'succeeded-on-retry': {
    label: '🔁 succeeded on retry',
    counted: 'succeeded on retry',
    annotation: {
      severity: 'notice',
      kind: 'Builds that succeeded on retry',
      message: (r) => {
        const first = r.attempts?.[0];
        return `build succeeded on retry: attempt ${first?.attempt ?? 1} ended ${first?.conclusion ?? 'failure'}${first ? ` (${first.url})` : ''}, its failed jobs were re-run${run(r)}`;
      }
    },
    ranAndFailed: false,
    succeeded: true,
    rollup: 'rebuiltOnRetry'
  },
  'already-built': {
    label: '☑️ already built',
    counted: 'already built',
    ranAndFailed: false,
    succeeded: false,
    rollup: 'alreadyBuilt'
  },
  'up-to-date': {
    label: '🟰 up to date',
    counted: 'up to date',
    ranAndFailed: false,
    succeeded: false,
    rollup: 'upToDate'
  },
  skipped: {
    label: '⏭️ skipped by GitHub',
    counted: 'skipped by GitHub',
    annotation: {
      severity: 'warning',
      kind: 'Builds skipped by GitHub',
      message: (r) => `build skipped by GitHub: conclusion ${r.conclusion ?? 'unknown'}${run(r)}`
    },
    ranAndFailed: false,
    succeeded: false,
    rollup: 'skipped'
  },
  acknowledged: {
    label: '📝 acknowledged gap',
    counted: 'acknowledged',
    ownSection: true,
    annotation: {
      severity: 'notice',
      kind: 'Acknowledged gaps',
      message: (r) => `not rebuilt, acknowledged: ${r.reason ?? ''}${shippedBy(r)}`
    },
    ranAndFailed: false,
    succeeded: false,
    rollup: 'acknowledged'
  },
  failed: {
    label: '❌ failed',
    counted: 'failed',
    annotation: {
      severity: 'error',
      kind: 'Builds that failed',
      message: (r) => `build failed: ${failedWhere(r) ?? `conclusion ${r.conclusion ?? 'unknown'}`}${run(r)}`
    },
    failureIssue: 'build',
    ranAndFailed: true,
    succeeded: false,
    rollup: 'failed'
  },
  cancelled: {
    label: '🚫 cancelled',
    counted: 'cancelled',
    annotation: {
      severity: 'error',
      kind: 'Builds cancelled',
      message: (r) => `build cancelled${run(r)}`
    },
    failureIssue: 'build',
    ranAndFailed: true,
    succeeded: false,
    rollup: 'failed'
  },
  'timed-out': {
    label: '⏱️ timed out',
    counted: 'timed out',
    annotation: {
      severity: 'error',
      kind: 'Builds that timed out',
      message: (r) => `build timed out: ${r.reason ?? 'time limit reached'}${run(r)}`
    },
    failureIssue: 'build',
    ranAndFailed: true,
    succeeded: false,
    rollup: 'failed'
  },
  running: {
    label: '🔄 still running',
    counted: 'still running',
    annotation: {
      severity: 'error',
      kind: 'Builds still running when the job stopped',
      message: (r) => `build still running when the job stopped: nobody watched it end${run(r)}`
    },
    failureIssue: 'build',
    ranAndFailed: false,
    succeeded: false,
    rollup: 'failed'
  },
  unmatched: {
    label: '❓ run not found',
    counted: 'not matched to a run',
    annotation: {
      severity: 'error',
      kind: 'Builds whose run was not found',
      message: (r) => `build dispatched but its run was not found: ${r.reason ?? ''}`
    },
    failureIssue: 'build',
    ranAndFailed: false,
    succeeded: false,
    rollup: 'failed'
  },
  'not-dispatched': {
    label: '⛔ not rebuilt',
    counted: 'not rebuilt',
    annotation: {
      severity: 'error',
      kind: 'Images that cannot be rebuilt at their tag',
      message: (r) => `not rebuilt: ${r.reason ?? 'not dispatched'}${shippedBy(r)}`
    },
    failureIssue: 'not-dispatched',
    ranAndFailed: false,
    succeeded: false,
    rollup: 'notDispatched'
  }
};

export const OUTCOME_NAMES = Object.keys(OUTCOMES) as BuildOutcome[];

/** A person must act on it: it is in the failure issue and fails `fail-on: problems`. */
export function needsPerson(result: Pick<BuildResult, 'outcome'>): boolean {
  return OUTCOMES[result.outcome].failureIssue !== undefined;
}

/** The annotation of each build a person should see, in result order. */
export function resultProblems(results: readonly BuildResult[]): Problem[] {
  const problems: Problem[] = [];
  for (const r of results) {
    const annotation = OUTCOMES[r.outcome].annotation;
    if (!annotation) continue;
    problems.push({
      severity: annotation.severity,
      kind: annotation.kind,
      message: annotation.message(r),
      where: { repo: r.githubRepo, tag: r.gitTag, image: r.image }
    });
  }
  return problems;
}

/**
 * The counts of a report. `planned`: images the report covers; `dispatched`: builds' runs this job
 * created or attached to; `succeeded`: images a run of this job built (the `succeeded` output,
 * retries included); `needPerson`: images a person must act on (the `failed` output); `byOutcome`:
 * images per outcome.
 */
export interface Totals {
  planned: number;
  dispatched: number;
  succeeded: number;
  needPerson: number;
  byOutcome: Record<BuildOutcome, number>;
}

export function countResults(results: readonly BuildResult[]): Totals {
  const byOutcome = Object.fromEntries(OUTCOME_NAMES.map((o) => [o, 0])) as Record<BuildOutcome, number>;
  for (const r of results) byOutcome[r.outcome]++;
  return {
    planned: results.length,
    dispatched: results.filter((r) => r.runId !== undefined && r.via !== 'recent').length,
    succeeded: results.filter((r) => OUTCOMES[r.outcome].succeeded).length,
    needPerson: results.filter(needsPerson).length,
    byOutcome
  };
}

/** `1 up to date, 1 acknowledged`: how many builds had each outcome, in table order; what a folded repo heading says. */
export function describeOutcomes(results: readonly BuildResult[]): string {
  const { byOutcome } = countResults(results);
  return OUTCOME_NAMES.filter((o) => byOutcome[o] > 0)
    .map((o) => `${byOutcome[o].toLocaleString('en-US')} ${OUTCOMES[o].counted}`)
    .join(', ');
}

/** `13 images: 4 dispatched; 3 succeeded (1 on retry), 1 failed, 9 already built`: each outcome seen, in table order. */
export function describeTotals(t: Totals): string {
  const retried = t.byOutcome['succeeded-on-retry'];
  const parts = [`${t.succeeded} succeeded${retried ? ` (${retried} on retry)` : ''}`];
  for (const outcome of OUTCOME_NAMES) {
    const meaning = OUTCOMES[outcome];
    if (meaning.succeeded || t.byOutcome[outcome] === 0) continue;
    parts.push(`${t.byOutcome[outcome]} ${meaning.counted}`);
  }
  return `${counted(t.planned, 'image')}, ${t.dispatched.toLocaleString('en-US')} dispatched: ${parts.join(', ')}`;
}
