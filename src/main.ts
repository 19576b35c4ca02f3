import { rmSync } from 'node:fs';
import { access, constants, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfiguration } from './config/load.js';
import type { Configuration } from './config/configuration.js';
import { Inputs, Outputs } from './constants.js';
import { connect, type Connection } from './github/client.js';
import type { JobOutput } from './job-output.js';
import { writeJsonFile } from './job-output.js';
import { ChartRepository } from './plan/chart-repository.js';
import { ImageFinder } from './plan/find-images.js';
import { GitRepository } from './plan/git.js';
import { Helm } from './plan/helm.js';
import { locateHelm } from './plan/helm-install.js';
import type { Plan } from './plan/plan.js';
import { countPlan, renderPlanSummary, renderPlanText, type SummaryLinks } from './report/plan-summary.js';
import type { Settings } from './settings.js';
import { describeThrown, errorMessage } from './errors.js';
import { BuildRunner, type BuildOptions } from './dispatch/build-runner.js';
import type { BuildResult } from './dispatch/build-result.js';
import { countResults, failedResults } from './dispatch/build-result.js';
import { systemClock, type Clock } from './dispatch/clock.js';
import { githubBuildApi } from './github/build-api.js';
import { githubPlanningApi } from './github/planning-api.js';
import { readPlanFile } from './plan/plan-file.js';
import { shardOf } from './plan/shard.js';
import { planBuilds } from './plan/plan.js';
import { checkResultsDocument, mergeResultsDocuments, resultsDocument, type ResultsDocument } from './report/results-document.js';
import { findFiles } from './glob.js';
import { readFile } from 'node:fs/promises';
import { resultProblems } from './report/annotations.js';
import { exitStatus } from './report/exit-status.js';
import { failuresOfNight, updateFailureIssue } from './report/failure-issue.js';
import { githubIssueTracker } from './github/issues.js';
import { TOKEN_PERMISSIONS } from './github/token-scopes.js';
import type { Problem } from './log.js';
import { rollupByRelease, type ReportScope } from './report/release-rollup.js';
import { describeTotals, renderResultsSummary, renderResultsText } from './report/results-summary.js';
import { renderProblemList } from './report/problem-list.js';
import { MEGABYTE } from './bytes.js';

export interface JobResult {
  /** Exit status: 0 success, 1 what `fail-on` counts (failed builds, planning errors, …), 2 bad input. */
  exitCode: 0 | 1 | 2;
  /** One line saying why the job failed, when it did. */
  failure?: string;
  plan?: Plan;
  results?: BuildResult[];
}

/**
 * What one run knows so far, held by the edge that started it: when the job fails late or is
 * cancelled, the report still carries the plan and every build dispatched, with its run link.
 */
export class JobState {
  plan?: Plan;
  runner?: BuildRunner;
  /** The job's one temp folder: the product stream copy, chart archives, helm's home. */
  tempRoot?: string;
  /** Where the summary links go (known once the configuration is read). */
  links?: SummaryLinks;
  /** The final report was written (by the job, or by an interruption): never twice. */
  reported = false;
}

const badInput = (failure: string): JobResult => ({ exitCode: 2, failure });

function linksOf(state: JobState, settings: Settings): SummaryLinks {
  return state.links ?? { serverUrl: settings.serverUrl };
}

/** The configuration, or the job stops here, before any network call. */
async function readConfiguration(settings: Settings, output: JobOutput): Promise<Configuration | undefined> {
  const loaded = await loadConfiguration(settings.configFile);
  for (const warning of loaded.warnings) output.log.problem({ severity: 'warning', message: warning });
  if (!loaded.ok) {
    for (const error of loaded.errors) output.log.problem({ severity: 'error', message: error });
    return undefined;
  }
  // the command line's flags and the original tool's variables win over the file
  Object.assign(loaded.config.configuration, settings.configOverrides);
  output.log.setLevel(loaded.config.configuration['log-level']);
  output.log.info(`configuration: ${settings.configFile}`);
  return loaded.config;
}

