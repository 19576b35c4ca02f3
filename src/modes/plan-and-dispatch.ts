import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEGABYTE } from '../bytes.js';
import { BuildRunner, type BuildOptions } from '../dispatch/build-runner.js';
import { BadInputError, CancelledError, describeThrown, errorMessage, unlessAborted } from '../errors.js';
import { writeJsonFile } from '../job-output.js';
import { PhaseLog, type Problem } from '../log.js';
import type { Plan } from '../plan/plan.js';
import { planBuilds } from '../plan/plan.js';
import { readPlanFile } from '../plan/plan-file.js';
import { chartsSkippedNote, planRebuilds, rebuiltImageReader, type Planned, type PlanningInputs } from '../plan/plan-rebuilds.js';
import { verifyRebuilds } from './verify-rebuilds.js';
import { shardOf } from '../plan/shard.js';
import { narrowPlan } from '../plan/only.js';
import { verifyPlan } from '../plan/verify-plan.js';
import { switchOn, optionName } from '../options.js';
import {
  acknowledgeBases,
  buildsToDispatch,
  gapResults,
  inPlanOrder,
  staleAcknowledgements,
  staleBaseAcknowledgements,
  upToDateResults
} from '../report/gaps.js';
import type { JobReport } from '../report/job-report.js';
import type { Settings } from '../settings.js';
import type { ModeContext } from './mode-context.js';
import type { EffectiveRun } from './effective-run.js';
import { counted, inNumber } from '../words.js';

type PlanMode = Extract<Settings['mode'], { kind: 'plan' | 'dispatch' }>;

/**
 * A dry run or a night: the plan (made now, or read with from-plan, whole or a shard), its gaps,
 * then, unless a dry run, its builds dispatched and watched. Whatever stops it after the plan is
 * known (a cancel, a silent server), the report carries the plan and every build dispatched.
 */
