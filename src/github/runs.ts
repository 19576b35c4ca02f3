import type { FailedJob } from '../dispatch/build-result.js';
import type { Octokit } from './client.js';
import type { RunSnapshot } from '../dispatch/correlate.js';
import { httpStatus } from '../errors.js';

interface RawRun {
  id: number;
  workflow_id: number;
  head_branch: string | null;
  event: string;
  status: string | null;
  conclusion: string | null;
  created_at: string;
  html_url: string;
  run_attempt?: number;
  actor?: { login: string } | null;
  triggering_actor?: { login: string } | null;
}

function snapshot(run: RawRun): RunSnapshot {
  return {
    id: run.id,
    workflowId: run.workflow_id,
    headBranch: run.head_branch,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    actor: run.triggering_actor?.login ?? run.actor?.login,
    createdAt: Date.parse(run.created_at),
    htmlUrl: run.html_url,
    runAttempt: run.run_attempt ?? 1
  };
}

/**
 * Pages of a run listing read at most: GitHub answers at most 1,000 runs to a listing filtered by
 * `event` or `created` (documented for GET …/actions/runs), which is 10 pages of 100; a page past
 * them would come back empty.
 */
const FILTERED_LISTING_PAGES = 10;

export interface ListRunsOptions {
  /** Only runs created at or after this time (GitHub's `created` filter, second precision). */
  createdSince: number;
  /** The workflows whose runs matter, for servers that only list runs per workflow. */
  workflowIds: number[];
}

type RunSource = { kind: 'repo'; repo: string } | { kind: 'workflow'; repo: string; workflowId: number };

/**
 * Reads workflow runs with conditional requests: each listing remembers its ETag and sends
 * If-None-Match, so an unchanged listing costs a 304 that GitHub does not count against the limit.
 */
export class RunReader {
  private readonly cache = new Map<string, { etag: string; runs: RunSnapshot[]; more: boolean }>();
  private readonly perWorkflow = new Set<string>();
  notModified = 0;

  constructor(
    private readonly octokit: Octokit,
    private readonly owner: string
  ) {}

  /**
   * workflow_dispatch runs of a repo's workflows since a time: one request per page for the whole
   * repo; per workflow on a server without the repository-wide listing (remembered per repo).
   */
  async listDispatchRuns(repo: string, options: ListRunsOptions): Promise<RunSnapshot[]> {
    const created = `>=${new Date(Math.floor(options.createdSince / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z')}`;
    if (!this.perWorkflow.has(repo)) {
      try {
        return await this.allPages({ kind: 'repo', repo }, created);
      } catch (error) {
        if (httpStatus(error) !== 404) throw error;
        this.perWorkflow.add(repo);
      }
    }
    const lists = await Promise.all(options.workflowIds.map((id) => this.allPages({ kind: 'workflow', repo, workflowId: id }, created)));
    return lists.flat();
  }

  private async allPages(source: RunSource, created: string): Promise<RunSnapshot[]> {
    const runs: RunSnapshot[] = [];
    for (let page = 1; page <= FILTERED_LISTING_PAGES; page++) {
      const batch = await this.conditionalPage(source, created, page);
      runs.push(...batch.runs);
      if (!batch.more) break;
    }
    return runs;
  }

  private async conditionalPage(source: RunSource, created: string, page: number): Promise<{ runs: RunSnapshot[]; more: boolean }> {
    const key = `${source.repo} ${source.kind === 'workflow' ? source.workflowId : '*'} ${created} ${page}`;
    const cached = this.cache.get(key);
    const parameters = {
      owner: this.owner,
      repo: source.repo,
      event: 'workflow_dispatch',
      created,
      per_page: 100,
      page,
      headers: cached ? { 'if-none-match': cached.etag } : {}
    };
    try {
      const response =
        source.kind === 'repo'
          ? await this.octokit.request('GET /repos/{owner}/{repo}/actions/runs', parameters)
          : await this.octokit.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', {
              ...parameters,
              workflow_id: source.workflowId
            });
      const runs = response.data.workflow_runs.map((r) => snapshot(r as RawRun));
      const more = /rel="next"/.test(response.headers.link ?? '');
      const etag = response.headers.etag;
      if (etag) this.cache.set(key, { etag, runs, more });
      return { runs, more };
    } catch (error) {
      if (httpStatus(error) === 304 && cached) {
        this.notModified++;
        return { runs: cached.runs, more: cached.more };
      }
      throw error;
    }
  }

  async getRun(repo: string, runId: number): Promise<RunSnapshot> {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', {
      owner: this.owner,
      repo,
      run_id: runId
    });
    return snapshot(data as RawRun);
  }

  /**
   * The jobs of one attempt of a run that did not succeed, each with its first step that did not
   * succeed: what a person opens first. One page of 100 (a build workflow has a handful of jobs).
   */
  async failedJobs(repo: string, runId: number, attempt: number): Promise<FailedJob[]> {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs', {
      owner: this.owner,
      repo,
      run_id: runId,
      attempt_number: attempt,
      per_page: 100
    });
    const failed = (conclusion: string | null | undefined): boolean =>
      !!conclusion && !['success', 'skipped', 'neutral'].includes(conclusion);
    return data.jobs
      .filter((job) => failed(job.conclusion))
      .map((job) => {
        const step = job.steps?.find((s) => failed(s.conclusion));
        return { name: job.name, url: job.html_url ?? `${job.run_url}`, ...(step ? { step: step.name } : {}) };
      });
  }

  /** Re-run the failed jobs of a completed run: its next attempt, same run id. */
  async rerunFailedJobs(repo: string, runId: number): Promise<void> {
    await this.octokit.request('POST /repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs', {
      owner: this.owner,
      repo,
      run_id: runId,
      // a POST that may have started an attempt is never retried blindly
      request: { retries: 0 }
    });
  }

  /** Ask GitHub to cancel a run; a run that completed meanwhile (409) needs nothing more. */
  async cancelRun(repo: string, runId: number): Promise<void> {
    try {
      await this.octokit.request('POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel', {
        owner: this.owner,
        repo,
        run_id: runId,
        request: { retries: 0 }
      });
    } catch (error) {
      if (httpStatus(error) !== 409) throw error;
    }
  }
}
