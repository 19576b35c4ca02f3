import pLimit from 'p-limit';
import type { Log, Problem } from '../log.js';
import type { Plan, PlannedImage, PlannedWorkflow } from '../plan/plan.js';
import { buildKey, planBuilds, planImages } from '../plan/plan.js';
import type { DispatchAnswer } from '../github/dispatch.js';
import type { BuildResult } from './build-result.js';
import { resultFor, type FailedJob } from './build-result.js';
import {
  attachedTo,
  concluded,
  dispatchedAs,
  lookForRun,
  noRunFound,
  notDispatched,
  observed,
  outcomeSoFar,
  QUEUED,
  rerunAsked,
  runFound,
  sending,
  succeededRecently,
  timedOut,
  type BuildState,
  type Running
} from './build-state.js';
import type { Clock } from './clock.js';
import type { RunSnapshot } from './correlate.js';
import { CLOCK_SKEW_MS, findRunningBuild, tieDispatchToRun } from './correlate.js';
import { errorMessage, rethrowIfFatal } from '../errors.js';
import { formatDuration } from '../duration.js';
import { pollIntervalFor, type RateBudget } from './poll-interval.js';
import { DispatchPacer, GITHUB_DISPATCH_BUDGET, type DispatchBudget } from './dispatch-pacer.js';
import { counted, inNumber } from '../words.js';

/** The GitHub calls the build runner makes; real ones in src/github, passed in. */
export interface BuildApi {
  dispatch(repo: string, workflowId: number, ref: string): Promise<DispatchAnswer>;
  listDispatchRuns(repo: string, createdSince: number, workflowIds: number[]): Promise<RunSnapshot[]>;
  getRun(repo: string, runId: number): Promise<RunSnapshot>;
  cancelRun(repo: string, runId: number): Promise<void>;
  /** Re-run the failed jobs of a completed run (its next attempt). */
  rerunFailedJobs(repo: string, runId: number): Promise<void>;
  /** The jobs of one attempt of a run that did not succeed, with their first failed step (read for failed builds only). */
  failedJobs(repo: string, runId: number, attempt: number): Promise<FailedJob[]>;
  /** The login whose dispatches create the runs (`<app>[bot]`), when it can be known. */
  dispatcherLogin(): Promise<string | undefined>;
  /** The primary rate limit left, as GitHub last said. */
  rateBudget(): RateBudget | undefined;
}

export interface BuildOptions {
  maxParallel: number;
  pollIntervalMs: number;
  timeLimitMs: number;
  /** How long a dispatched run may take to show up in the run listings (from webhook-sleep-seconds). */
  correlationWindowMs: number;
  attachToRunning: boolean;
  cancelOnTimeout: boolean;
  /** A build with a successful dispatched run at its tag created at or after this time is not dispatched again (`skip-succeeded-within`). */
  skipSucceededSince?: number;
  /** Re-runs of the failed jobs of a build that concluded `failure` (0: none). */
  retryFailedBuilds: number;
  /** Content-creating requests (dispatches, re-runs) allowed per minute and per hour; GitHub's limits with headroom by default. */
  dispatchBudget?: DispatchBudget;
  /** The job was cancelled: dispatch nothing more, stop waiting (the report takes `resultsSoFar`). */
  signal?: AbortSignal;
}

/** One workflow run to obtain: a (repo, workflow, ref), every planned image it builds, and where it is. */
interface BuildJob {
  readonly repo: string;
  readonly workflow: PlannedWorkflow;
  readonly ref: string;
  readonly images: readonly PlannedImage[];
  /** Why it is dispatched: the rebuild decision's reason, or `rebuild: always`. */
  readonly why: string;
  /** Changed only through the transitions of build-state.ts. */
  state: BuildState;
  /** A failed build's failed jobs and steps, read once it ended. */
  failedJobs?: FailedJob[];
}

/** The time of the run a build's listings must reach back to: its run's creation, else its first dispatch. */
function listedSince(state: BuildState): number {
  if (state.kind === 'running') return state.run.createdAt;
  if (state.kind === 'sending' || state.kind === 'correlating') return state.sends.firstAt;
  return Infinity;
}

const isActive = (job: BuildJob): boolean => job.state.kind === 'running' || job.state.kind === 'correlating';

