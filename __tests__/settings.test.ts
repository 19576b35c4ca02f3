import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settingsFromArgs } from '../src/command-line.js';
import { CapturedStdout } from './support/captured-stdout.js';
import { settingsFromInputs } from '../src/action-inputs.js';
import {
  runModeOf,
  chooseAuth,
  defaultConfigFile,
  outputPath,
  parseBoolean,
  parseFailOn,
  parsePositiveInteger,
  parseRewrites,
  parseSkipSucceededWithin
} from '../src/settings.js';

const PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

/** Run with INPUT_* variables as the runner sets them, then restore the environment. */
async function withInputs<T>(inputs: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
  try {
    return await work();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

const stdout = new CapturedStdout();
beforeEach(() => stdout.start());
afterEach(() => stdout.stop());

describe('settings of the action', () => {
  const env = {
    GITHUB_WORKSPACE: '/work/space',
    GITHUB_REPOSITORY: 'Cray-HPE/hms-build-workflow-dispatcher',
    GITHUB_API_URL: 'https://ghe.example/api/v3',
    GITHUB_SERVER_URL: 'https://ghe.example'
  };

  it('turns the inputs into one typed object', async () => {
    const settings = await withInputs(
      {
        config: 'configs/csm.yaml',
        'dry-run': 'true',
        token: 'tok-123',
        'max-parallel': '4',
        'results-file': 'out/results.json',
        'chart-repo-rewrite': 'https://a.example/=http://mirror/\n# comment\n'
      },
      () => settingsFromInputs(env)
    );
    expect(settings).toEqual({
      edge: 'action',
      mode: { kind: 'plan' },
      configFile: '/work/space/configs/csm.yaml',
      auth: { kind: 'token', token: 'tok-123' },
      org: undefined,
      defaultOrg: 'Cray-HPE',
      apiUrl: 'https://ghe.example/api/v3',
      serverUrl: 'https://ghe.example',
      chartCredentials: undefined,
      chartRewrites: [{ from: 'https://a.example/', to: 'http://mirror/' }],
      maxParallel: 4,
      resultsFile: '/work/space/out/results.json',
      planFile: undefined,
      failOn: 'problems',
      skipCharts: false,
      helmDownload: true,
      configOverrides: {},
      registryRewrites: [],
      registryHosts: [],
      only: [],
      packageIndexRewrites: [],
      packageIndexCredentials: undefined,
      warnings: [],
      runnerFolders: []
    });
    // the token is masked before anything could print it
    expect(stdout.commands()).toContain('::add-mask::tok-123');
  });

  it('defaults to the configuration shipped with the action, github.com and no dry run', async () => {
    const oneLine = PEM.trim().replace(/\n/g, '\\n');
    const settings = await withInputs({ 'app-id': '42', 'private-key': oneLine, org: 'Other' }, () => settingsFromInputs({}));
    expect(existsSync(settings.configFile)).toBe(true);
    expect(settings.configFile).toBe(defaultConfigFile());
    expect(settings).toMatchObject({
      mode: { kind: 'dispatch' },
      apiUrl: 'https://api.github.com',
      serverUrl: 'https://github.com',
      org: 'Other',
      defaultOrg: undefined
    });
    // a key pasted into a one-line secret gets its line breaks back
    expect(settings.auth).toEqual({ kind: 'app', appId: '42', privateKey: PEM.trim() });
  });

  it('says which input is wrong', async () => {
    expect(() => parseBoolean('maybe', 'input dry-run')).toThrow('input dry-run must be true or false, not "maybe"');
    expect(() => parsePositiveInteger('0', 'input max-parallel')).toThrow(
      'input max-parallel must be a whole number of at least 1, not "0"'
    );
    expect(() => parseRewrites('no-equals-sign', 'input chart-repo-rewrite')).toThrow(
      'input chart-repo-rewrite: "no-equals-sign" is not FROM=TO'
    );
    expect(() => chooseAuth('', '42', '')).toThrow('input app-id and input private-key go together: set both or neither');
    expect(chooseAuth('', '', '')).toBeUndefined();
    expect(() => parseFailOn('sometimes', 'input fail-on')).toThrow(
      'input fail-on must be one of problems, failed-builds, never, not "sometimes"'
    );
    expect(parseFailOn('', 'input fail-on')).toBe('problems');
    // through the action's inputs, the message names the input as the workflow spells it
    await expect(withInputs({ token: 't', 'max-parallel': 'two' }, () => settingsFromInputs({}))).rejects.toThrow(
      'input max-parallel must be a whole number of at least 1, not "two"'
    );
  });

  it('checks the App id and key before any request, with one plain message', () => {
    expect(() => chooseAuth('', 'Iv1.abc', PEM)).toThrow(
      "input app-id must be a number (the App ID on the App's settings page, not its client ID)"
    );
    expect(() => chooseAuth('', '42', 'not a key')).toThrow(/^input private-key is not a PEM private key: paste the whole \.pem file/);
    const damaged = PEM.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
    expect(() => chooseAuth('', '42', damaged)).toThrow(/^input private-key is not a PEM private key \(its body does not decode\)/);
    expect(chooseAuth('', ' 42 ', PEM)).toEqual({ kind: 'app', appId: '42', privateKey: PEM });
  });

  it('keeps relative output paths inside the workspace; absolute paths are taken as they are', async () => {
    expect(outputPath('out/r.json', '/work/space', 'input results-file')).toBe('/work/space/out/r.json');
    expect(outputPath('/tmp/r.json', '/work/space', 'input results-file')).toBe('/tmp/r.json');
    expect(outputPath('', '/work/space', 'input results-file')).toBeUndefined();
    expect(() => outputPath('../../x', '/work/space', 'input results-file')).toThrow(
      'input results-file: "../../x" is outside GITHUB_WORKSPACE (/work/space); give a path inside it, or an absolute path'
    );
    await expect(
      withInputs({ token: 't', 'results-file': '../x.json' }, () => settingsFromInputs({ GITHUB_WORKSPACE: '/w' }))
    ).rejects.toThrow(/outside GITHUB_WORKSPACE/);
  });
});

describe('settings of the command line', () => {
  it('builds the same Settings from flags and the environment', async () => {
    const parsed = await settingsFromArgs(
      [
        '--config',
        'c.yaml',
        '--dry-run',
        '--max-parallel',
        '3',
        '--chart-repo-rewrite',
        'a=b',
        '--chart-repo-rewrite',
        'c=d',
        '--api-url',
        'http://127.0.0.1:1'
      ],
      {
        GITHUB_TOKEN: 'env-token',
        CHART_REPO_USERNAME: 'u',
        CHART_REPO_PASSWORD: 'p',
        GITHUB_REPOSITORY: 'Cray-HPE/x'
      }
    );
    if (parsed === 'help') throw new Error('unexpected help');
    expect(parsed.settings).toMatchObject({
      edge: 'command-line',
      mode: { kind: 'plan' },
      auth: { kind: 'token', token: 'env-token' },
      defaultOrg: 'Cray-HPE',
      apiUrl: 'http://127.0.0.1:1',
      serverUrl: 'https://github.com',
      chartCredentials: { username: 'u', password: 'p' },
      chartRewrites: [
        { from: 'a', to: 'b' },
        { from: 'c', to: 'd' }
      ],
      maxParallel: 3
    });
    expect(parsed.settings.configFile).toMatch(/\/c\.yaml$/);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.settings.helmDownload).toBe(false);
    expect(await settingsFromArgs(['--help'], {})).toBe('help');
  });

  it('takes the App from GITHUB_APP_ID and a key file, and warns of secrets given as arguments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-key-'));
    try {
      writeFileSync(join(dir, 'app.pem'), PEM);
      const parsed = await settingsFromArgs(['--token', 'visible', '--fail-on', 'never', '--skip-charts'], {
        GITHUB_APP_ID: '7',
        GITHUB_APP_PRIVATE_KEY_FILE: join(dir, 'app.pem')
      });
      if (parsed === 'help') throw new Error('unexpected help');
      expect(parsed.settings.auth).toEqual({ kind: 'app', appId: '7', privateKey: PEM });
      expect(parsed.settings).toMatchObject({ failOn: 'never', skipCharts: true });
      expect(parsed.warnings).toEqual(['--token shows in the process list; set GITHUB_TOKEN instead']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the environment of dispatcher.py as defaults, flags winning', async () => {
    const env = {
      DRYRUN: 'true',
      DISPATCHER_CONFIGURATION_FILE: 'configs/csm.yaml',
      GITHUB_TOKEN: 't',
      ARTIFACTORY_ALGOL60_READONLY_USERNAME: 'reader',
      ARTIFACTORY_ALGOL60_READONLY_TOKEN: 'secret',
      SLEEP_DURATION_SECONDS: '45',
      TIME_LIMIT_MINUTES: '90',
      WEBHOOK_SLEEP_SECONDS: '0',
      LOG_LEVEL: 'debug'
    };
    const parsed = await settingsFromArgs([], env);
    if (parsed === 'help') throw new Error('unexpected help');
    expect(parsed.settings).toMatchObject({
      mode: { kind: 'plan' },
      auth: { kind: 'token', token: 't' },
      chartCredentials: { username: 'reader', password: 'secret' },
      configOverrides: { 'sleep-duration-seconds': 45, 'time-limit-minutes': 90, 'webhook-sleep-seconds': 0, 'log-level': 'DEBUG' }
    });
    expect(parsed.settings.configFile).toMatch(/\/configs\/csm\.yaml$/);
    const flags = await settingsFromArgs(['--time-limit-minutes', '5', '--config', 'other.yaml'], { ...env, DRYRUN: 'false' });
    if (flags === 'help') throw new Error('unexpected help');
    expect(flags.settings.mode.kind).toBe('dispatch');
    expect(flags.settings.configOverrides['time-limit-minutes']).toBe(5);
    expect(flags.settings.configFile).toMatch(/\/other\.yaml$/);
  });

  it('names the variable whose value does not parse (dispatcher.py crashed on these)', async () => {
    await expect(settingsFromArgs([], { SLEEP_DURATION_SECONDS: 'thirty' })).rejects.toThrow(
      'environment variable SLEEP_DURATION_SECONDS must be a number greater than 0, not "thirty"'
    );
    await expect(settingsFromArgs([], { TIME_LIMIT_MINUTES: '0' })).rejects.toThrow(
      'environment variable TIME_LIMIT_MINUTES must be a number greater than 0, not "0"'
    );
    await expect(settingsFromArgs([], { WEBHOOK_SLEEP_SECONDS: '-1' })).rejects.toThrow(
      'environment variable WEBHOOK_SLEEP_SECONDS must be a number of at least 0, not "-1"'
    );
    await expect(settingsFromArgs([], { LOG_LEVEL: 'loud' })).rejects.toThrow(
      'environment variable LOG_LEVEL must be one of DEBUG, INFO, WARNING, WARN, ERROR, CRITICAL, not "loud"'
    );
    await expect(settingsFromArgs([], { DRYRUN: 'yes please' })).rejects.toThrow(
      'environment variable DRYRUN must be true or false, not "yes please"'
    );
    await expect(settingsFromArgs(['--sleep-duration-seconds', 'x'], {})).rejects.toThrow('--sleep-duration-seconds must be a number');
  });
});

