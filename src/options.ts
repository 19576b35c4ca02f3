import { Inputs } from './constants.js';

/** Where the settings came from: the action's inputs, or the command line's flags and environment. */
export type Edge = 'action' | 'command-line';

/**
 * One option of a run, as each edge spells it: the action's input, the command line's flag and
 * the environment variables the command line (and dispatcher.py before it) read. One table feeds
 * the action, the command line, its usage text and every error that names an option.
 */
export interface OptionSpec {
  input?: string;
  flag?: string;
  /** Read by the command line when the flag is not given, first one set wins. */
  variables?: readonly string[];
  /** A flag without a value (`--dry-run`). */
  switch?: boolean;
  /** The flag may be given several times; the values are joined one per line. */
  repeatable?: boolean;
  /** A secret: on the command line it belongs in a variable, since the process list shows arguments. */
  secret?: boolean;
  /** On the command line the option names a file whose content is the value (the App's key). */
  file?: boolean;
  /** What it does, for the command line's usage. */
  help: string;
  /** The value's name in the usage (`FILE`, `N`). */
  metavar?: string;
}

export const OPTIONS = {
  config: {
    input: Inputs.Config,
    flag: 'config',
    variables: ['DISPATCHER_CONFIGURATION_FILE'],
    metavar: 'FILE',
    help: 'configuration file (default: the configuration.yaml shipped with the action)'
  },
  dryRun: { input: Inputs.DryRun, flag: 'dry-run', variables: ['DRYRUN'], switch: true, help: 'build the plan, report it and stop' },
  appId: { input: Inputs.AppId, flag: 'app-id', variables: ['GITHUB_APP_ID'], metavar: 'ID', help: 'GitHub App id, with its private key' },
  privateKey: {
    input: Inputs.PrivateKey,
    flag: 'private-key-file',
    variables: ['GITHUB_APP_PRIVATE_KEY_FILE'],
    file: true,
    metavar: 'FILE',
    help: 'GitHub App private key: the command line reads it from a PEM file'
  },
  token: {
    input: Inputs.Token,
    flag: 'token',
    variables: ['GITHUB_TOKEN'],
    secret: true,
    metavar: 'T',
    help: 'GitHub token (or a GitHub App: app id and private key)'
  },
  org: {
    input: Inputs.Org,
    flag: 'org',
    metavar: 'ORG',
    help: 'organization (default: configuration.org, else the owner of $GITHUB_REPOSITORY)'
  },
  chartRepoUsername: {
    input: Inputs.ChartRepoUsername,
    flag: 'chart-repo-username',
    variables: ['CHART_REPO_USERNAME', 'ARTIFACTORY_ALGOL60_READONLY_USERNAME'],
    metavar: 'U',
    help: 'chart repository user'
  },
  chartRepoPassword: {
    input: Inputs.ChartRepoPassword,
    flag: 'chart-repo-password',
    variables: ['CHART_REPO_PASSWORD', 'ARTIFACTORY_ALGOL60_READONLY_TOKEN'],
    secret: true,
    metavar: 'P',
    help: 'chart repository password or token'
  },
  chartRepoRewrite: {
    input: Inputs.ChartRepoRewrite,
    flag: 'chart-repo-rewrite',
    repeatable: true,
    metavar: 'F=T',
    help: 'download chart URLs starting with F from T instead (repeatable)'
  },
  maxParallel: {
    input: Inputs.MaxParallel,
    flag: 'max-parallel',
    metavar: 'N',
    help: 'builds in flight at once (default: configuration max-parallel)'
  },
  resultsFile: { input: Inputs.ResultsFile, flag: 'results-file', metavar: 'FILE', help: 'write the results as JSON' },
  planFile: { input: Inputs.PlanFile, flag: 'plan-file', metavar: 'FILE', help: 'write the plan as JSON (plan.schema.json)' },
  fromPlan: {
    input: Inputs.FromPlan,
    flag: 'from-plan',
    metavar: 'FILE',
    help: 'dispatch a plan written by an earlier plan file (no planning)'
  },
  shard: { input: Inputs.Shard, flag: 'shard', metavar: 'K/N', help: 'dispatch and watch only part K of N of the plan (with from-plan)' },
  mergeResults: {
    input: Inputs.MergeResults,
    flag: 'merge-results',
    metavar: 'GLOB',
    help: 'report the results files matching GLOB as one; dispatch nothing'
  },
  skipSucceededWithin: {
    input: Inputs.SkipSucceededWithin,
    flag: 'skip-succeeded-within',
    metavar: 'D',
    help: 'do not dispatch a build that succeeded within D (12h, 90m, or plan)'
  },
  rebuild: {
    input: Inputs.Rebuild,
    flag: 'rebuild',
    metavar: 'WHEN',
    help: 'always (default: configuration.rebuild) or when-outdated: only builds whose image is missing, older than a base, or older than max-age'
  },
  maxAge: {
    input: Inputs.MaxAge,
    flag: 'max-age',
    metavar: 'D',
    help: 'with when-outdated, rebuild images older than D (default: configuration.max-age, 7d)'
  },
  registryUsername: {
    input: Inputs.RegistryUsername,
    flag: 'registry-username',
    variables: ['REGISTRY_USERNAME'],
    metavar: 'U',
    help: "image registry user (default: the chart repository's credentials, for the chart repository's host only)"
  },
  registryPassword: {
    input: Inputs.RegistryPassword,
    flag: 'registry-password',
    variables: ['REGISTRY_PASSWORD'],
    secret: true,
    metavar: 'P',
    help: 'image registry password or token'
  },
  registryRewrite: {
    input: Inputs.RegistryRewrite,
    flag: 'registry-rewrite',
    repeatable: true,
    metavar: 'F=T',
    help: 'read images of registry F from T instead (a mirror; http only on loopback) (repeatable)'
  },
  registryHosts: {
    input: Inputs.RegistryHosts,
    flag: 'registry-host',
    repeatable: true,
    metavar: 'H',
    help: 'a registry host the registry credentials may go to, and that may be read on a private address (repeatable)'
  },
  packageIndexRewrite: {
    input: Inputs.PackageIndexRewrite,
    flag: 'package-index-rewrite',
    repeatable: true,
    metavar: 'F=T',
    help: 'read package indexes and security databases whose URL starts with F from T instead (a mirror; http only on loopback) (repeatable)'
  },
  packageIndexUsername: {
    input: Inputs.PackageIndexUsername,
    flag: 'package-index-username',
    variables: ['PACKAGE_INDEX_USERNAME'],
    metavar: 'U',
    help: 'package mirror user, sent only to the targets of package-index-rewrite'
  },
  packageIndexPassword: {
    input: Inputs.PackageIndexPassword,
    flag: 'package-index-password',
    variables: ['PACKAGE_INDEX_PASSWORD'],
    secret: true,
    metavar: 'P',
    help: 'package mirror password or token'
  },
  only: {
    input: Inputs.Only,
    flag: 'only',
    repeatable: true,
    metavar: 'SEL',
    help: 'rebuild only what SEL picks: repo:<name>, image:<name>[:<tag>] or branch:<name>, globs allowed (repeatable)'
  },
  failOn: {
    input: Inputs.FailOn,
    flag: 'fail-on',
    metavar: 'WHEN',
    help: 'problems (default), failed-builds or never: when the exit status is 1'
  },
  skipCharts: {
    input: Inputs.SkipCharts,
    flag: 'skip-charts',
    switch: true,
    help: "plan without downloading and rendering the manifests' charts"
  },
  failureIssue: { input: Inputs.FailureIssue, help: "keep the product stream's failure issue" },
  failureIssueRepo: {
    input: Inputs.FailureIssueRepo,
    flag: 'failure-issue-repo',
    metavar: 'R',
    help: "keep the product stream's failure issue in repository R (owner/name)"
  },
  serverUrl: { flag: 'server-url', variables: ['GITHUB_SERVER_URL'], metavar: 'URL', help: 'GitHub server (default: https://github.com)' },
  apiUrl: { flag: 'api-url', variables: ['GITHUB_API_URL'], metavar: 'URL', help: 'GitHub REST API (default: https://api.github.com)' },
  sleepDurationSeconds: {
    flag: 'sleep-duration-seconds',
    variables: ['SLEEP_DURATION_SECONDS'],
    metavar: 'N',
    help: 'override configuration.sleep-duration-seconds'
  },
  timeLimitMinutes: {
    flag: 'time-limit-minutes',
    variables: ['TIME_LIMIT_MINUTES'],
    metavar: 'N',
    help: 'override configuration.time-limit-minutes'
  },
  webhookSleepSeconds: {
    flag: 'webhook-sleep-seconds',
    variables: ['WEBHOOK_SLEEP_SECONDS'],
    metavar: 'N',
    help: 'override configuration.webhook-sleep-seconds'
  },
  logLevel: { flag: 'log-level', variables: ['LOG_LEVEL'], metavar: 'L', help: 'override configuration.log-level' },
  verbose: { flag: 'verbose', switch: true, help: 'print debug lines' },
  help: { flag: 'help', switch: true, help: 'print this help' }
} as const satisfies Record<string, OptionSpec>;