/** How far back the first run listing reaches: builds dispatched by yesterday's job may still be running (to attach to them). */
const RUNS_LOOKBACK_MS = 24 * 3600_000;
/** GitHub requests of the runner in flight at once (run listings of several repos), well under GitHub's 100 concurrent. */
const CONCURRENT_REQUESTS = 8;
/** Dispatch requests per build at most: each one after the first only when the run of every earlier one was looked for and not found. */
export const MAX_DISPATCH_SENDS = 4;

/** Plan → dispatched, correlated and monitored builds → one result per planned image. */
export class BuildRunner {
  private readonly jobs = new Map<string, BuildJob>();
  private readonly takenRunIds = new Set<number>();
  private readonly knownRuns = new Map<string, Map<number, RunSnapshot>>();
  private actor: string | undefined;
  private pollStretched = false;
  private readonly pacer: DispatchPacer;
  /** What the report must say besides the results (when dispatching cannot fit in the time limit). */
  readonly notes: string[] = [];
  /** Problems found while dispatching (the time limit cannot hold every dispatch): the mode adds them to its report. */
  readonly problems: Problem[] = [];
  /** When the time limit passes (set when dispatching starts). */
  private deadline = Infinity;
  private readonly apiLimit = pLimit(CONCURRENT_REQUESTS);

  constructor(
    private readonly api: BuildApi,
    private readonly options: BuildOptions,
    private readonly log: Log,
    private readonly clock: Clock
  ) {
    this.pacer = new DispatchPacer(options.dispatchBudget);
  }

  async run(plan: Plan): Promise<BuildResult[]> {
    this.takeBuilds(plan);
    const jobs = [...this.jobs.values()];
    if (jobs.length > 0) await this.log.group(`Dispatch and monitor ${counted(jobs.length, 'build')}`, () => this.dispatchAndMonitor(jobs));
    await this.readFailedJobs(jobs);
    return this.resultsSoFar(plan);
  }

  /**
   * For each build that failed, its failed jobs and steps, read from the run's last attempt: the
   * report names them and links their logs. One request per failed build; a refusal is a log line.
   */
  private async readFailedJobs(jobs: readonly BuildJob[]): Promise<void> {
    const failed = jobs.filter((job) => job.state.kind === 'done' && job.state.outcome === 'failed' && job.state.run);
    await Promise.all(
      failed.map((job) =>
        this.apiLimit(async () => {
          if (job.state.kind !== 'done' || !job.state.run || this.options.signal?.aborted) return;
          const { run } = job.state;
          try {
            job.failedJobs = (await this.api.failedJobs(job.repo, run.id, job.state.awaitedAttempt ?? run.runAttempt)).slice(0, 20);
          } catch (error) {
            this.log.info(`${job.repo} ${job.ref}: cannot read the jobs of run ${run.id} (${errorMessage(error)})`);
          }
        })
      )
    );
  }

  /** One job per build of the plan, holding the planned images it builds. */
  private takeBuilds(plan: Plan): void {
    for (const repo of plan.repos) {
      const images = new Map(repo.images.map((i) => [i.fullImage, i]));
      for (const build of repo.builds) {
        const key = buildKey(build);
        if (this.jobs.has(key)) continue;
        const built = build.images.map((i) => images.get(i)).filter((i): i is PlannedImage => i !== undefined);
        const why = build.decision ? build.decision.why : 'rebuild: always';
        this.jobs.set(key, { repo: build.githubRepo, workflow: build.workflow, ref: build.gitTag, images: built, why, state: QUEUED });
      }
    }
    const builds = planBuilds(plan).length;
    if (this.jobs.size !== builds)
      this.log.info(
        `${counted(builds - this.jobs.size, 'build')} of the plan ${inNumber(builds - this.jobs.size, 'is', 'are')} repeats; each is dispatched once`
      );
  }

  // ------------------------------------------------------------ dispatch and monitor

