import * as core from '@actions/core';
import { createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_API_URL, DEFAULT_SERVER_URL, FAIL_ON, Inputs, type FailOn } from './constants.js';
import type { GitHubAuth } from './github/client.js';
import type { RunSettings } from './config/configuration.js';
import type { ShardOf } from './plan/plan.js';
import { parseShard } from './plan/shard.js';
import { parseDuration } from './duration.js';

/** Everything a run needs to know from outside: built once, at the edge, by the action or the command line. */
export interface Settings {
  configFile: string;
  dryRun: boolean;
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
  /** Dispatch this plan (written by an earlier dry run) instead of planning. */
  fromPlan: string | undefined;
  /** Dispatch and watch only this part of the plan. */
  shard: ShardOf | undefined;
  /** Merge these results files (a glob) into one report; nothing is planned nor dispatched. */
  mergeResults: string | undefined;
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
  /** Configuration settings given outside the file (the command line's flags and the original tool's variables); they win. */
  configOverrides: ConfigOverrides;
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

/** The inputs that choose what a run does go together only in some ways: say which do not, before anything runs. */
export function checkRunMode(settings: Pick<Settings, 'dryRun' | 'fromPlan' | 'shard' | 'mergeResults' | 'skipSucceededWithin'>): void {
  if (settings.mergeResults && (settings.fromPlan || settings.shard || settings.dryRun))
    throw new Error(
      `${Inputs.MergeResults} reports results of earlier jobs: it does not go with ${Inputs.FromPlan}, ${Inputs.Shard} or ${Inputs.DryRun}`
    );
  if (settings.shard && !settings.fromPlan)
    throw new Error(
      `${Inputs.Shard} needs ${Inputs.FromPlan}: every shard must split the same plan (make it once with a dry run and ${Inputs.PlanFile})`
    );
  if (settings.skipSucceededWithin?.kind === 'plan' && !settings.fromPlan)
    throw new Error(
      `${Inputs.SkipSucceededWithin}: plan means "since the plan was made" and needs ${Inputs.FromPlan}; give a duration such as 12h`
    );
}

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'WARN', 'ERROR', 'CRITICAL'] as const;

/** A number above 0 (or at least 0), or an error naming where it came from. */
export function parseNumber(value: string, name: string, options: { allowZero?: boolean } = {}): number {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n) || (options.allowZero ? n < 0 : n <= 0))
    throw new Error(`${name} must be a number ${options.allowZero ? 'of at least 0' : 'greater than 0'}, not "${value}"`);
  return n;
}

export function parseLogLevel(value: string, name: string): string {
  const upper = value.trim().toUpperCase();
  if ((LOG_LEVELS as readonly string[]).includes(upper)) return upper;
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
  const what = name.startsWith('--') || name.startsWith('environment variable') ? name : `input ${name}`;
  throw new Error(`${what} must be true or false, not "${value}"`);
}

