import { Outputs, type FailOn } from '../constants.js';
import { optionName, type Edge } from '../options.js';
import { errorMessage } from '../errors.js';
import { tableCell } from '../escape.js';
import { writeJsonFile, type JobOutput } from '../job-output.js';
import { formatProblem, type Problem } from '../log.js';
import { acknowledgedSection, renderGapText } from './gap-summary.js';
import { dispatchedIn, failedToRun, isDryRun, reportExitStatus, stoppedEarly, type JobReport } from './job-report.js';
import { countResults, describeTotals, OUTCOMES, resultProblems } from './outcomes.js';
import { renderPlanSummary, renderPlanText, type SummaryLinks } from './plan-summary.js';
import { renderProblemList } from './problem-list.js';
import { describeFixed, fixesOf, frozenOf, frozenSection, upgradeCellsOf } from './package-report.js';
import { rollupByRelease } from './release-rollup.js';
import { resultsDocument } from './results-document.js';
import { renderResultsSummary, renderResultsText } from './results-summary.js';

/** Where the report goes besides the output: the files asked for, the summary's links, `fail-on`. */
export interface ReportTarget {
  output: JobOutput;
  links: SummaryLinks;
  failOn: FailOn;
  resultsFile?: string;
  /** Where the settings came from: messages name options as that edge spells them. */
  edge: Edge;
}

/** How the job ends: its exit code, and one line saying why when it fails. */
export interface JobEnd {
  exitCode: 0 | 1;
  failure?: string;
}

/**
 * The one writer of a job's report: annotations for the results, the job summary, the outputs,
 * the results file and the exit status. Each write that fails is said, and the others still happen.
 */
export async function writeJobReport(report: JobReport, target: ReportTarget): Promise<JobEnd> {
  const { output } = target;
  const { log } = output;
  // an error that stopped the job is the job's failure message (one error, naming the server); a cancel is an error of its own
  const stopped = stoppedEarly(report);
  const stop: Problem[] = stopped && !failedToRun(report) ? [{ severity: 'error', message: `the job stopped early: ${stopped}` }] : [];
  const everyProblem: Problem[] = [...report.problems, ...stop, ...resultProblems(report.results)];
  // the one place a job's problems are said: annotations in the action, lines on a terminal
  output.problems(everyProblem);
  // the summary's problem list leaves out what a section of its own says (the acknowledged gaps): one fact, one place
  const listed: Problem[] = [...report.problems, ...stop, ...resultProblems(report.results.filter((r) => !OUTCOMES[r.outcome].ownSection))];
  const writes: [string, () => unknown][] = [
    ['the job summary', () => output.summary(renderSummary(report, target.links, listed), renderText(report, notesOf(report)))],
    ['the outputs', () => setOutputs(report, output)]
  ];
  if (target.resultsFile) {
    const file = target.resultsFile;
    if (isDryRun(report)) log.info(`${optionName(target.edge, 'resultsFile')}: a dry run has no results; no results file is written`);
    else if (!report.scope)
      log.info(`${optionName(target.edge, 'resultsFile')}: the job stopped before it had a plan; no results file is written`);
    else {
      const scope = report.scope;
      writes.push([
        optionName(target.edge, 'resultsFile'),
        () => writeJsonFile(file, resultsDocument(scope, report.results, report.notes, report.carried))
      ]);
    }
  }
  const failures = await writeEach(writes);
  output.problems(failures.map((message): Problem => ({ severity: 'error', message })));
  if (dispatchedIn(report)) log.info(describeTotals(countResults(report.results)));
  const status = reportExitStatus(report, target.failOn);
  const failure = [...(status.code === 1 ? [status.failure] : []), ...failures].join('; ');
  return failure ? { exitCode: 1, failure } : { exitCode: 0 };
}

/**
 * The job summary of a job that stopped before it had a plan (bad input: a configuration not
 * found or invalid, a setting refused): why, and each problem behind it. Written by both edges.
 */
export async function writeStoppedSummary(
  output: Pick<JobOutput, 'summary'>,
  why: string,
  details: readonly Problem[] = []
): Promise<void> {
  const errors = details.filter((p) => p.severity === 'error');
  const list = errors.length > 0 ? `\n${errors.map((p) => `- ${tableCell(formatProblem(p), 600)}`).join('\n')}\n` : '';
  await output
    .summary(`## Image rebuilds\n\n> ❌ The job stopped before planning: ${tableCell(why, 2000)}\n${list}`, '')
    .catch(() => undefined);
}

/** Run each write; one that fails is said, and the others still happen. */
async function writeEach(writes: readonly [string, () => unknown][]): Promise<string[]> {
  const failures: string[] = [];
  for (const [what, write] of writes) {
    try {
      await write();
    } catch (error) {
      failures.push(`cannot write ${what}: ${errorMessage(error)}`);
    }
  }
  return failures;
}

/** Lines a reader must see first: why the job stopped early, then the mode's notes. */
function notesOf(report: JobReport): string[] {
  const stopped = stoppedEarly(report);
  return [...(stopped ? [`The job stopped early: ${stopped}`] : []), ...report.notes];
}

function renderSummary(report: JobReport, links: SummaryLinks, problems: readonly Problem[]): string {
  const notes = notesOf(report);
  let body: string;
  // what was dispatched, as results; a plan nothing was dispatched from (a dry run, a partial plan refused), as a plan
  if (dispatchedIn(report) && report.scope) {
    const fixed = report.plan ? describeFixed(report.plan, report.results) : undefined;
    const upgrades = report.plan ? upgradeCellsOf(report.plan) : new Map<string, string>();
    body = renderResultsSummary(
      report.scope,
      report.results,
      { ...links, ...(report.failureIssue ? { failureIssue: report.failureIssue } : {}) },
      notes,
      report.headline,
      { ...(fixed ? { fixed } : {}), upgrades }
    );
  } else if (report.plan) body = renderPlanSummary(report.plan, links, report.results, notes, report.headline);
  else
    body = `## Image rebuilds\n\n${notes.map((n) => `> ⚠️ ${tableCell(n, 2000)}`).join('\n>\n') || `> ${report.ending.kind === 'merged' ? 'No results to report.' : 'Nothing was planned.'}`}\n`;
  return body + (report.plan ? frozenSection(report.plan) : '') + acknowledgedSection(report.results) + renderProblemList(problems);
}

function renderText(report: JobReport, notes: readonly string[]): string {
  const said = notes.map((n) => `${n}\n`).join('');
  if (dispatchedIn(report)) return said + renderResultsText(report.results);
  return said + (report.plan ? renderPlanText(report.plan) + renderGapText(report.results) : '');
}

function setOutputs(report: JobReport, output: JobOutput): void {
  if (report.plan) {
    output.setOutput(Outputs.Plan, JSON.stringify(report.plan));
    output.setOutput(Outputs.Fixes, JSON.stringify(fixesOf(report.plan)));
    output.setOutput(Outputs.Frozen, JSON.stringify(frozenOf(report.plan)));
  }
  if (isDryRun(report)) return;
  const totals = countResults(report.results);
  output.setOutput(Outputs.Results, JSON.stringify(report.results));
  output.setOutput(Outputs.Releases, JSON.stringify(report.scope ? rollupByRelease(report.scope, report.results) : []));
  output.setOutput(Outputs.Dispatched, totals.dispatched);
  output.setOutput(Outputs.Succeeded, totals.succeeded);
  output.setOutput(Outputs.Failed, totals.needPerson);
}