export type OptionKey = keyof typeof OPTIONS;

/**
 * How a person sets an option at this edge, for messages: `input skip-charts` in the action;
 * `--skip-charts` on the command line, or its variable for a secret (`GITHUB_TOKEN`).
 */
export function optionName(edge: Edge, key: OptionKey): string {
  const option: OptionSpec = OPTIONS[key];
  if (edge === 'action') return option.input ? `input ${option.input}` : `--${option.flag ?? key}`;
  if (option.secret && option.variables?.[0]) return option.variables[0];
  return option.flag ? `--${option.flag}` : `input ${option.input ?? key}`;
}

/** How to turn an option on, for advice (`skip-charts: true` in the action, `--skip-charts` on the command line). */
export function switchOn(edge: Edge, key: OptionKey): string {
  const option: OptionSpec = OPTIONS[key];
  return edge === 'action' ? `${option.input ?? key}: true` : `--${option.flag ?? key}`;
}

/** The command line's usage of every option with a flag, from the table. */
export function usageLines(): string[] {
  const lines: string[] = [];
  for (const option of Object.values(OPTIONS) as OptionSpec[]) {
    if (!option.flag) continue;
    const left = `  --${option.flag}${option.metavar ? ` ${option.metavar}` : ''}`;
    const variables = option.variables?.length ? ` (or $${option.variables.join(', $')})` : '';
    const help = `${option.help}${variables}`;
    lines.push(left.length < 27 ? `${left.padEnd(27)}${help}` : `${left}\n${' '.repeat(27)}${help}`);
  }
  return lines;
}
