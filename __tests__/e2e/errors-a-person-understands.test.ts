import { join } from 'node:path';
import { runBundle } from '../support/run-action.js';
import { CHART_PASSWORD, CHART_USER, startSampleStream, type LocalParts } from '../support/sample-stream.js';

/** The built action's answers to the mistakes people make first (issue 21, §4): one clear message each, before any dispatch. */
describe('errors a person understands (the built action)', () => {
  let parts: LocalParts;
  beforeAll(async () => {
    parts = await startSampleStream({ emulator: { runScript: () => ({ queuedMs: 100, runMs: 200, conclusion: 'success' }) } });
  });
  afterAll(() => parts?.stop());

  const app = (extra: Record<string, string> = {}): Record<string, string> => ({
    config: parts.configFile,
    'app-id': parts.github.appId,
    'private-key': parts.github.privateKey,
    'chart-repo-username': CHART_USER,
    'chart-repo-password': CHART_PASSWORD,
    ...extra
  });
  const errors = (run: { annotations: { kind: string; message: string }[] }): string[] =>
    run.annotations.filter((a) => a.kind === 'error').map((a) => a.message);

  it('a configuration file not found: one error naming the workspace and the usual causes, and the summary says the job stopped', async () => {
    const run = await runBundle('dist/index.js', parts.actionEnv(app({ config: 'configuraton.yaml' })));
    expect(run.code).toBe(1);
    const message = `configuration file configuraton.yaml not found in the workspace (${parts.workDir}): did you check out the repository first (actions/checkout), and is input config relative to it?`;
    expect(errors(run)).toEqual([message]);
    expect(run.summary).toContain(`## Image rebuilds

> ❌ The job stopped before planning: ${message}
`);
  });

  it('dryrun: true, meant as dry-run: the run stops before anything is dispatched; an unknown input is a warning naming the nearest', async () => {
    const before = parts.github.dispatches.length;
    const run = await runBundle('dist/index.js', parts.actionEnv(app({ dryrun: 'true' })));
    expect(run.code).toBe(1);
    expect(parts.github.dispatches.length).toBe(before);
    expect(errors(run)).toEqual([
      'input dryrun is not an input of this action: did you mean dry-run? Nothing was dispatched: a run meant as a dry run must never dispatch (write dry-run: true)'
    ]);
    expect(run.summary).toContain('> ❌ The job stopped before planning: input dryrun is not an input of this action');
    const typo = await runBundle('dist/index.js', parts.actionEnv(app({ 'dry-run': 'true', 'max-paralel': '4', colour: 'blue' })));
    expect(typo.code).toBe(0);
    expect(typo.annotations.filter((a) => a.kind === 'warning').map((a) => a.message)).toEqual(
      expect.arrayContaining([
        'input colour is not an input of this action and was ignored',
        'input max-paralel is not an input of this action and was ignored: did you mean max-parallel?'
      ])
    );
  });

  it('half a credential pair is refused before any request', async () => {
    const requests = parts.github.requests.length;
    const run = await runBundle('dist/index.js', parts.actionEnv(app({ 'dry-run': 'true', 'chart-repo-password': '' })));
    expect(run.code).toBe(1);
    expect(errors(run)).toEqual([
      'input chart-repo-username is set but input chart-repo-password is not: they go together; set both (check that both secrets exist where this workflow runs), or neither'
    ]);
    expect(parts.github.requests.length).toBe(requests);
  });

  it('a token GitHub refuses is one error that stops the job, naming where the token came from', async () => {
    const run = await runBundle(
      'dist/index.js',
      parts.actionEnv({ config: parts.configFile, token: 'ghp_revoked', 'skip-charts': 'true', 'dry-run': 'true' })
    );
    expect(run.code).toBe(1);
    const refused = errors(run).filter((m) => m.includes('refused'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/GitHub refused the token given \(input token, or GITHUB_TOKEN on the command line\) \(401 Bad credentials/);
    // not one annotation per image
    expect(errors(run).length).toBeLessThanOrEqual(2);
  });

  it('the command line suggests the nearest flag, and exits 2 for bad input', async () => {
    const run = await runBundle('dist/cli.js', { PATH: process.env.PATH, HOME: process.env.HOME }, 30_000, [
      '--dryrun',
      '--config',
      join(parts.workDir, 'x.yaml')
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: unknown flag --dryrun: did you mean --dry-run?');
  });
});
