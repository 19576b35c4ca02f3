import { Outputs } from '../constants.js';
import { errorMessage, httpStatus } from '../errors.js';
import type { JobDeps } from '../job-ports.js';
import type { EffectiveRun } from '../modes/effective-run.js';
import { updateFailureIssue } from './failure-issue.js';
import { failureItemsOf, type JobReport } from './job-report.js';

/**
 * The product stream's failure issue, after the report: its failures carry their streaks from day
 * to day. Without issues: write on that repository it is one warning; the run goes on.
 */
export async function keepFailureIssue(
  repo: string,
  report: JobReport,
  settings: Pick<EffectiveRun, 'auth' | 'jobRunUrl'>,
  deps: JobDeps
): Promise<void> {
  const { log } = deps.output;
  const scope = report.scope;
  if (!scope) return;
  if (!settings.auth) {
    log.problem({ severity: 'warning', message: `cannot keep the failure issue in ${repo}: no GitHub credentials` });
    return;
  }
  try {
    const github = await deps.github({ org: scope.org });
    const outcome = await updateFailureIssue(github.issues(repo), {
      productStream: `${scope.org}/${scope.productStreamRepo}`,
      tonight: failureItemsOf(report, settings.jobRunUrl),
      ...(settings.jobRunUrl ? { jobRunUrl: settings.jobRunUrl } : {}),
      now: new Date(deps.clock.now()),
      warn: (message) => log.problem({ severity: 'warning', message })
    });
    if (outcome.action === 'none') return log.info('failure issue: nothing fails, and no issue is open');
    log.info(`failure issue ${outcome.action}: ${outcome.url}`);
    deps.output.setOutput(Outputs.FailureIssue, outcome.url);
  } catch (error) {
    // the real reason: a refused token needs issues: write; any other answer (422 body is too long) says itself
    const status = httpStatus(error);
    const refused = status === 401 || status === 403 || status === 404;
    log.problem({
      severity: 'warning',
      message: `cannot keep the failure issue in ${repo} (${errorMessage(error)})${refused ? ': the token needs issues: write there' : ''}; the run goes on`
    });
  }
}