/** Chart credentials are known to be missing before any download, with what to set. */
function missingChartCredentials(config: Configuration, settings: Settings): string | undefined {
  if (settings.skipCharts || settings.chartCredentials || !config.configuration['chart-credentials-required']) return undefined;
  if (config['helm-repo-lookup'].length === 0) return undefined;
  return (
    `${Inputs.ChartRepoUsername} and ${Inputs.ChartRepoPassword} are not set, and the chart repository needs them ` +
    `(configuration.chart-credentials-required): set them from secrets, or set ${Inputs.SkipCharts}: true to plan without ` +
    `the images of the manifests' charts (pull requests from forks get no secrets)`
  );
}

/** Every output file can be written: its folder is made now, so no late error costs the report. */
async function prepareOutputFiles(settings: Settings): Promise<void> {
  const files: [string, string | undefined][] = [
    [Inputs.ResultsFile, settings.resultsFile],
    [Inputs.PlanFile, settings.planFile]
  ];
  for (const [name, file] of files) {
    if (!file) continue;
    try {
      await mkdir(dirname(file), { recursive: true });
      await access(dirname(file), constants.W_OK);
    } catch (error) {
      throw new Error(`${name}: cannot write ${file}: ${errorMessage(error)}`, { cause: error });
    }
  }
}

/** One run of the job: configuration → plan (made now, or read) → (dispatch → monitor) → report; or the merge of earlier reports. */
export async function runJob(
  settings: Settings,
  output: JobOutput,
  clock: Clock = systemClock,
  state: JobState = new JobState()
): Promise<JobResult> {
  const { log } = output;
  const config = await readConfiguration(settings, output);
  if (!config) return badInput(`the configuration ${settings.configFile} is invalid`);
  state.links = { serverUrl: settings.serverUrl, imageLinkTemplate: config.configuration['image-link-template'] };
  try {
    await prepareOutputFiles(settings);
  } catch (error) {
    return badInput(errorMessage(error));
  }
  if (settings.mergeResults) return reportMergedResults(settings.mergeResults, settings, output, state);
  const org = settings.org ?? config.configuration.org ?? settings.defaultOrg;
  if (!org) return badInput('no GitHub organization: set configuration.org, the org input, or GITHUB_REPOSITORY');
  if (!settings.auth) return badInput('no GitHub credentials: set app-id and private-key, or token');
  const chartProblem = settings.fromPlan ? undefined : missingChartCredentials(config, settings);
  if (chartProblem) return badInput(chartProblem);
  let planMade: Plan | undefined;
  if (settings.fromPlan) {
    try {
      planMade = await readPlanFile(
        settings.fromPlan,
        { org, productStreamRepo: config.configuration['product-stream-repo'] },
        clock.now()
      );
    } catch (error) {
      return badInput(errorMessage(error));
    }
    log.info(
      `plan: ${settings.fromPlan}, made ${planMade.createdAt}: ${planBuilds(planMade).length} builds in ${planMade.repos.length} repos`
    );
  }

  state.tempRoot = await mkdtemp(join(tmpdir(), 'hms-dispatcher-'));
  try {
    const timeouts = config.configuration.timeouts;
    const connection = await connect({
      apiUrl: settings.apiUrl,
      org,
      repo: config.configuration['product-stream-repo'],
      auth: settings.auth,
      log,
      timeoutMs: timeouts['github-api-seconds'] * 1000
    });
    const planned = planMade
      ? { plan: planMade, partial: false }
      : await planRebuilds(config, org, settings, connection, output, state.tempRoot, clock);
    let plan = planned.plan;
    if (settings.shard) {
      plan = shardOf(plan, settings.shard);
      log.info(
        `shard ${settings.shard.index}/${settings.shard.count}: ${planBuilds(plan).length} builds in ${plan.repos.length} repos (${plan.repos.map((r) => r.githubRepo).join(', ') || 'none'})`
      );
    }
    state.plan = plan;
    output.setOutput(Outputs.Plan, JSON.stringify(plan));
    if (settings.planFile) await writeJsonFile(settings.planFile, plan);
    const planningProblems = log.problems.filter((p) => p.severity === 'error');
    const planningErrors = planningProblems.length;
    if (settings.dryRun) return await reportPlan(plan, settings, output, state, planningErrors);
    if (planned.partial && settings.failOn !== 'never') {
      log.problem({
        severity: 'error',
        message: `nothing was dispatched: the plan is partial (see above); fail-on: never dispatches a partial plan`
      });
      return await reportPlan(plan, settings, output, state, planningErrors + 1);
    }

    const api = githubBuildApi(
      connection.scoped({ repositories: plan.repos.map((r) => r.githubRepo), permissions: TOKEN_PERMISSIONS.builds }),
      org
    );
    const runner = new BuildRunner(api, buildOptions(config, settings, plan), log, clock);
    state.runner = runner;
    let stoppedEarly: string | undefined;
    try {
      await runner.run(plan);
    } catch (error) {
      // builds were dispatched: report them whatever stopped the watch
      if (error instanceof Error && error.stack) log.debug(error.stack);
      stoppedEarly = describeThrown(error);
    }
    const results = runner.resultsSoFar(plan);
    const job = await reportResults(plan, results, settings, output, state, { planningErrors, stoppedEarly, notes: runner.notes });
    if (settings.failureIssue)
      await keepFailureIssue(settings.failureIssue.repo, connection, plan, results, planningProblems, settings, output);
    return job;
  } finally {
    await rm(state.tempRoot, { recursive: true, force: true });
  }
}

