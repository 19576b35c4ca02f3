import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_API_URL, DEFAULT_SERVER_URL } from './constants.js';
import { ConsoleJobOutput } from './job-output.js';
import { JobState, reportInterrupted, runJob } from './main.js';
import type { Settings } from './settings.js';
import { parseShard } from './plan/shard.js';
import {
  checkRunMode,
  parseSkipSucceededWithin,
  chooseAuth,
  defaultConfigFile,
  orgFromRepository,
  failureIssueOf,
  parseBoolean,
  parseFailOn,
  parseLogLevel,
  parseNumber,
  parsePositiveInteger,
  parseRewrites,
  type ConfigOverrides
} from './settings.js';
import { describeThrown, errorMessage } from './errors.js';
import { logLine } from './escape.js';

export const USAGE = `Usage: node dist/cli.js [options]

Plan the rebuild of the images a product stream ships, dispatch the build workflows and wait for them.

Options:
  --config FILE            configuration file (default: $DISPATCHER_CONFIGURATION_FILE, else the
                           configuration.yaml shipped with the action)
  --dry-run                build the plan, print it and stop (default: $DRYRUN)
  --app-id ID              GitHub App id (default: $GITHUB_APP_ID), with the key below
  --private-key-file FILE  GitHub App private key, PEM (default: $GITHUB_APP_PRIVATE_KEY_FILE)
  --org ORG                organization (default: configuration.org, or the owner of $GITHUB_REPOSITORY)
  --chart-repo-username U  chart repository user (default: $CHART_REPO_USERNAME)
  --skip-charts            plan without downloading and rendering the manifests' charts
  --fail-on WHEN           problems (default), failed-builds or never: when the exit status is 1
  --chart-repo-rewrite F=T download chart URLs starting with F from T instead (repeatable)
  --max-parallel N         builds in flight at once (default: configuration max-parallel)
  --plan-file FILE         write the plan as JSON (plan.schema.json)
  --results-file FILE      write the results as JSON
  --from-plan FILE         dispatch a plan written by an earlier --plan-file (no planning)
  --shard K/N              dispatch and watch only part K of N of the plan (with --from-plan)
  --merge-results GLOB     report the results files matching GLOB as one; dispatch nothing
  --skip-succeeded-within D  do not dispatch a build that succeeded within D (12h, 90m, or plan)
  --server-url URL         GitHub server (default: $GITHUB_SERVER_URL or ${DEFAULT_SERVER_URL})
  --api-url URL            GitHub REST API (default: $GITHUB_API_URL or ${DEFAULT_API_URL})
  --sleep-duration-seconds N, --time-limit-minutes N, --webhook-sleep-seconds N, --log-level L
                           override the configuration's settings (default: $SLEEP_DURATION_SECONDS,
                           $TIME_LIMIT_MINUTES, $WEBHOOK_SLEEP_SECONDS, $LOG_LEVEL, as dispatcher.py read them)
  --failure-issue-repo R   keep the product stream's failure issue in repository R (owner/name)
  --verbose                print debug lines
  --help                   print this help

Secrets come from the environment, never from arguments (the process list shows arguments):
  GITHUB_TOKEN             GitHub token (or use a GitHub App: --app-id and --private-key-file)
  CHART_REPO_PASSWORD      chart repository password or token
  ARTIFACTORY_ALGOL60_READONLY_USERNAME and _TOKEN: the chart credentials, as dispatcher.py read them
  --token and --chart-repo-password still work, with a warning.

Exit codes: 0 success; 1 a build failed, timed out or could not be dispatched, or planning
reported errors (see --fail-on); 2 bad input or no plan.
`;

