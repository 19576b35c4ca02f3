import { systemClock } from './dispatch/clock.js';
import { BadInputError } from './errors.js';
import { connectGitHub } from './github/ports.js';
import { OriginBoundFetch } from './http/origin-bound-fetch.js';
import type { JobDeps } from './job-ports.js';
import { mergeResults } from './modes/merge-results.js';
import type { ModeContext } from './modes/mode-context.js';
import { planAndDispatch } from './modes/plan-and-dispatch.js';
import { prepareJob } from './modes/prepare-job.js';
import type { JobReport } from './report/job-report.js';
import { keepFailureIssue } from './report/keep-failure-issue.js';
import { writeJobReport, writeStoppedSummary } from './report/write-report.js';
import type { Settings } from './settings.js';

export interface JobResult {
  /** 0 success; 1 what `fail-on` counts, or the job could not run to its end; 2 bad input. */
  exitCode: 0 | 1 | 2;
  /** One line saying why the job failed, when it did. */
  failure?: string;
  report?: JobReport;
}

/** One run: the configuration, then the mode the settings chose, then its report written, then the failure issue. */
export async function runJob(settings: Settings, given: Partial<JobDeps> & Pick<JobDeps, 'output'>): Promise<JobResult> {
  // what the job left in flight (a request of a phase a silent server ended) ends with the job
  const ended = new AbortController();
  try {
    return await runJobWith(settings, withDefaults(settings, given, ended.signal));
  } finally {
    ended.abort('the job ended');
  }
}

async function runJobWith(settings: Settings, deps: JobDeps): Promise<JobResult> {
  let ctx: ModeContext;
  let report: JobReport;
  try {
    ctx = await prepareJob(settings, deps);
    report = settings.mode.kind === 'merge' ? await mergeResults(ctx, settings.mode.pattern) : await planAndDispatch(ctx, settings.mode);
  } catch (error) {
    if (!(error instanceof BadInputError)) throw error;
    deps.output.problems(error.details);
    await writeStoppedSummary(deps.output, error.message, error.details);
    return { exitCode: 2, failure: error.message };
  }
  // the failure issue is kept before the report is written: what it could not do is part of the report
  if (settings.failureIssue && settings.mode.kind !== 'plan' && report.scope && !deps.signal.aborted) {
    const kept = await keepFailureIssue(settings.failureIssue.repo, report, ctx.run, deps);
    report = { ...report, problems: [...report.problems, ...kept.problems], ...(kept.issue ? { failureIssue: kept.issue } : {}) };
  }
  const end = await writeJobReport(report, {
    output: deps.output,
    links: { serverUrl: settings.serverUrl, imageLinkTemplate: ctx.run.config.configuration['image-link-template'] },
    failOn: settings.failOn,
    edge: settings.edge,
    ...(settings.resultsFile ? { resultsFile: settings.resultsFile } : {})
  });
  return { ...end, report };
}

function withDefaults(settings: Settings, given: Partial<JobDeps> & Pick<JobDeps, 'output'>, ended: AbortSignal): JobDeps {
  const signal = given.signal ?? new AbortController().signal;
  const http = given.http ?? new OriginBoundFetch(AbortSignal.any([signal, ended]));
  return {
    output: given.output,
    clock: given.clock ?? systemClock,
    signal,
    http,
    github:
      given.github ??
      ((target) => {
        if (!settings.auth) throw new BadInputError('no GitHub credentials');
        return connectGitHub(target, { apiUrl: settings.apiUrl, auth: settings.auth, http, log: given.output.log });
      })
  };
}