  private async dispatchAndMonitor(jobs: BuildJob[]): Promise<void> {
    const start = this.clock.now();
    const deadline = start + this.options.timeLimitMs;
    this.deadline = deadline;
    const queue = [...jobs];
    this.foreseeDispatches(queue.length, start, deadline);
    this.actor = await this.api.dispatcherLogin().catch(() => undefined);
    await this.snapshotRepos(
      [...new Set(jobs.map((j) => j.repo))],
      Math.min(start - RUNS_LOOKBACK_MS, this.options.skipSucceededSince ?? Infinity)
    );
    let cycle = 0;
    let backoffMs = 1000;
    const { signal } = this.options;
    for (;;) {
      if (signal?.aborted) return;
      await this.fillSlots(queue, jobs, deadline);
      const active = jobs.filter(isActive);
      if (active.length === 0 && queue.length === 0) break;
      if (this.clock.now() >= deadline) {
        // one last look, so builds that finished in time are not reported as timed out
        await this.poll(active);
        await this.expire(jobs, queue);
        break;
      }
      const correlating = active.some((j) => j.state.kind === 'correlating');
      // one listing per repo with builds in flight; stretched before GitHub's hourly budget runs out
      const interval = this.pollInterval(new Set(active.map((j) => j.repo)).size);
      let wait = correlating ? Math.min(backoffMs, interval) : interval;
      // builds waiting only for the dispatch budget go as soon as it allows
      if (queue.length > 0 && active.length < this.options.maxParallel)
        wait = Math.min(wait, Math.max(1000, this.pacer.nextSlot(this.clock.now()) - this.clock.now()));
      backoffMs = correlating ? Math.min(backoffMs * 2, Math.max(1000, this.options.correlationWindowMs / 4)) : 1000;
      await untilAborted(this.clock.sleep(Math.min(wait, Math.max(0, deadline - this.clock.now())), signal), signal);
      if (signal?.aborted) return;
      await this.poll(active);
      cycle++;
      this.log.progress(`cycle ${cycle}: ${this.describeCounts(jobs, queue.length)}`);
    }
  }

  /** Say up front when the last dispatch will go, and when the time limit cannot hold them all. */
  private foreseeDispatches(count: number, start: number, deadline: number): void {
    const times = this.pacer.schedule(count, start);
    const last = times.at(-1) ?? start;
    const budget = this.options.dispatchBudget ?? GITHUB_DISPATCH_BUDGET;
    const limits = `${budget.perMinute} a minute, ${budget.perHour} an hour`;
    if (last >= deadline) {
      const fit = times.filter((t) => t < deadline).length;
      const note =
        `the time limit (${formatDuration(this.options.timeLimitMs)}) cannot hold the dispatch of all ${counted(count, 'build')} within GitHub's ` +
        `limits on dispatches (${limits}): about ${fit} will be dispatched, the others are reported as not dispatched`;
      this.notes.push(note);
      this.problems.push({ severity: 'warning', message: note });
    } else if (last - start > 10 * 60_000) {
      const note = `dispatching ${counted(count, 'build')} within GitHub's limits (${limits}) takes until about ${new Date(last).toISOString()}`;
      this.notes.push(note);
      this.log.info(note);
    }
  }

  /** The poll interval for this cycle; said once each time the rate limit stretches it. */
  private pollInterval(requestsPerCycle: number): number {
    const base = this.options.pollIntervalMs;
    const budget = this.api.rateBudget();
    const interval = pollIntervalFor(base, budget, requestsPerCycle, this.clock.now());
    // stretched as a person reads it: `1 s instead of 1 s` is no news
    const stretched = formatDuration(interval) !== formatDuration(base) && interval > base;
    if (stretched !== this.pollStretched && budget) {
      this.log.info(
        stretched
          ? `GitHub API budget: ${counted(budget.remaining, 'request')} left until ${new Date(budget.resetAt).toISOString()}; polling every ${formatDuration(interval)} instead of ${formatDuration(base)}`
          : `GitHub API budget: ${counted(budget.remaining, 'request')} left; polling every ${formatDuration(base)} again`
      );
    }
    this.pollStretched = stretched;
    return interval;
  }

  private describeCounts(jobs: BuildJob[], queued: number): string {
    const counts = new Map<string, number>();
    const add = (k: string): void => void counts.set(k, (counts.get(k) ?? 0) + 1);
    for (const { state } of jobs) {
      if (state.kind === 'queued') continue;
      if (state.kind === 'correlating' || state.kind === 'sending') add('finding run');
      else if (state.kind === 'running') add(state.run.status ?? 'unknown');
      else add(state.outcome);
    }
    const parts = [...counts.entries()].map(([k, v]) => `${v} ${k}`);
    if (queued > 0) parts.unshift(`${queued} waiting to dispatch`);
    return parts.join(', ') || 'nothing in flight';
  }

