import type { IssueTracker, TrackedIssue } from '../report/failure-issue.js';
import type { Octokit } from './client.js';
import { allPages } from './listing.js';

interface RawIssue {
  number: number;
  state: string;
  body?: string | null;
  html_url: string;
  pull_request?: unknown;
}

function tracked(issue: RawIssue): TrackedIssue {
  return { number: issue.number, state: issue.state === 'closed' ? 'closed' : 'open', body: issue.body ?? '', htmlUrl: issue.html_url };
}

/** The failure issue's calls on one repository (`owner/name`), with the run's Octokit. */
export function githubIssueTracker(octokit: Octokit, repository: string): IssueTracker {
  const [owner = '', repo = ''] = repository.split('/');
  return {
    async findByLabel(label) {
      const issues = await allPages(
        octokit.paginate.iterator('GET /repos/{owner}/{repo}/issues', { owner, repo, labels: label, state: 'all', per_page: 100 }),
        `GET /repos/${owner}/${repo}/issues`
      );
      // the issues listing holds pull requests too
      return (issues as RawIssue[]).filter((i) => !i.pull_request).map(tracked);
    },
    async create(title, body, labels) {
      const { data } = await octokit.request('POST /repos/{owner}/{repo}/issues', {
        owner,
        repo,
        title,
        body,
        labels,
        request: { retries: 0 }
      });
      return tracked(data);
    },
    async update(number, changes) {
      await octokit.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        owner,
        repo,
        issue_number: number,
        ...changes,
        ...(changes.state === 'closed' ? { state_reason: 'completed' as const } : {})
      });
    },
    async comment(number, body) {
      await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner,
        repo,
        issue_number: number,
        body,
        request: { retries: 0 }
      });
    }
  };
}