function chartsSkippedNote(settings: Settings): string[] {
  return settings.skipCharts
    ? [`charts were not downloaded nor rendered (${Inputs.SkipCharts}): the images of the manifests' charts are not in this plan`]
    : [];
}

/** Every image to rebuild, from the product stream's branches, the chart repository and the image repos' tags. */
async function planRebuilds(
  config: Configuration,
  org: string,
  settings: Settings,
  connection: Connection,
  output: JobOutput,
  tempRoot: string,
  clock: Clock
): Promise<{ plan: Plan; partial: boolean }> {
  const { log } = output;
  const { timeouts, limits } = config.configuration;
  const productStreamRepo = config.configuration['product-stream-repo'];
  const gitToken = await connection.scoped({ repositories: [productStreamRepo], permissions: TOKEN_PERMISSIONS.productStream }).gitToken();
  output.mask(gitToken);
  const helm = settings.skipCharts
    ? undefined
    : await Helm.create(await locateHelm((m) => log.info(m), { download: settings.helmDownload }), {
        timeoutMs: timeouts['helm-template-seconds'] * 1000,
        tempRoot,
        memoryBytes: limits['helm-memory-megabytes'] * MEGABYTE,
        maxOutputBytes: limits['helm-output-megabytes'] * MEGABYTE
      });
  if (helm) log.info(`helm: ${helm.binary} (${await helm.version()})`);
  for (const note of chartsSkippedNote(settings)) log.problem({ severity: 'warning', message: note });
  const productStreamUrl = `${settings.serverUrl.replace(/\/+$/, '')}/${org}/${productStreamRepo}`;
  const repo = await GitRepository.open(productStreamUrl, gitToken, { stallSeconds: timeouts['git-stall-seconds'], tempRoot });
  const charts = new ChartRepository(settings.chartCredentials, {
    timeoutMs: timeouts['chart-download-seconds'] * 1000,
    tempRoot,
    limits: {
      maxDownloadBytes: limits['chart-download-megabytes'] * MEGABYTE,
      maxUnpackedBytes: limits['chart-unpacked-megabytes'] * MEGABYTE,
      maxFileBytes: limits['chart-file-megabytes'] * MEGABYTE
    }
  });
  let plan: Plan;
  let finder: ImageFinder;
  try {
    finder = new ImageFinder({
      config,
      org,
      repo,
      githubFor: (repos) =>
        githubPlanningApi(connection.scoped({ repositories: repos, permissions: TOKEN_PERMISSIONS.planning }), org, log),
      helm,
      charts,
      chartRewrites: settings.chartRewrites,
      log,
      tempRoot,
      renderCharts: !settings.skipCharts,
      now: () => clock.now(),
      bounds: { maxRenders: limits['chart-renders'], deadline: clock.now() + limits['planning-minutes'] * 60_000 }
    });
    plan = await finder.buildPlan();
  } finally {
    await Promise.all([repo.remove(), charts.dispose(), helm?.dispose()]);
  }
  const counts = countPlan(plan);
  log.info(`plan: ${counts.images} images in ${counts.repos} repos, ${counts.builds} builds, ${counts.unresolved} images without a build`);
  if (finder.partial.size > 0)
    log.problem({
      severity: 'error',
      message: `the plan is partial: ${[...finder.partial].join('; ')}; the chart releases not rendered are named above`
    });
  return { plan, partial: finder.partial.size > 0 };
}

