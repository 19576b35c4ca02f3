import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_API_URL, DEFAULT_SERVER_URL } from './constants.js';
import { ConsoleJobOutput } from './job-output.js';
import { JobState, reportInterrupted, runJob } from './main.js';
import type { Settings } from './settings.js';
import { chooseAuth, defaultConfigFile, orgFromRepository, parseFailOn, parsePositiveInteger, parseRewrites } from './settings.js';
import { describeThrown, errorMessage } from './errors.js';
import { logLine } from './escape.js';

export const USAGE = `Usage: node dist/cli.js [options]

Plan the rebuild of the images a product stream ships, dispatch the build workflows and wait for them.

Options:
  --config FILE            configuration file (default: the configuration.yaml shipped with the action)
  --dry-run                build the plan, print it and stop
  --app-id ID              GitHub App id (default: $GITHUB_APP_ID), with the key below
  --private-key-file FILE  GitHub App private key, PEM (default: $GITHUB_APP_PRIVATE_KEY_FILE)
  --org ORG                organization (default: configuration.org, or the owner of $GITHUB_REPOSITORY)
  --chart-repo-username U  chart repository user (default: $CHART_REPO_USERNAME)
  --skip-charts            plan without downloading and rendering the manifests' charts
  --fail-on WHEN           problems (default), failed-builds or never: when the exit status is 1
  --chart-repo-rewrite F=T download chart URLs starting with F from T instead (repeatable)
  --max-parallel N         builds in flight at once (default: configuration max-parallel)
  --plan-file FILE         write the plan as JSON
  --results-file FILE      write the results as JSON
  --server-url URL         GitHub server (default: $GITHUB_SERVER_URL or ${DEFAULT_SERVER_URL})
  --api-url URL            GitHub REST API (default: $GITHUB_API_URL or ${DEFAULT_API_URL})
  --verbose                print debug lines
  --help                   print this help

Secrets come from the environment, never from arguments (the process list shows arguments):
  GITHUB_TOKEN             GitHub token (or use a GitHub App: --app-id and --private-key-file)
  CHART_REPO_PASSWORD      chart repository password or token
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
      'dry-run': { type: 'boolean', default: false },
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
      'plan-file': { type: 'string' },
      'results-file': { type: 'string' },
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
  const username = values['chart-repo-username'] ?? env.CHART_REPO_USERNAME ?? '';
  const password = values['chart-repo-password'] ?? env.CHART_REPO_PASSWORD ?? '';
  const settings: Settings = {
    configFile: values.config ? resolve(values.config) : defaultConfigFile(),
    dryRun: values['dry-run'] ?? false,
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
    failOn: parseFailOn(values['fail-on'] ?? '', '--fail-on'),
    skipCharts: values['skip-charts'] ?? false,
    // outside a runner there is no tool cache: helm must be on PATH
    helmDownload: false
  };
  return { settings, verbose: values.verbose ?? false, warnings };
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
