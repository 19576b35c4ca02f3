import type { BuildApi } from './dispatch/build-runner.js';
import type { Clock } from './dispatch/clock.js';
import type { OriginBoundFetch } from './http/origin-bound-fetch.js';
import type { JobOutput } from './job-output.js';
import type { PlanningApi } from './plan/planning-api.js';
import type { IssueTracker } from './report/failure-issue.js';

/**
 * GitHub as a job reaches it: each phase through the interface it owns, each with a token for only
 * its repositories (src/github/ports.ts makes them from one connection).
 */
export interface GitHubPorts {
  /** A token for git to read the product stream repo. */
  productStreamToken(): Promise<string>;
  planning(repos: readonly string[]): PlanningApi;
  builds(repos: readonly string[]): BuildApi;
  /** The issues of `owner/name` (the failure issue). */
  issues(repository: string): IssueTracker;
}

/** Where GitHub is, for one org (and the product stream repo, to find the App's installation by). */
export interface GitHubTarget {
  org: string;
  repo?: string;
  timeoutMs?: number;
}

/** What a job is given from outside: its output, its clock, its cancellation, and GitHub. */
export interface JobDeps {
  output: JobOutput;
  clock: Clock;
  /** Aborted when the job is cancelled (SIGINT, SIGTERM): the job reports what it knows and ends. */
  signal: AbortSignal;
  /** The job's one network policy: every HTTP request of the job goes through it, and ends with the job. */
  http: OriginBoundFetch;
  github(target: GitHubTarget): Promise<GitHubPorts>;
}