export async function planAndDispatch(ctx: ModeContext, mode: PlanMode): Promise<JobReport> {
  const { run, deps } = ctx;
  const { config } = run;
  const fromPlan = mode.fromPlan ? await readGivenPlan(ctx, mode.fromPlan) : undefined;
  if (!fromPlan) checkChartCredentials(run);
  // what the report says, gathered as the run goes; each return below says how the run ended
  const report: Omit<JobReport, 'ending'> = {
    results: [],
    problems: [...ctx.problems],
    carried: [],
    notes: chartsSkippedNote(run.skipCharts && !fromPlan, run.edge)
  };
  const dryRun = mode.kind === 'plan';
  let dispatched = false;
  // planning's problems, kept as values: said by the report's writer, also when planning stops
  const planning = new PhaseLog(deps.output.log);
  const tempRoot = await mkdtemp(join(tmpdir(), 'hms-dispatcher-'));
  try {
    const github = await unlessAborted(
      deps.github({
        org: run.org.value,
        repo: config.configuration['product-stream-repo'],
        timeoutMs: config.configuration.timeouts['github-api-seconds'] * 1000
      }),
      deps.signal
    );
    const planned =
      fromPlan ??
      (await unlessAborted(
        planRebuilds(config, planningInputs(run), github, deps.output, planning, { tempRoot, clock: deps.clock, http: deps.http }),
        deps.signal
      ));
    let plan = mode.shard ? shardOf(planned.plan, mode.shard) : planned.plan;
    const refused: Problem[] = [];
    if (fromPlan) {
      // a plan file is a proposal: each build is checked against this job's configuration before anything is dispatched
      const verified = await unlessAborted(verifyPlan(plan, config, github.planning(plan.repos.map((r) => r.githubRepo))), deps.signal);
      plan = verified.plan;
      refused.push(...verified.problems);
    }
    // only: the plan narrowed to what a person asked for, before any dispatch; a selector that picks nothing stops it
    let unmatched: Problem[] = [];
    if (run.only.length > 0) {
      const narrowed = narrowPlan(plan, run.only);
      plan = narrowed.plan;
      report.headline = narrowed.headline;
      deps.output.log.info(narrowed.headline);
      unmatched = narrowed.unmatched.map((s) => ({
        severity: 'error',
        kind: `Selectors of ${optionName(run.edge, 'only')} that pick nothing`,
        message: `${optionName(run.edge, 'only')}: ${s.text} picks no image of the plan; nothing is dispatched (check its spelling, or run without it to see the plan)`
      }));
    }
    if (mode.shard)
      deps.output.log.info(
        `shard ${mode.shard.index}/${mode.shard.count}: ${counted(planBuilds(plan).length, 'build')} in ${counted(plan.repos.length, 'repo')} (${plan.repos.map((r) => r.githubRepo).join(', ') || 'none'})`
      );
    report.plan = plan;
    report.scope = plan;
    // planning's problems, and the acknowledgements no gap of a plan made now needs
    const today = new Date(deps.clock.now()).toISOString().slice(0, 10);
    const decided = planBuilds(plan).some((b) => b.decision);
    const acknowledgedProblems = acknowledgeBases(planned.problems, config.acknowledged, today);
    const problems = fromPlan
      ? acknowledgedProblems
      : [
          ...acknowledgedProblems,
          ...staleAcknowledgements(plan, config.acknowledged, run.configFile),
          ...(decided ? staleBaseAcknowledgements(acknowledgedProblems, config.acknowledged, run.configFile) : [])
        ];
    // a shard's results file passes the plan's problems on to the report job, which says them once for every shard
    if (!mode.shard) report.problems.push(...problems);
    report.problems.push(...refused);
    report.carried.push(...problems);
    if (run.planFile) await writeJsonFile(run.planFile, { ...plan, problems } satisfies Plan);
    const gaps = gapResults(plan, config.acknowledged, today);
    const upToDate = upToDateResults(plan);
    report.results = inPlanOrder(plan, gaps, upToDate);
    if (dryRun) {
      report.problems.push(...unmatched);
      return { ...report, ending: { kind: 'dry-run' } };
    }
    if (unmatched.length > 0) {
      const refusal = `nothing was dispatched: ${counted(unmatched.length, 'selector')} of ${optionName(run.edge, 'only')} ${inNumber(unmatched.length, 'picks', 'pick')} nothing`;
      report.problems.push(...unmatched);
      return { ...report, ending: { kind: 'not-dispatched', why: refusal } };
    }
    if (planned.partial && run.failOn !== 'never') {
      const refusal = `nothing was dispatched: the plan is partial (see above); ${optionName(run.edge, 'failOn')} never dispatches a partial plan`;
      report.problems.push({ severity: 'error', message: refusal });
      return { ...report, ending: { kind: 'not-dispatched', why: refusal } };
    }
    const dispatching = buildsToDispatch(plan);
    const options = buildOptions(run, plan, deps);
    const runner = new BuildRunner(
      github.builds(dispatching.repos.filter((r) => r.builds.length > 0).map((r) => r.githubRepo)),
      options,
      deps.output.log,
      deps.clock
    );
    dispatched = true;
    const watchEnds = deps.clock.now() + options.timeLimitMs;
    let ending: JobReport['ending'] = { kind: 'watched' };
    try {
      await unlessAborted(runner.run(dispatching), deps.signal);
    } catch (error) {
      // builds were dispatched: report them whatever stopped the watch
      ending = { kind: 'stopped', why: describeThrown(error), cause: causeOf(error), dispatched: true, dryRun };
      if (!(error instanceof CancelledError) && error instanceof Error && error.stack) deps.output.log.debug(error.stack);
    } finally {
      report.results = inPlanOrder(plan, runner.resultsSoFar(dispatching), gaps, upToDate);
      report.notes.push(...runner.notes);
      report.problems.push(...runner.problems);
    }
    if (ending.kind === 'watched' && !deps.signal?.aborted) {
      // proof that the fix shipped: what was rebuilt for package upgrades is read again, within the time limit
      const verified = await verifyRebuilds(
        plan,
        report.results,
        rebuiltImageReader(config, planningInputs(run), deps.http),
        () => watchEnds - deps.clock.now()
      );
      report.results = verified.results;
      report.problems.push(...verified.problems);
    }
    return { ...report, ending };
  } catch (error) {
    if (error instanceof BadInputError) throw error;
    // the plan is not known (or not all of it): the report says where the job stopped, and what planning found until then
    if (!report.plan) {
      report.notes.push('Nothing was dispatched: the job stopped while planning.');
      report.problems.push(...planning.problems);
    }
    if (!(error instanceof CancelledError) && error instanceof Error && error.stack) deps.output.log.debug(error.stack);
    return { ...report, ending: { kind: 'stopped', why: describeThrown(error), cause: causeOf(error), dispatched, dryRun } };
  } finally {
    await rm(tempRoot, { recursive: true, force: true });
  }
}

