import type { Octokit } from './client.js';
import { errorMessage, httpStatus } from '../errors.js';
import { dispatchAsksForRunDetails, type RestApiVersion } from './api-version.js';

/** What the dispatch endpoint answered. */
export type DispatchAnswer =
  /** 200 with run details (REST API 2026-03-10; 2022-11-28 with return_run_details on github.com and GHES 3.21+). */
  | { kind: 'run'; runId: number; htmlUrl: string }
  /** 204: dispatched, the run must be found by correlation. */
  | { kind: 'accepted' }
  /** 4xx: GitHub refused; nothing was dispatched. */
  | { kind: 'refused'; status: number; message: string }
  /** No answer (network error, 5xx): a run may or may not exist. */
  | { kind: 'lost'; message: string };

const RUN_DETAILS_REFUSED = /return_run_details/;

/**
 * Sends workflow dispatches. REST API 2026-03-10 (github.com) always answers with the run's details.
 * With 2022-11-28 (GitHub Enterprise Server) it asks for them with `return_run_details`; a server
 * that does not know the key (3.20 and older answer 400) gets the dispatch again without it, once,
 * and every later dispatch of the run without it. A dispatch is never retried on its own: a lost
 * answer is reported so the caller can look for the run first.
 */
export class WorkflowDispatcher {
  private runDetails: boolean;

  constructor(
    private readonly octokit: Octokit,
    private readonly owner: string,
    apiVersion: RestApiVersion
  ) {
    this.runDetails = dispatchAsksForRunDetails(apiVersion);
  }

  async dispatch(repo: string, workflowId: number, ref: string): Promise<DispatchAnswer> {
    const answer = await this.send(repo, workflowId, ref, this.runDetails);
    if (answer.kind === 'refused' && answer.status === 400 && this.runDetails && RUN_DETAILS_REFUSED.test(answer.message)) {
      this.runDetails = false;
      return this.send(repo, workflowId, ref, false);
    }
    return answer;
  }

  private async send(repo: string, workflowId: number, ref: string, runDetails: boolean): Promise<DispatchAnswer> {
    try {
      const response = await this.octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
        owner: this.owner,
        repo,
        workflow_id: workflowId,
        ref,
        ...(runDetails ? { return_run_details: true } : {}),
        // a POST that may have created a run is never retried blindly
        request: { retries: 0 }
      });
      if (response.status === 200 && response.data && typeof response.data === 'object' && 'workflow_run_id' in response.data) {
        const data = response.data as { workflow_run_id: number; run_url: string; html_url: string };
        return { kind: 'run', runId: data.workflow_run_id, htmlUrl: data.html_url };
      }
      return { kind: 'accepted' };
    } catch (error) {
      const status = httpStatus(error);
      const message = (error as { response?: { data?: { message?: string } } }).response?.data?.message ?? errorMessage(error);
      if (status !== undefined && status >= 400 && status < 500) return { kind: 'refused', status, message };
      return { kind: 'lost', message: status ? `${status}: ${message}` : message };
    }
  }
}
