import { existsSync } from 'node:fs';
import { settingsFromArgs } from '../src/command-line.js';
import { chooseAuth, defaultConfigFile, parseBoolean, parsePositiveInteger, parseRewrites, settingsFromInputs } from '../src/settings.js';

/** Run with INPUT_* variables as the runner sets them, then restore the environment. */
function withInputs<T>(inputs: Record<string, string>, work: () => T): T {
  const saved = { ...process.env };
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
  try {
    return work();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

describe('settings of the action', () => {
  const env = {
    GITHUB_WORKSPACE: '/work/space',
    GITHUB_REPOSITORY: 'Cray-HPE/hms-build-workflow-dispatcher',
    GITHUB_API_URL: 'https://ghe.example/api/v3',
    GITHUB_SERVER_URL: 'https://ghe.example'
  };

  it('turns the inputs into one typed object', () => {
    const settings = withInputs(
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
      configFile: '/work/space/configs/csm.yaml',
      dryRun: true,
      auth: { kind: 'token', token: 'tok-123' },
      org: undefined,
      defaultOrg: 'Cray-HPE',
      apiUrl: 'https://ghe.example/api/v3',
      serverUrl: 'https://ghe.example',
      chartCredentials: undefined,
      chartRewrites: [{ from: 'https://a.example/', to: 'http://mirror/' }],
      maxParallel: 4,
      resultsFile: '/work/space/out/results.json',
      planFile: undefined
    });
  });

  it('defaults to the configuration shipped with the action, github.com and no dry run', () => {
    const settings = withInputs({ 'app-id': '42', 'private-key': '-----BEGIN KEY-----\\nabc\\n-----END KEY-----', org: 'Other' }, () =>
      settingsFromInputs({})
    );
    expect(existsSync(settings.configFile)).toBe(true);
    expect(settings.configFile).toBe(defaultConfigFile());
    expect(settings).toMatchObject({
      dryRun: false,
      apiUrl: 'https://api.github.com',
      serverUrl: 'https://github.com',
      org: 'Other',
      defaultOrg: undefined
    });
    // a key pasted into a one-line secret gets its line breaks back
    expect(settings.auth).toEqual({ kind: 'app', appId: '42', privateKey: '-----BEGIN KEY-----\nabc\n-----END KEY-----' });
  });

  it('says which input is wrong', () => {
    expect(() => parseBoolean('maybe', 'dry-run')).toThrow('input dry-run must be true or false, not "maybe"');
    expect(() => parsePositiveInteger('0', 'max-parallel')).toThrow('input max-parallel must be a whole number of at least 1, not "0"');
    expect(() => parseRewrites('no-equals-sign', 'chart-repo-rewrite')).toThrow(
      'input chart-repo-rewrite: "no-equals-sign" is not FROM=TO'
    );
    expect(() => chooseAuth('', '42', '')).toThrow('inputs app-id and private-key go together: set both or neither');
    expect(chooseAuth('', '', '')).toBeUndefined();
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
      dryRun: true,
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
    expect(await settingsFromArgs(['--help'], {})).toBe('help');
  });
});