/** Command line arguments → the same Settings the action builds from its inputs. */
export async function settingsFromArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv
): Promise<{ settings: Settings; verbose: boolean; warnings: string[] } | 'help'> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      config: { type: 'string' },
      'dry-run': { type: 'boolean' },
      'sleep-duration-seconds': { type: 'string' },
      'time-limit-minutes': { type: 'string' },
      'webhook-sleep-seconds': { type: 'string' },
      'log-level': { type: 'string' },
      token: { type: 'string' },
      'app-id': { type: 'string' },
      'private-key-file': { type: 'string' },
      org: { type: 'string' },
      'chart-repo-username': { type: 'string' },
      'chart-repo-password': { type: 'string' },
      'chart-repo-rewrite': { type: 'string', multiple: true },
      'max-parallel': { type: 'string' },
      'skip-charts': { type: 'boolean', default: false },
      'fail-on': { type: 'string' },
      'failure-issue-repo': { type: 'string' },
      'plan-file': { type: 'string' },
      'results-file': { type: 'string' },
      'from-plan': { type: 'string' },
      shard: { type: 'string' },
      'merge-results': { type: 'string' },
      'skip-succeeded-within': { type: 'string' },
      'server-url': { type: 'string' },
      'api-url': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false }
    }
  });
  if (values.help) return 'help';
  const warnings: string[] = [];
  for (const flag of ['token', 'chart-repo-password'] as const)
    if (values[flag] !== undefined)
      warnings.push(`--${flag} shows in the process list; set ${flag === 'token' ? 'GITHUB_TOKEN' : 'CHART_REPO_PASSWORD'} instead`);
  const keyFile = values['private-key-file'] ?? env.GITHUB_APP_PRIVATE_KEY_FILE;
  const privateKey = keyFile ? await readFile(keyFile, 'utf8') : '';
  const username = values['chart-repo-username'] ?? env.CHART_REPO_USERNAME ?? env.ARTIFACTORY_ALGOL60_READONLY_USERNAME ?? '';
  const password = values['chart-repo-password'] ?? env.CHART_REPO_PASSWORD ?? env.ARTIFACTORY_ALGOL60_READONLY_TOKEN ?? '';
  const config = values.config ?? env.DISPATCHER_CONFIGURATION_FILE;
  const settings: Settings = {
    configFile: config ? resolve(config) : defaultConfigFile(),
    dryRun: values['dry-run'] ?? parseBoolean(env.DRYRUN ?? '', 'environment variable DRYRUN'),
    auth: chooseAuth(values.token ?? env.GITHUB_TOKEN ?? '', values['app-id'] ?? env.GITHUB_APP_ID ?? '', privateKey),
    org: values.org,
    defaultOrg: orgFromRepository(env.GITHUB_REPOSITORY),
    apiUrl: values['api-url'] ?? (env.GITHUB_API_URL || DEFAULT_API_URL),
    serverUrl: values['server-url'] ?? (env.GITHUB_SERVER_URL || DEFAULT_SERVER_URL),
    chartCredentials: username || password ? { username, password } : undefined,
    chartRewrites: parseRewrites((values['chart-repo-rewrite'] ?? []).join('\n'), '--chart-repo-rewrite'),
    maxParallel: parsePositiveInteger(values['max-parallel'] ?? '', '--max-parallel'),
    resultsFile: values['results-file'] ? resolve(values['results-file']) : undefined,
    planFile: values['plan-file'] ? resolve(values['plan-file']) : undefined,
    fromPlan: values['from-plan'] ? resolve(values['from-plan']) : undefined,
    shard: parseShard(values.shard ?? '', '--shard'),
    mergeResults: values['merge-results'] ? resolve(values['merge-results']) : undefined,
    skipSucceededWithin: parseSkipSucceededWithin(values['skip-succeeded-within'] ?? '', '--skip-succeeded-within'),
    failOn: parseFailOn(values['fail-on'] ?? '', '--fail-on'),
    skipCharts: values['skip-charts'] ?? false,
    // outside a runner there is no tool cache: helm must be on PATH
    helmDownload: false,
    configOverrides: configOverridesOf(values, env),
    failureIssue: values['failure-issue-repo'] ? failureIssueOf(true, values['failure-issue-repo'], '--failure-issue-repo') : undefined,
    jobRunUrl: undefined
  };
  checkRunMode(settings);
  return { settings, verbose: values.verbose ?? false, warnings };
}

/** The settings dispatcher.py read from its environment: a flag wins over the variable, both win over the file. */
function configOverridesOf(values: Record<string, unknown>, env: NodeJS.ProcessEnv): ConfigOverrides {
  const pick = (flag: string, variable: string): [string, string] | undefined => {
    const fromFlag = values[flag];
    if (typeof fromFlag === 'string') return [fromFlag, `--${flag}`];
    const fromEnv = env[variable];
    return fromEnv !== undefined && fromEnv !== '' ? [fromEnv, `environment variable ${variable}`] : undefined;
  };
  const overrides: ConfigOverrides = {};
  const sleep = pick('sleep-duration-seconds', 'SLEEP_DURATION_SECONDS');
  if (sleep) overrides['sleep-duration-seconds'] = parseNumber(...sleep);
  const limit = pick('time-limit-minutes', 'TIME_LIMIT_MINUTES');
  if (limit) overrides['time-limit-minutes'] = parseNumber(...limit);
  const webhook = pick('webhook-sleep-seconds', 'WEBHOOK_SLEEP_SECONDS');
  if (webhook) overrides['webhook-sleep-seconds'] = parseNumber(webhook[0], webhook[1], { allowZero: true });
  const level = pick('log-level', 'LOG_LEVEL');
  if (level) overrides['log-level'] = parseLogLevel(...level);
  return overrides;
}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = await settingsFromArgs(argv, process.env);
  } catch (error) {
    process.stderr.write(`error: ${errorMessage(error)}\n\n${USAGE}`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const output = new ConsoleJobOutput(parsed.verbose);
  for (const warning of parsed.warnings) output.log.problem({ severity: 'warning', message: warning });
  const state = new JobState();
  const { settings } = parsed;
  // Ctrl-C: print what was dispatched, remove the temp folder, stop
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: stopping; the builds already dispatched go on\n`);
    void reportInterrupted(state, settings, output, signal).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await runJob(settings, output, undefined, state);
    if (result.failure) process.stderr.write(`error: ${logLine(result.failure)}\n`);
    return result.exitCode;
  } catch (error) {
    if (parsed.verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.stderr.write(`error: ${logLine(describeThrown(error))}\n`);
    return 2;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
