import { parseSelectors, type Selector } from './plan/only.js';
import { createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_API_URL, DEFAULT_SERVER_URL, FAIL_ON, Inputs, type FailOn } from './constants.js';
import type { GitHubAuth } from './github/client.js';
import type { RunSettings } from './config/configuration.js';
import type { Shard } from './plan/plan.js';
import { parseShard } from './plan/shard.js';
import { parseDuration } from './duration.js';
import { optionName, type Edge, type OptionKey } from './options.js';
import { REBUILD_POLICIES, type RebuildPolicy } from './plan/rebuild-decision.js';
import { checkRegistryRewrite } from './registry/image-reference.js';

/** What a run does: report a plan (a dry run), dispatch one (made now or read, whole or a shard), or merge earlier results. */
export type RunMode =
  | { kind: 'plan'; fromPlan?: string; shard?: Shard }
  | { kind: 'dispatch'; fromPlan?: string; shard?: Shard }
  | { kind: 'merge'; pattern: string };

/** Everything a run needs to know from outside: built once, at the edge, by the action or the command line. */
export interface Settings {
  /** Where the settings came from: errors name options as that edge spells them. */
  edge: Edge;
  mode: RunMode;
  configFile: string;
  auth: GitHubAuth | undefined;
  /** The org named by the `org` input or `--org`: wins over the configuration's `org`. */
  org: string | undefined;
  /** The owner of GITHUB_REPOSITORY: the org when neither the input nor the configuration names one. */
  defaultOrg: string | undefined;
  apiUrl: string;
  serverUrl: string;
  chartCredentials: { username: string; password: string } | undefined;
  chartRewrites: { from: string; to: string }[];
  maxParallel: number | undefined;
  resultsFile: string | undefined;
  planFile: string | undefined;
  /** Do not dispatch a build that succeeded this recently: a duration, or since the plan was made. */
  skipSucceededWithin: SkipSucceededWithin | undefined;
  /** When the job fails: `problems` (default), `failed-builds` or `never`. */
  failOn: FailOn;
  /** Plan without downloading and rendering the manifests' charts (no chart credentials, say a fork's pull request). */
  skipCharts: boolean;
  /** May helm be downloaded into the runner's tool cache when it is not on PATH (the action: yes; the command line: no). */
  helmDownload: boolean;
  /** Keep the product stream's failure issue in this repository (`owner/name`), when asked. */
  failureIssue: { repo: string } | undefined;
  /** The page of this run of the dispatcher (linked from the failure issue), when running in Actions. */
  jobRunUrl: string | undefined;
  /** The runner's own folders (its temp folder, the file commands'): hidden from a render script run in namespaces. */
  runnerFolders: string[];
  /** Configuration settings given outside the file (the command line's flags and the original tool's variables); they win. */
  configOverrides: ConfigOverrides;
  /** `rebuild` and `max-age` given as inputs (they win over `configuration.rebuild` and `configuration.max-age`). */
  rebuild: RebuildPolicy | undefined;
  maxAgeMs: number | undefined;
  /** Credentials for the registries a person named (registry-hosts, registry-rewrite sources, the chart repository's host); given as such, never defaulted here. */
  registryCredentials: { username: string; password: string } | undefined;
  registryRewrites: { from: string; to: string }[];
  /** Registry hosts a person named: registry credentials may go there, and they may be read on a private address. */
  registryHosts: string[];
  /** `package-index-rewrite`: URL prefixes of package indexes, security databases and releases.json read from a mirror. */
  packageIndexRewrites: { from: string; to: string }[];
  /** `package-index-username`/`-password`: sent only to the targets of package-index-rewrite (a mirror that asks for them). */
  packageIndexCredentials: { username: string; password: string } | undefined;
  /** `only`: the selectors that narrow the plan before any dispatch (empty: the whole plan). */
  only: Selector[];
  /** What the edge noticed while reading the settings (an input the action does not have): warnings of the report. */
  warnings?: string[];
}