/**
 * The product stream's failure issue, after the report: its failures carry their streaks from
 * night to night. Without issues: write on that repository it is one warning; the run goes on.
 */
async function keepFailureIssue(
  repo: string,
  connection: Pick<Connection, 'scoped'>,
  plan: ReportScope,
  results: readonly BuildResult[],
  planningProblems: readonly Problem[],
  settings: Settings,
  output: JobOutput
): Promise<void> {
  const { log } = output;
  try {
    // `owner/name`: a token names repositories of its installation's owner by name
    const name = repo.split('/').pop() ?? repo;
    const { octokit } = connection.scoped({ repositories: [name], permissions: TOKEN_PERMISSIONS.failureIssue });
    const outcome = await updateFailureIssue(githubIssueTracker(octokit, repo), {
      productStream: `${plan.org}/${plan.productStreamRepo}`,
      tonight: failuresOfNight(results, planningProblems, settings.jobRunUrl),
      jobRunUrl: settings.jobRunUrl,
      now: new Date(),
      warn: (message) => log.problem({ severity: 'warning', message })
    });
    if (outcome.action === 'none') return log.info('failure issue: nothing fails, and no issue is open');
    log.info(`failure issue ${outcome.action}: ${outcome.url}`);
    output.setOutput(Outputs.FailureIssue, outcome.url);
  } catch (error) {
    log.problem({
      severity: 'warning',
      message: `cannot keep the failure issue in ${repo} (${errorMessage(error)}): the token needs issues: write there; the run goes on`
    });
  }
}