export function parsePositiveInteger(value: string, name: string): number | undefined {
  if (value.trim() === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`input ${name} must be a whole number of at least 1, not "${value}"`);
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
      if (eq <= 0 || eq === line.length - 1) throw new Error(`input ${name}: "${line}" is not FROM=TO`);
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
export function chooseAuth(token: string, appId: string, privateKey: string): GitHubAuth | undefined {
  if (appId || privateKey) {
    if (!appId || !privateKey) throw new Error(`inputs ${Inputs.AppId} and ${Inputs.PrivateKey} go together: set both or neither`);
    if (!/^\d+$/.test(appId.trim()))
      throw new Error(`${Inputs.AppId} must be a number (the App ID on the App's settings page, not its client ID)`);
    // a key pasted into a single-line secret keeps its line breaks as \n
    const pem = privateKey.includes('\n') ? privateKey : privateKey.replace(/\\n/g, '\n');
    checkPrivateKey(pem);
    return { kind: 'app', appId: appId.trim(), privateKey: pem };
  }
  return token ? { kind: 'token', token } : undefined;
}

/** The App's key is checked before any request, so a bad secret gets one plain message, not OpenSSL's. */
export function checkPrivateKey(pem: string): void {
  const advice = "paste the whole .pem file GitHub generated for the App, from '-----BEGIN' to the last '-----'";
  if (!/-----BEGIN ([A-Z]+ )?PRIVATE KEY-----[\s\S]+-----END ([A-Z]+ )?PRIVATE KEY-----/.test(pem))
    throw new Error(`${Inputs.PrivateKey} is not a PEM private key: ${advice}`);
  try {
    createPrivateKey(pem);
  } catch {
    throw new Error(`${Inputs.PrivateKey} is not a PEM private key (its body does not decode): ${advice}`);
  }
}

export function parseFailOn(value: string, name: string): FailOn {
  const v = value.trim() || 'problems';
  if ((FAIL_ON as readonly string[]).includes(v)) return v as FailOn;
  throw new Error(`input ${name} must be one of ${FAIL_ON.join(', ')}, not "${value}"`);
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
    throw new Error(`input ${name}: "${value}" is outside GITHUB_WORKSPACE (${workspace}); give a path inside it, or an absolute path`);
  return path;
}

/** Mask every secret before anything can print it: the whole value and each line of a multi-line key. */
export function maskSecrets(values: readonly (string | undefined)[]): void {
  for (const value of values) {
    if (!value) continue;
    core.setSecret(value);
    if (value.includes('\n'))
      for (const line of value.split('\n')) if (line.trim().length >= 8 && !line.startsWith('-----')) core.setSecret(line.trim());
  }
}

/** Settings of the action, from its inputs and the runner's environment. */
export function settingsFromInputs(env: NodeJS.ProcessEnv = process.env): Settings {
  const settings = readInputs(env);
  checkRunMode(settings);
  return settings;
}

function readInputs(env: NodeJS.ProcessEnv): Settings {
  const input = (name: string): string => core.getInput(name);
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const config = input(Inputs.Config);
  const username = input(Inputs.ChartRepoUsername);
  const password = input(Inputs.ChartRepoPassword);
  maskSecrets([input(Inputs.Token), input(Inputs.PrivateKey), password]);
  return {
    configFile: config ? (isAbsolute(config) ? config : resolve(workspace, config)) : defaultConfigFile(),
    dryRun: parseBoolean(input(Inputs.DryRun), Inputs.DryRun),
    auth: chooseAuth(input(Inputs.Token), input(Inputs.AppId), input(Inputs.PrivateKey)),
    org: input(Inputs.Org) || undefined,
    defaultOrg: orgFromRepository(env.GITHUB_REPOSITORY),
    apiUrl: env.GITHUB_API_URL || DEFAULT_API_URL,
    serverUrl: env.GITHUB_SERVER_URL || DEFAULT_SERVER_URL,
    chartCredentials: username || password ? { username, password } : undefined,
    chartRewrites: parseRewrites(input(Inputs.ChartRepoRewrite), Inputs.ChartRepoRewrite),
    maxParallel: parsePositiveInteger(input(Inputs.MaxParallel), Inputs.MaxParallel),
    resultsFile: outputPath(input(Inputs.ResultsFile), workspace, Inputs.ResultsFile),
    planFile: outputPath(input(Inputs.PlanFile), workspace, Inputs.PlanFile),
    fromPlan: input(Inputs.FromPlan) ? resolve(workspace, input(Inputs.FromPlan)) : undefined,
    shard: parseShard(input(Inputs.Shard), `input ${Inputs.Shard}`),
    mergeResults: input(Inputs.MergeResults) ? resolve(workspace, input(Inputs.MergeResults)) : undefined,
    skipSucceededWithin: parseSkipSucceededWithin(input(Inputs.SkipSucceededWithin), `input ${Inputs.SkipSucceededWithin}`),
    failOn: parseFailOn(input(Inputs.FailOn), Inputs.FailOn),
    skipCharts: parseBoolean(input(Inputs.SkipCharts), Inputs.SkipCharts),
    helmDownload: true,
    configOverrides: {},
    failureIssue: failureIssueOf(
      parseBoolean(input(Inputs.FailureIssue), Inputs.FailureIssue),
      input(Inputs.FailureIssueRepo) || env.GITHUB_REPOSITORY || '',
      Inputs.FailureIssueRepo
    ),
    jobRunUrl: jobRunUrlOf(env)
  };
}