  /** Runs of each repo now (for attaching to builds still going, and as the baseline of correlation). */
  private async snapshotRepos(repos: string[], since: number): Promise<void> {
    await Promise.all(
      repos.map((repo) =>
        this.apiLimit(async () => {
          try {
            this.remember(repo, await this.api.listDispatchRuns(repo, since, this.workflowIdsOf(repo)));
          } catch (error) {
            rethrowIfFatal(error);
            this.log.info(
              `${repo}: cannot list workflow runs before dispatching (${errorMessage(error)}); not attaching to running builds`
            );
          }
        })
      )
    );
  }

  private workflowIdsOf(repo: string): number[] {
    return [...new Set([...this.jobs.values()].filter((j) => j.repo === repo).map((j) => j.workflow.id))];
  }

  private remember(repo: string, runs: RunSnapshot[]): void {
    const known = this.knownRuns.get(repo) ?? new Map<number, RunSnapshot>();
    for (const run of runs) known.set(run.id, run);
    this.knownRuns.set(repo, known);
  }

  private async fillSlots(queue: BuildJob[], jobs: BuildJob[], deadline: number): Promise<void> {
    for (;;) {
      if (this.clock.now() >= deadline || this.options.signal?.aborted) return;
      const inFlight = jobs.filter(isActive).length;
      if (inFlight >= this.options.maxParallel || queue.length === 0) return;
      if (this.pacer.nextSlot(this.clock.now()) > this.clock.now()) return;
      const job = queue.shift() as BuildJob;
      await this.start(job);
    }
  }

  private async start(job: BuildJob): Promise<void> {
    if (job.state.kind !== 'queued') return;
    const known = [...(this.knownRuns.get(job.repo)?.values() ?? [])];
    // GitHub's created_at has whole seconds: a run created in the same second as the window's start is in it
    const since = this.options.skipSucceededSince === undefined ? undefined : Math.floor(this.options.skipSucceededSince / 1000) * 1000;
    if (since !== undefined) {
      const recent = known
        .filter((r) => r.workflowId === job.workflow.id && r.headBranch === job.ref && r.conclusion === 'success' && r.createdAt >= since)
        .sort((a, b) => b.createdAt - a.createdAt)[0];
      if (recent) {
        const reason = `run ${recent.id} built it at ${new Date(recent.createdAt).toISOString()} (skip-succeeded-within)`;
        job.state = succeededRecently(job.state, recent, reason);
        this.log.info(`${job.repo} ${job.ref}: ${reason}; not dispatched again`);
        return;
      }
    }
    if (this.options.attachToRunning) {
      const running = findRunningBuild(
        job.workflow.id,
        job.ref,
        known.filter((r) => !this.takenRunIds.has(r.id)),
        this.actor
      );
      if (running) {
        this.takenRunIds.add(running.id);
        job.state = attachedTo(job.state, running);
        this.log.info(`${job.repo} ${job.ref}: attached to run ${running.id} (${running.status}) instead of dispatching again`);
        return;
      }
    }
    await this.send(job, new Set(known.filter((r) => r.workflowId === job.workflow.id).map((r) => r.id)));
  }

  /** Send a dispatch (the first, or another after a lost answer whose run was not found) and take its answer. */
  private async send(job: BuildJob, knownRunIds: Set<number>): Promise<void> {
    if (job.state.kind !== 'queued' && job.state.kind !== 'correlating') return;
    const sentAt = this.clock.now();
    const out = sending(job.state, sentAt, knownRunIds);
    job.state = out;
    this.pacer.record(sentAt);
    const answer = await this.api.dispatch(job.repo, job.workflow.id, job.ref);
    switch (answer.kind) {
      case 'run':
        this.takenRunIds.add(answer.runId);
        job.state = dispatchedAs(out, {
          id: answer.runId,
          workflowId: job.workflow.id,
          headBranch: job.ref,
          event: 'workflow_dispatch',
          status: 'queued',
          conclusion: null,
          actor: undefined,
          createdAt: sentAt,
          htmlUrl: answer.htmlUrl,
          runAttempt: 1
        });
        this.log.info(`${job.repo} ${job.ref}: dispatched ${job.workflow.path}, run ${answer.runId}`);
        return;
      case 'accepted':
      case 'lost': {
        const lost = answer.kind === 'lost' ? answer.message : undefined;
        job.state = lookForRun(out, sentAt + this.options.correlationWindowMs, lost);
        this.log.info(
          lost !== undefined
            ? `${job.repo} ${job.ref}: the dispatch answer was lost (${lost}); looking for the run before dispatching again`
            : `${job.repo} ${job.ref}: dispatched ${job.workflow.path}; looking for its run`
        );
        return;
      }
      case 'refused': {
        const reason = `GitHub refused the dispatch of ${job.workflow.path} at ${job.ref} (${answer.status}: ${answer.message})`;
        job.state = notDispatched(out, reason);
        this.log.info(`${job.repo} ${job.ref}: ${reason}`);
      }
    }
  }