describe('what a run does: plans, shards, merges, resumes', () => {
  it('reads skip-succeeded-within as a duration or plan, and refuses anything else', () => {
    expect(parseSkipSucceededWithin('12h', 'input skip-succeeded-within')).toEqual({ kind: 'duration', ms: 12 * 3600_000 });
    expect(parseSkipSucceededWithin('1h30m', 'x')).toEqual({ kind: 'duration', ms: 90 * 60_000 });
    expect(parseSkipSucceededWithin('2d', 'x')).toEqual({ kind: 'duration', ms: 2 * 86_400_000 });
    expect(parseSkipSucceededWithin('plan', 'x')).toEqual({ kind: 'plan' });
    expect(parseSkipSucceededWithin('', 'x')).toBeUndefined();
    for (const bad of ['12', 'h', '12 hours', '0h', '-1h'])
      expect(() => parseSkipSucceededWithin(bad, 'input skip-succeeded-within')).toThrow(
        `input skip-succeeded-within must be a duration such as 12h, 90m or 1h30m, or plan, not "${bad}"`
      );
  });

  it('refuses inputs that do not go together, before anything runs, naming them as the edge spells them', () => {
    const none = { dryRun: false };
    expect(() => runModeOf('action', { ...none, shard: { index: 1, count: 2 } })).toThrow('input shard needs input from-plan');
    expect(() => runModeOf('command-line', { ...none, shard: { index: 1, count: 2 } })).toThrow('--shard needs --from-plan');
    expect(() => runModeOf('action', { ...none, mergeResults: 'r/*.json', fromPlan: 'plan.json' })).toThrow(
      'input merge-results reports results of earlier jobs: it does not go with input from-plan, input shard or input dry-run'
    );
    expect(() => runModeOf('action', { ...none, skipSucceededWithin: { kind: 'plan' } })).toThrow(
      /plan means "since the plan was made" and needs input from-plan/
    );
    expect(
      runModeOf('action', { ...none, fromPlan: 'plan.json', shard: { index: 2, count: 2 }, skipSucceededWithin: { kind: 'plan' } })
    ).toEqual({
      kind: 'dispatch',
      fromPlan: 'plan.json',
      shard: { index: 2, count: 2 }
    });
    expect(runModeOf('action', { dryRun: false, mergeResults: 'r/*.json' })).toEqual({ kind: 'merge', pattern: 'r/*.json' });
  });

  it('takes the same choices on the command line', async () => {
    const parsed = await settingsFromArgs(['--from-plan', 'plan.json', '--shard', '2/3', '--skip-succeeded-within', '12h'], {
      GITHUB_TOKEN: 't'
    });
    if (parsed === 'help') throw new Error('help');
    expect(parsed.settings).toMatchObject({
      mode: { kind: 'dispatch', shard: { index: 2, count: 3 }, fromPlan: expect.stringMatching(/\/plan\.json$/) as unknown },
      skipSucceededWithin: { kind: 'duration', ms: 43_200_000 }
    });
    await expect(settingsFromArgs(['--shard', '2/3'], { GITHUB_TOKEN: 't' })).rejects.toThrow('--shard needs --from-plan');
  });
});
