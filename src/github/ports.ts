import type { OriginBoundFetch } from '../http/origin-bound-fetch.js';
import type { GitHubPorts, GitHubTarget } from '../job-ports.js';
import { githubBuildApi } from './build-api.js';
import { connect, type GitHubAuth } from './client.js';
import { githubIssueTracker } from './issues.js';
import { githubPlanningApi } from './github-planning-api.js';
import { TOKEN_PERMISSIONS } from './token-scopes.js';

/** The job's GitHub ports over one connection: one installation token per phase, each for its repositories only. */
export async function connectGitHub(
  target: GitHubTarget,
  server: {
    apiUrl: string;
    auth: GitHubAuth;
    http: OriginBoundFetch;
    log: { info(message: string): void; debug(message: string): void };
  }
): Promise<GitHubPorts> {
  const { org } = target;
  const connection = await connect({
    apiUrl: server.apiUrl,
    org,
    ...(target.repo ? { repo: target.repo } : {}),
    auth: server.auth,
    http: server.http,
    log: server.log,
    ...(target.timeoutMs ? { timeoutMs: target.timeoutMs } : {})
  });
  return {
    productStreamToken: () =>
      connection.scoped({ repositories: target.repo ? [target.repo] : [], permissions: TOKEN_PERMISSIONS.productStream }).gitToken(),
    planning: (repos) =>
      githubPlanningApi(connection.scoped({ repositories: repos, permissions: TOKEN_PERMISSIONS.planning }), org, server.log),
    builds: (repos) => githubBuildApi(connection.scoped({ repositories: repos, permissions: TOKEN_PERMISSIONS.builds }), org),
    issues: (repository) => {
      // `owner/name`: a token names repositories of its installation's owner by name
      const name = repository.split('/').pop() ?? repository;
      const { octokit } = connection.scoped({ repositories: [name], permissions: TOKEN_PERMISSIONS.failureIssue });
      return githubIssueTracker(octokit, repository);
    }
  };
}
