import helmRelease from './helm-release.json' with { type: 'json' };

/** Names of the action's inputs and outputs, kept in one place (action.yml must match; a test checks). */
export const Inputs = {
  Config: 'config',
  DryRun: 'dry-run',
  AppId: 'app-id',
  PrivateKey: 'private-key',
  Token: 'token',
  ChartRepoUsername: 'chart-repo-username',
  ChartRepoPassword: 'chart-repo-password',
  ChartRepoRewrite: 'chart-repo-rewrite',
  MaxParallel: 'max-parallel',
  ResultsFile: 'results-file',
  Org: 'org',
  FailOn: 'fail-on',
  SkipCharts: 'skip-charts',
  FailureIssue: 'failure-issue',
  FailureIssueRepo: 'failure-issue-repo',
  PlanFile: 'plan-file',
  FromPlan: 'from-plan',
  Shard: 'shard',
  MergeResults: 'merge-results',
  SkipSucceededWithin: 'skip-succeeded-within',
  Rebuild: 'rebuild',
  MaxAge: 'max-age',
  RegistryUsername: 'registry-username',
  RegistryPassword: 'registry-password',
  RegistryRewrite: 'registry-rewrite',
  RegistryHosts: 'registry-hosts',
  Only: 'only',
  PackageIndexRewrite: 'package-index-rewrite',
  PackageIndexUsername: 'package-index-username',
  PackageIndexPassword: 'package-index-password'
} as const;

/** When the job fails (exit 1); bad input always fails it. */
export const FAIL_ON = ['problems', 'failed-builds', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export const Outputs = {
  Plan: 'plan',
  Results: 'results',
  Releases: 'releases',
  FailureIssue: 'failure-issue',
  Dispatched: 'dispatched',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Fixes: 'fixes',
  Frozen: 'frozen'
} as const;

/**
 * Pinned helm release downloaded (with @actions/tool-cache) when no helm is on PATH; the tests, CI
 * and the demo run the same version (scripts/install-helm.mjs reads the same file). Only
 * linux-amd64 is pinned: elsewhere put helm on PATH (for example with azure/setup-helm).
 */
export const HELM_DOWNLOAD = {
  version: helmRelease.version,
  platform: helmRelease.platform,
  sha256: helmRelease.sha256
} as const;

export const DEFAULT_API_URL = 'https://api.github.com';
export const DEFAULT_SERVER_URL = 'https://github.com';