/** `always` or `when-outdated`, or an error naming the option. */
export function parseRebuildPolicy(value: string, name: string): RebuildPolicy | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  if ((REBUILD_POLICIES as readonly string[]).includes(v)) return v as RebuildPolicy;
  throw new Error(`${name} must be one of ${REBUILD_POLICIES.join(', ')}, not "${value}"`);
}

/** A duration such as `12h` or `7d`, or an error naming the option. */
export function parseMaxAge(value: string, name: string): number | undefined {
  if (value.trim() === '') return undefined;
  const ms = parseDuration(value);
  if (ms === undefined) throw new Error(`${name} must be a duration such as 12h or 7d, not "${value}"`);
  return ms;
}

/** `FROM=TO` lines of registry-rewrite: a registry host read from another origin (http only on loopback). */
export function parseRegistryRewrites(text: string, name: string): { from: string; to: string }[] {
  const rewrites = parseRewrites(text, name);
  for (const r of rewrites) checkRegistryRewrite(r.to, name);
  return rewrites;
}

/** `FROM=TO` URL prefixes of package-index-rewrite: both URLs; the target https, or http on loopback. */
export function parsePackageIndexRewrites(text: string, name: string): { from: string; to: string }[] {
  const rewrites = parseRewrites(text, name);
  for (const r of rewrites) {
    if (!/^https?:\/\//.test(r.from) || !/^https?:\/\//.test(r.to))
      throw new Error(
        `${name}: "${r.from}=${r.to}" must be two URLs (https://dl-cdn.alpinelinux.org/alpine=https://mirror.example/alpine)`
      );
    checkRegistryRewrite(r.to, name);
  }
  return rewrites;
}

/** The runner's temp folder and the folders of its file commands (GITHUB_ENV, GITHUB_OUTPUT, …), each once. */
function runnerFoldersOf(env: NodeJS.ProcessEnv): string[] {
  const files = [env.GITHUB_ENV, env.GITHUB_OUTPUT, env.GITHUB_PATH, env.GITHUB_STEP_SUMMARY, env.GITHUB_STATE];
  const folders = [env.RUNNER_TEMP, ...files.map((f) => (f ? dirname(f) : undefined))];
  return [...new Set(folders.filter((d): d is string => d !== undefined && d !== ''))];
}

/** Lines of registry-hosts: `host` or `host:port`, as an image reference names its registry. */
export function parseRegistryHosts(text: string, name: string): string[] {
  const hosts = text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  for (const host of hosts)
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/i.test(host))
      throw new Error(`${name}: "${host.slice(0, 100)}" is not a registry host (write host or host:port, one per line)`);
  return hosts;
}

export type ConfigOverrides = Partial<
  Pick<RunSettings, 'sleep-duration-seconds' | 'time-limit-minutes' | 'webhook-sleep-seconds' | 'log-level'>
>;

export type SkipSucceededWithin = { kind: 'duration'; ms: number } | { kind: 'plan' };

/** `12h`, `90m`, `1h30m`, `2d`, or `plan` (since the plan was made; needs from-plan). */
export function parseSkipSucceededWithin(text: string, name: string): SkipSucceededWithin | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (t === 'plan') return { kind: 'plan' };
  const ms = parseDuration(t);
  if (ms === undefined) throw new Error(`${name} must be a duration such as 12h, 90m or 1h30m, or plan, not "${text}"`);
  return { kind: 'duration', ms };
}

/** The inputs that choose what a run does go together only in some ways: the mode, or an error saying which do not. */
export function runModeOf(
  edge: Edge,
  choice: { dryRun: boolean; fromPlan?: string; shard?: Shard; mergeResults?: string; skipSucceededWithin?: SkipSucceededWithin }
): RunMode {
  const name = (key: OptionKey): string => optionName(edge, key);
  if (choice.mergeResults) {
    if (choice.fromPlan || choice.shard || choice.dryRun)
      throw new Error(
        `${name('mergeResults')} reports results of earlier jobs: it does not go with ${name('fromPlan')}, ${name('shard')} or ${name('dryRun')}`
      );
    return { kind: 'merge', pattern: choice.mergeResults };
  }
  if (choice.shard && !choice.fromPlan)
    throw new Error(
      `${name('shard')} needs ${name('fromPlan')}: every shard must split the same plan (make it once with a dry run and ${name('planFile')})`
    );
  if (choice.skipSucceededWithin?.kind === 'plan' && !choice.fromPlan)
    throw new Error(
      `${name('skipSucceededWithin')}: plan means "since the plan was made" and needs ${name('fromPlan')}; give a duration such as 12h`
    );
  const source = { ...(choice.fromPlan ? { fromPlan: choice.fromPlan } : {}), ...(choice.shard ? { shard: choice.shard } : {}) };
  return choice.dryRun ? { kind: 'plan', ...source } : { kind: 'dispatch', ...source };
}

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'WARN', 'ERROR', 'CRITICAL'] as const;