  private async poll(active: BuildJob[]): Promise<void> {
    const byRepo = new Map<string, BuildJob[]>();
    for (const job of active) byRepo.set(job.repo, [...(byRepo.get(job.repo) ?? []), job]);
    await Promise.all(
      [...byRepo.entries()].map(([repo, repoJobs]) =>
        this.apiLimit(async () => {
          const since = Math.min(...repoJobs.map((j) => listedSince(j.state))) - CLOCK_SKEW_MS;
          let runs: RunSnapshot[];
          try {
            runs = await this.api.listDispatchRuns(repo, since, this.workflowIdsOf(repo));
          } catch (error) {
            rethrowIfFatal(error);
            this.log.info(`${repo}: cannot list workflow runs (${errorMessage(error)}); trying again next cycle`);
            return;
          }
          this.remember(repo, runs);
          const byId = new Map(runs.map((r) => [r.id, r]));
          for (const job of repoJobs) await this.update(job, byId, runs);
        })
      )
    );
  }

  private async update(job: BuildJob, byId: Map<number, RunSnapshot>, runs: RunSnapshot[]): Promise<void> {
    const state = job.state;
    if (state.kind === 'correlating') {
      const run = tieDispatchToRun(
        { workflowId: job.workflow.id, ref: job.ref, sentAt: state.sends.firstAt, knownRunIds: state.knownRunIds, actor: this.actor },
        runs,
        this.takenRunIds
      );
      if (run) {
        this.takenRunIds.add(run.id);
        job.state = runFound(state, run);
        this.log.info(`${job.repo} ${job.ref}: run ${run.id} is the one dispatched`);
        return;
      }
      if (this.clock.now() < state.until) return;
      if (state.answerLost && state.sends.count < MAX_DISPATCH_SENDS) {
        // a resend is a dispatch too: it waits for the budget
        if (this.pacer.nextSlot(this.clock.now()) > this.clock.now()) return;
        this.log.info(
          `${job.repo} ${job.ref}: no run appeared for the lost dispatch; dispatching again (send ${state.sends.count + 1} of at most ${MAX_DISPATCH_SENDS})`
        );
        await this.send(job, new Set([...state.knownRunIds, ...runs.map((r) => r.id)]));
        return;
      }
      const window = `${Math.round(this.options.correlationWindowMs / 1000)} s`;
      const reason = state.answerLost
        ? `every one of ${state.sends.count} dispatches of ${job.workflow.path} at ${job.ref} was lost (last: ${state.sends.lost ?? 'no answer'}), and no matching run appeared within ${window} of any`
        : `dispatched ${job.workflow.path} at ${job.ref}, but no matching run appeared within ${window}`;
      job.state = noRunFound(state, reason);
      this.log.info(`${job.repo} ${job.ref}: ${reason}`);
      return;
    }
    if (state.kind !== 'running') return;
    let run = byId.get(state.run.id);
    if (!run) {
      try {
        run = await this.api.getRun(job.repo, state.run.id);
      } catch (error) {
        rethrowIfFatal(error);
        this.log.debug(`${job.repo}: run ${state.run.id} not readable yet (${errorMessage(error)})`);
        return;
      }
    }
    // a listing may still show the attempt before the re-run: it says nothing of the new one
    if (run.runAttempt < state.awaitedAttempt) return;
    const now = observed(state, run);
    job.state = now;
    if (run.status !== 'completed') return;
    if (run.conclusion === 'failure' && now.attempts.length < this.options.retryFailedBuilds && this.clock.now() < this.deadline) {
      const rerun = await this.rerunFailedJobs(job, now, run);
      // 'later': the dispatch budget is spent for now; the next cycle asks again
      if (rerun !== 'refused') return;
    }
    job.state = concluded(now, run);
  }