/** A cancel is not an error of the job's own. */
function causeOf(error: unknown): 'cancelled' | 'error' {
  return error instanceof CancelledError ? 'cancelled' : 'error';
}

/** The plan of from-plan, or bad input naming the file. */
async function readGivenPlan(ctx: ModeContext, file: string): Promise<Planned> {
  let plan: Plan;
  try {
    plan = await readPlanFile(
      file,
      { org: ctx.run.org.value, productStreamRepo: ctx.run.config.configuration['product-stream-repo'] },
      ctx.deps.clock.now(),
      ctx.run.config.configuration.limits['plan-megabytes'] * MEGABYTE
    );
  } catch (error) {
    throw new BadInputError(errorMessage(error), { cause: error });
  }
  ctx.deps.output.log.info(
    `plan: ${file}, made ${plan.createdAt}: ${counted(planBuilds(plan).length, 'build')} in ${counted(plan.repos.length, 'repo')}`
  );
  const { problems = [], ...rest } = plan;
  return { plan: rest, problems };
}

/** What planning needs of the run: values settled, nothing left to choose. */
function planningInputs(run: EffectiveRun): PlanningInputs {
  return {
    edge: run.edge,
    org: run.org.value,
    serverUrl: run.serverUrl,
    skipCharts: run.skipCharts,
    helmDownload: run.helmDownload,
    chartCredentials: run.chartCredentials,
    chartRewrites: run.chartRewrites,
    rebuild: run.rebuild.value,
    maxAgeMs: run.maxAgeMs.value,
    registryCredentials: run.registryCredentials
      ? { ...run.registryCredentials.value, chartHostOnly: run.registryCredentials.chartHostOnly }
      : undefined,
    registryRewrites: run.registryRewrites,
    registryHosts: run.registryHosts,
    packageIndexRewrites: run.packageIndexRewrites,
    packageIndexCredentials: run.packageIndexCredentials,
    runnerFolders: run.runnerFolders
  };
}

/** Chart credentials are known to be missing before any download, with what to set. */
function checkChartCredentials(run: EffectiveRun): void {
  const { config, edge } = run;
  if (run.skipCharts || run.chartCredentials || !config.configuration['chart-credentials-required']) return;
  if (config['helm-repo-lookup'].length === 0) return;
  const name = (key: 'chartRepoUsername' | 'chartRepoPassword'): string => optionName(edge, key);
  throw new BadInputError(
    `${name('chartRepoUsername')} and ${name('chartRepoPassword')} are not set, and the chart repository needs them ` +
      `(configuration.chart-credentials-required): set them${edge === 'action' ? ' from secrets' : ''}, or set ` +
      `${switchOn(edge, 'skipCharts')} to plan without the images of the manifests' charts` +
      (edge === 'action' ? ' (pull requests from forks get no secrets)' : '')
  );
}

/** Run settings of the build phase, from the configuration and the inputs; the window of skip-succeeded-within on the job's clock. */
export function buildOptions(
  run: Pick<EffectiveRun, 'config' | 'skipSucceededWithin' | 'maxParallel'>,
  plan: Pick<Plan, 'createdAt'>,
  deps: { clock: { now(): number }; signal?: AbortSignal }
): BuildOptions {
  const c = run.config.configuration;
  const skip = run.skipSucceededWithin;
  return {
    ...(skip ? { skipSucceededSince: skip.kind === 'plan' ? Date.parse(plan.createdAt) : deps.clock.now() - skip.ms } : {}),
    maxParallel: run.maxParallel.value,
    pollIntervalMs: c['sleep-duration-seconds'] * 1000,
    timeLimitMs: c['time-limit-minutes'] * 60_000,
    // the original waited webhook-sleep-seconds once; look for the run with backoff up to six times that
    correlationWindowMs: Math.max(c['webhook-sleep-seconds'] * 6, 10) * 1000,
    attachToRunning: c['attach-to-running-builds'],
    cancelOnTimeout: c['cancel-on-timeout'],
    retryFailedBuilds: c['retry-failed-builds'],
    ...(deps.signal ? { signal: deps.signal } : {})
  };
}
