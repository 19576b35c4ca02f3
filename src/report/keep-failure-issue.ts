import { Outputs } from '../constants.js';
import { errorMessage, httpStatus } from '../errors.js';
import type { JobDeps } from '../job-ports.js';
import type { Problem } from '../log.js';
import type { EffectiveRun } from '../modes/effective-run.js';
import { isFollowUp, updateFailureIssue } from './failure-issue.js';
import { failureItemsOf, type FailureIssueLink, type JobReport } from './job-report.js';

/**
 * The product stream's failure issue, before the report is written: its failures carry their
 * streaks from day to day. What it could not do is returned as problems for the report (without
 * issues: write on that repository, one warning); the run goes on.
 */
export async function keepFailureIssue(
  repo: string,
  report: JobReport,
  settings: Pick<EffectiveRun, 'auth' | 'jobRunUrl'>,
  deps: JobDeps
): Promise<{ problems: Problem[]; issue?: FailureIssueLink }> {
  const { log } = deps.output;
  const scope = report.scope;
  if (!scope) return { problems: [] };
  if (!settings.auth)
    return { problems: [{ severity: 'warning', message: `cannot keep the failure issue in ${repo}: no GitHub credentials` }] };
  const problems: Problem[] = [];
  let issue: FailureIssueLink | undefined;
  try {
    const github = await deps.github({ org: scope.org });
    const outcome = await updateFailureIssue(github.issues(repo), {
      productStream: `${scope.org}/${scope.productStreamRepo}`,
      tonight: failureItemsOf(report, settings.jobRunUrl),
      ...(settings.jobRunUrl ? { jobRunUrl: settings.jobRunUrl } : {}),
      now: new Date(deps.clock.now()),
      warn: (message) => problems.push({ severity: 'warning', message })
    });
    if (outcome.action === 'none') log.info('failure issue: nothing needs a person, and no issue is open');
    else {
      log.info(`failure issue ${outcome.action}: ${outcome.url}`);
      deps.output.setOutput(Outputs.FailureIssue, outcome.url);
      issue = {
        number: outcome.number,
        url: outcome.url,
        open: outcome.action !== 'closed',
        nights: Object.fromEntries(outcome.state.failures.filter((f) => !isFollowUp(f)).map((f) => [f.key, f.nights]))
      };
    }
  } catch (error) {
    // the real reason: a refused token needs issues: write; any other answer (422 body is too long) says itself
    const status = httpStatus(error);
    const refused = status === 401 || status === 403 || status === 404;
    problems.push({
      severity: 'warning',
      message: `cannot keep the failure issue in ${repo} (${errorMessage(error)})${refused ? ': the token needs issues: write there' : ''}; the run goes on`
    });
  }
  return { problems, ...(issue ? { issue } : {}) };
}