  /** Ask for the next attempt of a failed run; `refused` when GitHub will not (the failure stands). */
  private async rerunFailedJobs(job: BuildJob, state: Running, run: RunSnapshot): Promise<'asked' | 'later' | 'refused'> {
    if (this.pacer.nextSlot(this.clock.now()) > this.clock.now()) return 'later';
    this.pacer.record(this.clock.now());
    try {
      await this.api.rerunFailedJobs(job.repo, run.id);
    } catch (error) {
      rethrowIfFatal(error);
      this.log.info(`${job.repo} ${job.ref}: cannot re-run the failed jobs of run ${run.id} (${errorMessage(error)})`);
      return 'refused';
    }
    const next = rerunAsked(state, run, attemptUrl(run));
    job.state = next;
    this.log.info(`${job.repo} ${job.ref}: run ${run.id} failed; re-running its failed jobs (attempt ${next.awaitedAttempt})`);
    return 'asked';
  }

  private async expire(jobs: BuildJob[], queue: BuildJob[]): Promise<void> {
    const limit = formatDuration(this.options.timeLimitMs);
    for (const job of queue.splice(0))
      if (job.state.kind === 'queued') job.state = notDispatched(job.state, `time limit (${limit}) reached before it could be dispatched`);
    for (const job of jobs) {
      const state = job.state;
      if (state.kind === 'correlating') job.state = noRunFound(state, 'time limit reached while looking for its run');
      if (state.kind !== 'running') continue;
      // a build whose failed jobs were re-run shows its earlier, completed attempt until the new one starts
      const waitingForRetry = state.awaitedAttempt > state.run.runAttempt;
      let reason = waitingForRetry
        ? `waiting for its re-run (attempt ${state.awaitedAttempt}) to start when the time limit (${limit}) passed`
        : `still ${state.run.status ?? 'running'} when the time limit (${limit}) passed`;
      if (this.options.cancelOnTimeout) {
        try {
          await this.api.cancelRun(job.repo, state.run.id);
          reason += '; cancelled';
        } catch (error) {
          reason += `; cancelling failed: ${errorMessage(error)}`;
        }
      }
      job.state = timedOut(state, reason);
    }
  }

  // ------------------------------------------------------------ results

  /**
   * One result per image with a build, at any moment: at the end of run(), or when the job stops early
   * (a failure, a cancel), builds still going are `running` with their run link and last status.
   */
  resultsSoFar(plan: Plan): BuildResult[] {
    const fromJobs = new Map<PlannedImage, BuildResult>();
    for (const job of this.jobs.values()) {
      const { state } = job;
      const { outcome, reason } = outcomeSoFar(state);
      const run = state.kind === 'running' || state.kind === 'done' ? state.run : undefined;
      const attempts = state.kind === 'running' || state.kind === 'done' ? state.attempts : [];
      const awaited = state.kind === 'running' || state.kind === 'done' ? state.awaitedAttempt : undefined;
      const via = state.kind === 'running' || state.kind === 'done' ? state.via : state.kind === 'queued' ? undefined : 'dispatched';
      job.images.forEach((image, i) => {
        const result: BuildResult = {
          ...resultFor(image, outcome, reason),
          workflow: { id: job.workflow.id, name: job.workflow.name, path: job.workflow.path },
          why: job.why,
          ...(job.failedJobs && job.failedJobs.length > 0 ? { failedJobs: job.failedJobs } : {}),
          ...(run ? { runId: run.id, runUrl: run.htmlUrl, status: run.status ?? undefined, conclusion: run.conclusion } : {}),
          ...(attempts.length > 0 && run
            ? {
                attempts: [...attempts, { attempt: awaited ?? run.runAttempt, conclusion: run.conclusion, url: attemptUrl(run, awaited) }]
              }
            : {}),
          ...(via ? { via: i === 0 || via === 'recent' ? via : 'shared' } : {})
        };
        fromJobs.set(image, result);
      });
    }
    // the images without a build are the plan's gaps: the job reports them (report/gaps.ts)
    return planImages(plan).flatMap((image) => fromJobs.get(image) ?? []);
  }
}

/** Wait for `work`, or less when the signal aborts first. */
function untilAborted(work: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return work;
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done);
    void work.then(done, done);
  });
}

/** The page of one attempt of a run (`…/actions/runs/7/attempts/2`). */
function attemptUrl(run: RunSnapshot, attempt = run.runAttempt): string {
  return `${run.htmlUrl.replace(/\/attempts\/\d+$/, '')}/attempts/${attempt}`;
}
