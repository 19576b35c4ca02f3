import * as core from '@actions/core';
import { loadConfiguration } from './config/load.js';
import type { Configuration } from './config/configuration.js';
import { Outputs } from './constants.js';
import { connect, type Connection } from './github/client.js';
import type { JobOutput } from './job-output.js';
import { ActionsJobOutput, writeJsonFile } from './job-output.js';
import { ChartRepository } from './plan/chart-repository.js';
import { ImageFinder } from './plan/find-images.js';
import { GitRepository } from './plan/git.js';
import { Helm } from './plan/helm.js';
import { locateHelm } from './plan/helm-install.js';
import type { Plan } from './plan/plan.js';
import { countPlan, renderPlanSummary, renderPlanText } from './report/plan-summary.js';
import type { Settings } from './settings.js';
import { settingsFromInputs } from './settings.js';
import { describeThrown } from './errors.js';
import { BuildRunner, type BuildOptions } from './dispatch/build-runner.js';
import type { BuildResult } from './dispatch/build-result.js';
import { countResults, failedResults } from './dispatch/build-result.js';
import { systemClock, type Clock } from './dispatch/clock.js';
import { githubBuildApi } from './github/build-api.js';
import { WorkflowFileCache } from './github/workflow-files.js';
import { resultProblems } from './report/annotations.js';
import { describeTotals, renderResultsSummary, renderResultsText } from './report/results-summary.js';

export interface JobResult {
  /** Exit status: 0 success, 1 failed builds or unplanned images, 2 bad input or no plan. */
  exitCode: 0 | 1 | 2;
  /** One line saying why the job failed, when it did. */
  failure?: string;
  plan?: Plan;
  results?: BuildResult[];
}

/** The configuration, or the job stops here, before any network call. */
async function readConfiguration(settings: Settings, output: JobOutput): Promise<Configuration | undefined> {
  const loaded = await loadConfiguration(settings.configFile);
  for (const warning of loaded.warnings) output.log.problem({ severity: 'warning', message: warning });
  if (!loaded.ok) {
    for (const error of loaded.errors) output.log.problem({ severity: 'error', message: error });
    return undefined;
  }
  output.log.setLevel(loaded.config.configuration['log-level']);
  output.log.info(`configuration: ${settings.configFile}`);
  return loaded.config;
}

/** One run of the job: configuration → plan → (dispatch → monitor) → report. */
export async function runJob(settings: Settings, output: JobOutput, clock: Clock = systemClock): Promise<JobResult> {
  const { log } = output;
  const config = await readConfiguration(settings, output);
  if (!config) return { exitCode: 2, failure: `the configuration ${settings.configFile} is invalid` };
  const org = settings.org ?? config.configuration.org ?? settings.defaultOrg;
  if (!org) return { exitCode: 2, failure: 'no GitHub organization: set configuration.org, the org input, or GITHUB_REPOSITORY' };
  if (!settings.auth) return { exitCode: 2, failure: 'no GitHub credentials: set app-id and private-key, or token' };

  const connection = await connect({
    apiUrl: settings.apiUrl,
    org,
    repo: config.configuration['product-stream-repo'],
    auth: settings.auth,
    log
  });
  const workflowFiles = new WorkflowFileCache();
  const plan = await planRebuilds(config, org, settings, connection, workflowFiles, output);
  if (settings.dryRun) return reportPlan(plan, settings, output);

  const planningErrors = log.problems.filter((p) => p.severity === 'error').length;
  const api = githubBuildApi(connection, org, workflowFiles);
  const results = await new BuildRunner(api, buildOptions(config, settings), log, clock).run(plan);
  return reportResults(plan, results, settings, output, planningErrors);
}