/** A number above 0 (or at least 0), or an error naming where it came from. */
export function parseNumber(value: string, name: string, options: { allowZero?: boolean } = {}): number {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n) || (options.allowZero ? n < 0 : n <= 0))
    throw new Error(`${name} must be a number ${options.allowZero ? 'of at least 0' : 'greater than 0'}, not "${value}"`);
  return n;
}

export function parseLogLevel(value: string, name: string): (typeof LOG_LEVELS)[number] {
  const upper = value.trim().toUpperCase();
  const level = LOG_LEVELS.find((l) => l === upper);
  if (level) return level;
  throw new Error(`${name} must be one of ${LOG_LEVELS.join(', ')}, not "${value}"`);
}

/** The configuration.yaml shipped beside the action's action.yml, found upward from this module (dist/, dist/cli-build/ or src/). */
export function defaultConfigFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    if (existsSync(join(dir, 'action.yml'))) return join(dir, 'configuration.yaml');
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'configuration.yaml');
}

export function parseBoolean(value: string, name: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off', ''].includes(v)) return false;
  throw new Error(`${name} must be true or false, not "${value}"`);
}

export function parsePositiveInteger(value: string, name: string): number | undefined {
  if (value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1, not "${value}"`);
  return n;
}

/** `FROM=TO` lines: chart URLs starting with FROM are downloaded from TO instead (a mirror). */
export function parseRewrites(text: string, name: string): { from: string; to: string }[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map((line) => {
      const eq = line.indexOf('=');
      if (eq <= 0 || eq === line.length - 1) throw new Error(`${name}: "${line}" is not FROM=TO`);
      return { from: line.slice(0, eq).trim(), to: line.slice(eq + 1).trim() };
    });
}

/** The failure issue's repository, checked (`owner/name`), when the issue is asked for. */
export function failureIssueOf(enabled: boolean, repo: string, name: string): { repo: string } | undefined {
  if (!enabled) return undefined;
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo.trim())) throw new Error(`${name} must be owner/name, not "${repo}"`);
  return { repo: repo.trim() };
}

/** This workflow run's page, from the runner's variables. */
export function jobRunUrlOf(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return undefined;
  return `${(env.GITHUB_SERVER_URL || DEFAULT_SERVER_URL).replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
}

export function orgFromRepository(repository: string | undefined): string | undefined {
  const owner = repository?.split('/')[0];
  return owner || undefined;
}

/** Token or GitHub App (the App wins when both are given, as the App is what the workflows are set up with). */
export function chooseAuth(token: string, appId: string, privateKey: string, edge: Edge = 'action'): GitHubAuth | undefined {
  if (appId || privateKey) {
    if (!appId || !privateKey)
      throw new Error(`${optionName(edge, 'appId')} and ${optionName(edge, 'privateKey')} go together: set both or neither`);
    if (!/^\d+$/.test(appId.trim()))
      throw new Error(`${optionName(edge, 'appId')} must be a number (the App ID on the App's settings page, not its client ID)`);
    // a key pasted into a single-line secret keeps its line breaks as \n
    const pem = privateKey.includes('\n') ? privateKey : privateKey.replace(/\\n/g, '\n');
    checkPrivateKey(pem, optionName(edge, 'privateKey'));
    return { kind: 'app', appId: appId.trim(), privateKey: pem };
  }
  return token ? { kind: 'token', token } : undefined;
}

/**
 * A username and its password, both or neither: half a pair is refused before any request (a
 * secret that is not set, in a run that has the other, would else be found out chart by chart).
 */
export function credentialsPair(
  username: string,
  password: string,
  userKey: OptionKey,
  passwordKey: OptionKey,
  edge: Edge
): { username: string; password: string } | undefined {
  if (!username && !password) return undefined;
  if (!username || !password)
    throw new Error(
      `${optionName(edge, username ? userKey : passwordKey)} is set but ${optionName(edge, username ? passwordKey : userKey)} is not: ` +
        `they go together; set both${edge === 'action' ? ' (check that both secrets exist where this workflow runs)' : ''}, or neither`
    );
  return { username, password };
}

/** The App's key is checked before any request, so a bad secret gets one plain message, not OpenSSL's. */
export function checkPrivateKey(pem: string, name = `input ${Inputs.PrivateKey}`): void {
  const advice = "paste the whole .pem file GitHub generated for the App, from '-----BEGIN' to the last '-----'";
  if (!/-----BEGIN ([A-Z]+ )?PRIVATE KEY-----[\s\S]+-----END ([A-Z]+ )?PRIVATE KEY-----/.test(pem))
    throw new Error(`${name} is not a PEM private key: ${advice}`);
  try {
    createPrivateKey(pem);
  } catch {
    throw new Error(`${name} is not a PEM private key (its body does not decode): ${advice}`);
  }
}

export function parseFailOn(value: string, name: string): FailOn {
  const v = value.trim() || 'problems';
  if ((FAIL_ON as readonly string[]).includes(v)) return v as FailOn;
  throw new Error(`${name} must be one of ${FAIL_ON.join(', ')}, not "${value}"`);
}

/**
 * An output file of the action: a relative path lives inside the workspace (`../` out of it is
 * refused); an absolute path is taken as it is (for example `${{ runner.temp }}/results.json`).
 */
export function outputPath(value: string, workspace: string, name: string): string | undefined {
  if (value.trim() === '') return undefined;
  if (isAbsolute(value)) return value;
  const path = resolve(workspace, value);
  const inside = relative(resolve(workspace), path);
  if (inside.startsWith('..') || isAbsolute(inside))
    throw new Error(`${name}: "${value}" is outside GITHUB_WORKSPACE (${workspace}); give a path inside it, or an absolute path`);
  return path;
}

/** Raw option values from one edge: the action's inputs, or the command line's flags and environment. */
export interface OptionReader {
  readonly edge: Edge;
  /** The value set for an option and the name it was set by (`input shard`, `--shard`, `environment variable DRYRUN`). */
  read(key: OptionKey): Promise<{ value: string; name: string } | undefined>;
  /** A path read from an option, made absolute; an output file may be confined (the action's workspace). */
  path(value: string, name: string, use: 'input' | 'output'): string | undefined;
}

/** The environment of the run: the runner's variables, whether helm may be downloaded. */
export interface EdgeContext {
  env: NodeJS.ProcessEnv;
  helmDownload: boolean;
}

/** One Settings object from any edge: every option read through the one table, every error naming what the user typed. */
export async function readSettings(reader: OptionReader, context: EdgeContext): Promise<Settings> {
  const { edge } = reader;
  const { env } = context;
  const raw = async (key: OptionKey): Promise<string> => (await reader.read(key))?.value ?? '';
  const parsed = async <T>(key: OptionKey, parse: (value: string, name: string) => T): Promise<T | undefined> => {
    const option = await reader.read(key);
    return option === undefined ? undefined : parse(option.value, option.name);
  };
  const path = async (key: OptionKey, use: 'input' | 'output'): Promise<string | undefined> => {
    const option = await reader.read(key);
    return option && option.value.trim() !== '' ? reader.path(option.value, option.name, use) : undefined;
  };
  const skipSucceededWithin = await parsed('skipSucceededWithin', parseSkipSucceededWithin);
  const fromPlan = await path('fromPlan', 'input');
  const shard = await parsed('shard', parseShard);
  const mergeResults = await path('mergeResults', 'input');
  const username = await raw('chartRepoUsername');
  const password = await raw('chartRepoPassword');
  const failureIssueRepo = await raw('failureIssueRepo');
  const failureIssueAsked = await parsed('failureIssue', parseBoolean);
  const registryUsername = await raw('registryUsername');
  const registryPassword = await raw('registryPassword');
  const indexUsername = await raw('packageIndexUsername');
  const indexPassword = await raw('packageIndexPassword');
  return {
    edge,
    mode: runModeOf(edge, {
      dryRun: (await parsed('dryRun', parseBoolean)) ?? false,
      ...(fromPlan ? { fromPlan } : {}),
      ...(shard ? { shard } : {}),
      ...(mergeResults ? { mergeResults } : {}),
      ...(skipSucceededWithin ? { skipSucceededWithin } : {})
    }),
    configFile: (await path('config', 'input')) ?? defaultConfigFile(),
    auth: chooseAuth(await raw('token'), await raw('appId'), await raw('privateKey'), edge),
    org: (await raw('org')) || undefined,
    defaultOrg: orgFromRepository(env.GITHUB_REPOSITORY),
    apiUrl: (await raw('apiUrl')) || env.GITHUB_API_URL || DEFAULT_API_URL,
    serverUrl: (await raw('serverUrl')) || env.GITHUB_SERVER_URL || DEFAULT_SERVER_URL,
    chartCredentials: credentialsPair(username, password, 'chartRepoUsername', 'chartRepoPassword', edge),
    chartRewrites: (await parsed('chartRepoRewrite', parseRewrites)) ?? [],
    maxParallel: await parsed('maxParallel', parsePositiveInteger),
    resultsFile: await path('resultsFile', 'output'),
    planFile: await path('planFile', 'output'),
    skipSucceededWithin,
    failOn: (await parsed('failOn', parseFailOn)) ?? 'problems',
    skipCharts: (await parsed('skipCharts', parseBoolean)) ?? false,
    helmDownload: context.helmDownload,
    configOverrides: await configOverridesOf(parsed),
    // the action asks with failure-issue (its repo defaults to this one); the command line with the repo alone
    failureIssue: failureIssueOf(
      failureIssueAsked ?? (edge === 'command-line' && failureIssueRepo !== ''),
      failureIssueRepo || env.GITHUB_REPOSITORY || '',
      optionName(edge, 'failureIssueRepo')
    ),
    jobRunUrl: jobRunUrlOf(env),
    runnerFolders: runnerFoldersOf(env),
    rebuild: await parsed('rebuild', parseRebuildPolicy),
    maxAgeMs: await parsed('maxAge', parseMaxAge),
    registryCredentials: credentialsPair(registryUsername, registryPassword, 'registryUsername', 'registryPassword', edge),
    registryRewrites: (await parsed('registryRewrite', parseRegistryRewrites)) ?? [],
    registryHosts: (await parsed('registryHosts', parseRegistryHosts)) ?? [],
    only: (await parsed('only', parseSelectors)) ?? [],
    packageIndexRewrites: (await parsed('packageIndexRewrite', parsePackageIndexRewrites)) ?? [],
    packageIndexCredentials: credentialsPair(indexUsername, indexPassword, 'packageIndexUsername', 'packageIndexPassword', edge)
  };
}

/** The settings dispatcher.py read from its environment (the command line only): they win over the file. */
async function configOverridesOf(
  parsed: <T>(key: OptionKey, parse: (value: string, name: string) => T) => Promise<T | undefined>
): Promise<ConfigOverrides> {
  const sleep = await parsed('sleepDurationSeconds', parseNumber);
  const limit = await parsed('timeLimitMinutes', parseNumber);
  const webhook = await parsed('webhookSleepSeconds', (v, n) => parseNumber(v, n, { allowZero: true }));
  const level = await parsed('logLevel', parseLogLevel);
  return {
    ...(sleep !== undefined ? { 'sleep-duration-seconds': sleep } : {}),
    ...(limit !== undefined ? { 'time-limit-minutes': limit } : {}),
    ...(webhook !== undefined ? { 'webhook-sleep-seconds': webhook } : {}),
    ...(level !== undefined ? { 'log-level': level } : {})
  };
}