/** Run each write of the report; one that fails is said, and the others still happen. */
async function writeEach(writes: [string, () => unknown][]): Promise<string[]> {
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

/** A dry run ends here: the plan as the summary (the plan file is written already; a dry run has no results to write). */
async function reportPlan(plan: Plan, settings: Settings, output: JobOutput, state: JobState, planningErrors: number): Promise<JobResult> {
  state.reported = true;
  const failures = await writeEach([
    [
      'the job summary',
      () =>
        output.summary(
          renderPlanSummary(plan, linksOf(state, settings), chartsSkippedNote(settings)) + renderProblemList(output.log.problems),
          renderPlanText(plan)
        )
    ]
  ]);
  if (settings.resultsFile) output.log.info(`${Inputs.ResultsFile}: a dry run has no results; the plan is in ${Inputs.PlanFile}`);
  for (const failure of failures) output.log.problem({ severity: 'error', message: failure });
  const status = exitStatus(settings.failOn, { planningErrors });
  const failure = [...(status.code === 1 ? [status.failure] : []), ...failures].join('; ');
  return failure ? { exitCode: 1, plan, failure } : { exitCode: 0, plan };
}

/** Run settings of the build phase, from the configuration and the inputs. */
export function buildOptions(config: Configuration, settings: Settings, plan: Pick<Plan, 'createdAt'>): BuildOptions {
  const c = config.configuration;
  const skip = settings.skipSucceededWithin;
  return {
    ...(skip ? { skipSucceededSince: skip.kind === 'plan' ? Date.parse(plan.createdAt) : Date.now() - skip.ms } : {}),
    maxParallel: settings.maxParallel ?? c['max-parallel'],
    pollIntervalMs: c['sleep-duration-seconds'] * 1000,
    timeLimitMs: c['time-limit-minutes'] * 60_000,
    // the original waited webhook-sleep-seconds once; look for the run with backoff up to six times that
    correlationWindowMs: Math.max(c['webhook-sleep-seconds'] * 6, 10) * 1000,
    attachToRunning: c['attach-to-running-builds'],
    cancelOnTimeout: c['cancel-on-timeout'],
    retryFailedBuilds: c['retry-failed-builds']
  };
}

/** Summary first (it carries the run links), then annotations, outputs, results file; then the exit status. */
async function reportResults(
  plan: Plan,
  results: BuildResult[],
  settings: Settings,
  output: JobOutput,
  state: JobState,
  facts: { planningErrors: number; stoppedEarly?: string; notes: readonly string[] }
): Promise<JobResult> {
  state.reported = true;
  const notes = [
    ...(facts.stoppedEarly ? [`The job stopped before every build was watched to the end: ${facts.stoppedEarly}`] : []),
    ...facts.notes
  ];
  const totals = countResults(results);
  const failures = await writeResultsReport(
    plan,
    results,
    settings,
    linksOf(state, settings),
    output,
    notes,
    resultsDocument(plan, results, notes)
  );
  if (facts.stoppedEarly) output.log.problem({ severity: 'error', message: `the job stopped early: ${facts.stoppedEarly}` });
  for (const problem of resultProblems(results)) output.log.problem(problem);
  for (const failure of failures) output.log.problem({ severity: 'error', message: failure });
  output.log.info(describeTotals(totals));
  const status = exitStatus(settings.failOn, { ...facts, results });
  const failure = [...(status.code === 1 ? [status.failure] : []), ...failures].join('; ');
  return failure ? { exitCode: 1, plan, results, failure } : { exitCode: 0, plan, results };
}

/** The summary (it carries the run links), the outputs and the results file; what could not be written, said. */
function writeResultsReport(
  scope: ReportScope,
  results: BuildResult[],
  settings: Settings,
  links: SummaryLinks,
  output: JobOutput,
  notes: readonly string[],
  document: ResultsDocument
): Promise<string[]> {
  return writeEach([
    [
      'the job summary',
      () =>
        output.summary(
          renderResultsSummary(scope, results, links, notes) + renderProblemList(output.log.problems),
          renderResultsText(results)
        )
    ],
    ['the outputs', () => setResultOutputs(output, scope, results)],
    [Inputs.ResultsFile, () => settings.resultsFile && writeJsonFile(settings.resultsFile, document)]
  ]);
}

function setResultOutputs(output: JobOutput, plan: ReportScope, results: readonly BuildResult[]): void {
  const totals = countResults(results);
  output.setOutput(Outputs.Results, JSON.stringify(results));
  output.setOutput(Outputs.Releases, JSON.stringify(rollupByRelease(plan, results)));
  output.setOutput(Outputs.Dispatched, totals.dispatched);
  output.setOutput(Outputs.Succeeded, totals.succeeded + totals.succeededOnRetry);
  output.setOutput(Outputs.Failed, failedResults(results).length);
}

/**
 * The job was cancelled (the runner sends SIGINT, then SIGTERM): write what is known, fast, and
 * remove the temp folder. The dispatched builds keep running on GitHub; the summary links them.
 */
export async function reportInterrupted(state: JobState, settings: Settings, output: JobOutput, signal: string): Promise<void> {
  if (state.tempRoot) rmSync(state.tempRoot, { recursive: true, force: true });
  if (state.reported) return;
  state.reported = true;
  const note = [`The job was cancelled (${signal}) before it ended; builds still running go on without being watched.`];
  const { plan, runner } = state;
  if (!plan) {
    await output.summary(`## Image rebuilds\n\n> ⚠️ The job was cancelled (${signal}) while planning; nothing was dispatched.\n`, '');
    return;
  }
  if (!runner) {
    await output.summary(renderPlanSummary(plan, linksOf(state, settings), note), renderPlanText(plan));
    return;
  }
  const results = runner.resultsSoFar(plan);
  await writeResultsReport(plan, results, settings, linksOf(state, settings), output, note, resultsDocument(plan, results, note));
}

/** Read every results file the glob matches; a file that cannot be read or is not a results file is an error, and left out. */
async function readResultsFiles(pattern: string, output: JobOutput): Promise<{ file: string; document: ResultsDocument }[]> {
  const files = await findFiles(pattern, process.cwd());
  output.log.info(`${Inputs.MergeResults}: ${files.length} files match ${pattern}`);
  const documents: { file: string; document: ResultsDocument }[] = [];
  for (const file of files) {
    let checked: ReturnType<typeof checkResultsDocument>;
    try {
      checked = checkResultsDocument(JSON.parse(await readFile(file, 'utf8')));
    } catch (error) {
      checked = { ok: false, error: errorMessage(error) };
    }
    if (checked.ok) documents.push({ file, document: checked.document });
    else
      output.log.problem({
        severity: 'error',
        message: `not a results file of this dispatcher (${checked.error}); left out`,
        where: { file }
      });
  }
  return documents;
}

/**
 * The report job of a sharded run: the shards' results files as one summary, one set of outputs,
 * one results file and one exit status. Nothing is planned nor dispatched; GitHub is not asked.
 */
async function reportMergedResults(pattern: string, settings: Settings, output: JobOutput, state: JobState): Promise<JobResult> {
  const { log } = output;
  state.reported = true;
  const documents = await readResultsFiles(pattern, output);
  if (documents.length === 0) {
    const failure = `${Inputs.MergeResults}: no results file matches ${pattern}: no job of this run reported (did they run, and upload their results?)`;
    log.problem({ severity: 'error', message: failure });
    await output.summary(`## Image rebuilds\n\n> ⚠️ ${failure}\n`, `${failure}\n`);
    return { exitCode: 1, failure };
  }
  const merged = mergeResultsDocuments(documents);
  for (const problem of merged.problems) log.problem({ severity: 'error', message: problem });
  const reportErrors = log.problems.filter((p) => p.severity === 'error').length;
  const notes = [...merged.problems, ...merged.notes];
  const scope = { ...merged.scope, createdAt: documents[0]?.document.planCreatedAt ?? '' };
  const document = resultsDocument(scope, merged.results, notes);
  const failures = await writeResultsReport(merged.scope, merged.results, settings, linksOf(state, settings), output, notes, document);
  for (const problem of resultProblems(merged.results)) log.problem(problem);
  for (const failure of failures) log.problem({ severity: 'error', message: failure });
  log.info(describeTotals(countResults(merged.results)));
  if (settings.failureIssue && settings.auth) {
    const connection = await connect({ apiUrl: settings.apiUrl, org: merged.scope.org, auth: settings.auth, log });
    await keepFailureIssue(settings.failureIssue.repo, connection, merged.scope, merged.results, [], settings, output);
  }
  const status = exitStatus(settings.failOn, { planningErrors: reportErrors, results: merged.results });
  const failure = [...(status.code === 1 ? [status.failure] : []), ...failures].join('; ');
  return failure ? { exitCode: 1, results: merged.results, failure } : { exitCode: 0, results: merged.results };
}
