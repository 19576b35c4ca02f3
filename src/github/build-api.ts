import type { BuildApi } from '../dispatch/build-runner.js';
import type { Connection } from './client.js';
import { WorkflowDispatcher } from './dispatch.js';
import { RunReader } from './runs.js';

/** The build runner's GitHub calls, made with the run's one Octokit. */
export function githubBuildApi(connection: Connection, org: string): BuildApi & { runs: RunReader } {
  const { octokit } = connection;
  const dispatcher = new WorkflowDispatcher(octokit, org, connection.apiVersion);
  const runs = new RunReader(octokit, org);
  return {
    runs,
    dispatch: (repo, workflowId, ref) => dispatcher.dispatch(repo, workflowId, ref),
    listDispatchRuns: (repo, since, workflowIds) => runs.listDispatchRuns(repo, { createdSince: since, workflowIds }),
    getRun: (repo, runId) => runs.getRun(repo, runId),
    cancelRun: (repo, runId) => runs.cancelRun(repo, runId),
    rerunFailedJobs: (repo, runId) => runs.rerunFailedJobs(repo, runId),
    failedJobs: (repo, runId, attempt) => runs.failedJobs(repo, runId, attempt),
    dispatcherLogin: () => connection.dispatcherLogin(),
    rateBudget: () => connection.rateBudget()
  };
}