/** Every image to rebuild, from the product stream's branches, the chart repository and the image repos' tags. */
async function planRebuilds(
  config: Configuration,
  org: string,
  settings: Settings,
  connection: Connection,
  workflowFiles: WorkflowFileCache,
  output: JobOutput
): Promise<Plan> {
  const { log } = output;
  const gitToken = await connection.gitToken();
  output.mask(gitToken);
  const helm = await Helm.create(await locateHelm((m) => log.info(m)));
  log.info(`helm: ${helm.binary} (${await helm.version()})`);
  const productStreamUrl = `${settings.serverUrl.replace(/\/+$/, '')}/${org}/${config.configuration['product-stream-repo']}`;
  const repo = await GitRepository.open(productStreamUrl, gitToken);
  const charts = new ChartRepository(settings.chartCredentials);
  let plan: Plan;
  try {
    const { octokit } = connection;
    plan = await new ImageFinder({
      config,
      org,
      repo,
      octokit,
      helm,
      charts,
      chartRewrites: settings.chartRewrites,
      log,
      workflowFiles
    }).buildPlan();
  } finally {
    await Promise.all([repo.remove(), charts.dispose(), helm.dispose()]);
  }
  const counts = countPlan(plan);
  log.info(`plan: ${counts.images} images in ${counts.repos} repos, ${counts.unresolved} unresolved`);
  output.setOutput(Outputs.Plan, JSON.stringify(plan));
  if (settings.planFile) await writeJsonFile(settings.planFile, plan);
  return plan;
}

/** A dry run ends here: the plan as the summary, and in the results file (a dry run has no results). */
async function reportPlan(plan: Plan, settings: Settings, output: JobOutput): Promise<JobResult> {
  if (settings.resultsFile) await writeJsonFile(settings.resultsFile, plan);
  await output.summary(renderPlanSummary(plan, settings.serverUrl), renderPlanText(plan));
  return { exitCode: 0, plan };
}

/** Run settings of the build phase, from the configuration and the inputs. */
export function buildOptions(config: Configuration, settings: Settings): BuildOptions {
  const c = config.configuration;
  return {
    maxParallel: settings.maxParallel ?? c['max-parallel'],
    pollIntervalMs: c['sleep-duration-seconds'] * 1000,
    timeLimitMs: c['time-limit-minutes'] * 60_000,
    // the original waited webhook-sleep-seconds once; look for the run with backoff up to six times that
    correlationWindowMs: Math.max(c['webhook-sleep-seconds'] * 6, 10) * 1000,
    attachToRunning: c['attach-to-running-builds'],
    cancelOnTimeout: c['cancel-on-timeout'],
    overrides: config['workflow-overrides']
  };
}

/** Summary, annotations, outputs, results file, exit status. */
async function reportResults(
  plan: Plan,
  results: BuildResult[],
  settings: Settings,
  output: JobOutput,
  planningErrors: number
): Promise<JobResult> {
  for (const problem of resultProblems(results)) output.log.problem(problem);
  const totals = countResults(results);
  output.setOutput(Outputs.Results, JSON.stringify(results));
  output.setOutput(Outputs.Dispatched, totals.dispatched);
  output.setOutput(Outputs.Succeeded, totals.succeeded);
  const failed = failedResults(results);
  output.setOutput(Outputs.Failed, failed.length);
  if (settings.resultsFile) await writeJsonFile(settings.resultsFile, results);
  await output.summary(renderResultsSummary(plan, results, settings.serverUrl), renderResultsText(results));
  output.log.info(describeTotals(totals));
  // images of a chart that could not be rendered are in no plan: their errors fail the job too
  const unplanned = planningErrors > 0 ? `${planningErrors} planning errors (see the annotations)` : '';
  if (failed.length === 0) return unplanned ? { exitCode: 1, plan, results, failure: unplanned } : { exitCode: 0, plan, results };
  const listed = failed
    .slice(0, 20)
    .map((r) => `${r.githubRepo} ${r.image} ${r.gitTag} (${r.outcome})`)
    .join(', ');
  const failure = `${failed.length} of ${results.length} image rebuilds did not succeed: ${listed}${failed.length > 20 ? ', …' : ''}`;
  return { exitCode: 1, plan, results, failure: unplanned ? `${failure}; ${unplanned}` : failure };
}

/** The action: inputs → settings → the job; the one place where failure becomes setFailed. */
export async function run(): Promise<void> {
  try {
    const settings = settingsFromInputs();
    const result = await runJob(settings, new ActionsJobOutput());
    if (result.exitCode !== 0) core.setFailed(result.failure ?? 'the job failed');
  } catch (error) {
    if (error instanceof Error && error.stack) core.debug(error.stack);
    core.setFailed(describeThrown(error));
  }
}
