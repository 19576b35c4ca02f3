import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildResult } from '../../src/dispatch/build-result.js';
import { runBundle } from '../support/run-action.js';
import {
  ACKNOWLEDGED_GAP,
  CHART_PASSWORD,
  CHART_USER,
  sampleInputs,
  startSampleStream,
  type LocalParts,
  type SampleOptions
} from '../support/sample-stream.js';

const inputs = (parts: LocalParts, extra: Record<string, string> = {}): Record<string, string> =>
  sampleInputs(parts, { 'results-file': 'results.json', ...extra });

const failingRts: SampleOptions['emulator'] = {
  // hms-rts fails every attempt; hms-bss fails once and succeeds when its failed jobs are re-run
  runScript: (repo, _workflow, _ref, attempt) => ({
    queuedMs: 300,
    runMs: 1200,
    conclusion: repo === 'hms-rts' || (repo === 'hms-bss' && attempt === 1) ? 'failure' : 'success'
  })
};

describe('the built action dispatching and monitoring against the emulator', () => {
  let parts: LocalParts;
  afterEach(async () => {
    await parts?.stop();
  });

  it('dispatches every planned image exactly once, reports a failed build and a gap nobody acknowledged, and fails the job', async () => {
    parts = await startSampleStream({ emulator: failingRts, config: (c) => delete c.acknowledged });
    // noise on the same workflow and ref: a push build and someone else's dispatch
    const bss = parts.github.repo('hms-bss');
    parts.github.addRun({ repo: 'hms-bss', workflowId: bss?.workflows[0]?.id ?? 0, ref: 'v1.28.0', event: 'push', actor: 'hms-bot' });
    parts.github.addRun({
      repo: 'hms-bss',
      workflowId: bss?.workflows[0]?.id ?? 0,
      ref: 'v1.28.0',
      event: 'workflow_dispatch',
      actor: 'someone',
      script: { conclusion: 'failure' }
    });
    const run = await runBundle('dist/index.js', { ...parts.actionEnv(inputs(parts, { 'failure-issue': 'true' })), GITHUB_RUN_ID: '31' });
    expect(run.code).toBe(1);

    const keys = parts.github.dispatches.map((d) => `${d.repo} ${d.workflowId} ${d.ref}`);
    expect(keys).toHaveLength(13);
    expect(new Set(keys).size).toBe(13);

    const results = JSON.parse(run.outputs.results ?? '[]') as BuildResult[];
    const file = JSON.parse(readFileSync(join(parts.workDir, 'results.json'), 'utf8')) as {
      version: number;
      releases: unknown[];
      results: BuildResult[];
    };
    expect(file).toMatchObject({ version: 1, results });
    expect(results).toHaveLength(14);
    const byOutcome = (o: string): string[] => results.filter((r) => r.outcome === o).map((r) => `${r.image}:${r.tag}`);
    expect(byOutcome('failed')).toEqual(['cray-hms-rts:3.1.0', 'cray-hms-rts:3.1.1']);
    expect(byOutcome('not-dispatched')).toEqual(['hardware-topology-assistant:0.3.1']);
    expect(byOutcome('succeeded')).toHaveLength(7);
    expect(byOutcome('succeeded-on-retry')).toEqual(['cray-bss:1.26.0', 'cray-bss:1.28.0', 'cray-bss-test:1.26.0', 'cray-bss-test:1.28.0']);
    expect(parts.github.reruns.map((r) => r.repo).sort()).toEqual([...Array(4).fill('hms-bss'), 'hms-rts', 'hms-rts']);
    for (const r of results.filter((x) => x.runId !== undefined)) {
      const emulated = parts.github.runs.find((x) => x.id === r.runId);
      expect(emulated).toMatchObject({ repo: r.githubRepo, ref: r.gitTag, dispatched: true });
    }
    expect(run.outputs).toMatchObject({ dispatched: '13', succeeded: '11', failed: '3' });

    const errors = run.annotations.filter((a) => a.kind === 'error').map((a) => a.message);
    expect(errors).toEqual([
      'repo hardware-topology-assistant, image hardware-topology-assistant, tag v0.3.1: not rebuilt: tag v0.3.1 does not exist in Cray-HPE/hardware-topology-assistant (branches: release/1.6)',
      expect.stringMatching(
        /^repo hms-rts, image cray-hms-rts, tag v3\.1\.0: build failed: job build, step "Build and push the image" \(https:\/\/github\.example\/Cray-HPE\/hms-rts\/actions\/runs\/\d+\)$/
      ),
      expect.stringMatching(/^repo hms-rts, image cray-hms-rts, tag v3\.1\.1: build failed: job build, step "Build and push the image"/),
      '3 images need a person: hardware-topology-assistant hardware-topology-assistant v0.3.1 (not-dispatched), hms-rts cray-hms-rts v3.1.0 (failed), hms-rts cray-hms-rts v3.1.1 (failed)'
    ]);
    expect(run.summary).toContain('**14 images, 13 dispatched: 11 succeeded (4 on retry), 2 failed, 1 not rebuilt**');
    // the view by release opens the summary; the registry path is said once
    expect(run.summary).toMatch(/\| \[release\/1\.6\]\([^)]+\/Cray-HPE\/csm\/tree\/release\/1\.6\) \| 8 \| 5 \| — \| ❌ 3 \|/);
    expect(run.summary).toMatch(/\| \[release\/1\.5\]\([^)]+\) \| 4 \| 4 \| — \| — \|/);
    expect(run.summary).toContain('Images are under `artifactory.algol60.net/csm-docker/stable/`.');
    expect(JSON.parse(run.outputs.releases ?? '[]')).toEqual(file.releases);
    expect(file.releases[0]).toEqual({
      branch: 'release/1.6',
      images: 8,
      rebuilt: 3,
      rebuiltOnRetry: 2,
      alreadyBuilt: 0,
      upToDate: 0,
      skipped: 0,
      acknowledged: 0,
      failed: 2,
      notDispatched: 1
    });
    expect(run.summary).toMatch(
      /\| \[v3\.1\.0\]\([^)]+\/Cray-HPE\/hms-rts\/tree\/v3\.1\.0\) \| `cray-hms-rts:3\.1\.0` \| release\/1\.6 \| ❌ failed<br>dispatched: rebuild: always<br>failing for 1 day: \[#1\]\([^)]+\)<br>\[job build\]\([^)]+\): step Build and push the image<br>\[re-run failed jobs\]\([^)]+\) \| \[#(\d+)\]\(https:\/\/github\.example\/Cray-HPE\/hms-rts\/actions\/runs\/\1\)<br>\[attempt 1: failure\]\([^)]+\/runs\/\1\/attempts\/1\)<br>\[attempt 2: failure\]\([^)]+\/attempts\/2\) \|/
    );
    expect(run.stdout).toMatch(/^cycle \d+: .*succeeded/m);

    // the failure issue: the two builds that failed twice and the image that could not be dispatched
    const [issue, ...more] = parts.github.repo('hms-build-workflow-dispatcher')?.issues ?? [];
    expect(more).toEqual([]);
    expect(issue).toMatchObject({ title: 'Image rebuilds failing: Cray-HPE/csm', state: 'open', labels: ['image-rebuild-failures'] });
    expect(issue?.body).toMatch(
      /### Builds that did not succeed \(2\)[\s\S]*\| hms-rts cray-hms-rts:3\.1\.0: failed \| \d{4}-\d\d-\d\d \| 1 \| \[run\]\(https:\/\/github\.example\/Cray-HPE\/hms-rts\/actions\/runs\/\d+\) \|/
    );
    expect(issue?.body).toContain('### Images that could not be dispatched (1)');
    expect(issue?.body).toContain('Latest: [run 31 on ');
    expect(issue?.body).toContain(`](${parts.git.url}/Cray-HPE/hms-build-workflow-dispatcher/actions/runs/31)`);
    expect(run.outputs['failure-issue']).toBe('https://github.example/Cray-HPE/hms-build-workflow-dispatcher/issues/1');

    // each installation token holds what its phase needs, on the repositories it reaches (README, "GitHub App")
    const planned = [...new Set(results.map((r) => r.githubRepo))].sort();
    expect(parts.github.tokensIssued).toEqual([
      { permissions: { contents: 'read', metadata: 'read' }, repositories: ['csm'] },
      { permissions: { contents: 'read', actions: 'read', metadata: 'read' }, repositories: planned },
      { permissions: { actions: 'write', metadata: 'read' }, repositories: planned },
      { permissions: { issues: 'write', metadata: 'read' }, repositories: ['hms-build-workflow-dispatcher'] }
    ]);
  });

  it('warns once and goes on when the token may not write issues', async () => {
    parts = await startSampleStream({
      emulator: { issuesWritable: false, runScript: () => ({ queuedMs: 100, runMs: 300, conclusion: 'failure' }) }
    });
    const run = await runBundle('dist/index.js', parts.actionEnv(inputs(parts, { 'failure-issue': 'true', 'fail-on': 'never' })));
    expect(run.code).toBe(0);
    const warnings = run.annotations.filter((a) => a.kind === 'warning' && a.message.includes('failure issue'));
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(
        /^cannot keep the failure issue in Cray-HPE\/hms-build-workflow-dispatcher \(GitHub refused a token with issues: write on hms-build-workflow-dispatcher \(422 The permissions requested are not granted to this installation\..*give the GitHub App these permissions.*\); the run goes on$/
      )
    ]);
    expect(run.summary).toContain('## Image rebuilds for Cray-HPE/csm');
  });

  it('matches the right runs when the server answers 204, with noise around', async () => {
    parts = await startSampleStream({
      emulator: {
        dispatchMode: 'no-content',
        runAppearsAfterMs: 1500,
        runScript: () => ({ queuedMs: 200, runMs: 800, conclusion: 'success' })
      }
    });
    const smd = parts.github.repo('hms-smd');
    parts.github.addRun({
      repo: 'hms-smd',
      workflowId: smd?.workflows[0]?.id ?? 0,
      ref: 'v2.24.0',
      event: 'workflow_dispatch',
      actor: 'someone',
      script: { runMs: 60_000 }
    });
    const run = await runBundle('dist/index.js', parts.actionEnv(inputs(parts)));
    const results = JSON.parse(run.outputs.results ?? '[]') as BuildResult[];
    expect(results.filter((r) => r.outcome === 'succeeded')).toHaveLength(13);
    for (const r of results.filter((x) => x.runId !== undefined))
      expect(parts.github.runs.find((x) => x.id === r.runId)).toMatchObject({ repo: r.githubRepo, ref: r.gitTag, dispatched: true });
    expect(parts.github.dispatches.every((d) => d.returnRunDetails === true)).toBe(true);
    expect(run.code).toBe(0); // the missing tag of hardware-topology-assistant is an acknowledged gap
  });

  it('honours the time limit and reports the builds still running as timed out', async () => {
    parts = await startSampleStream({
      emulator: { runScript: (repo) => ({ queuedMs: 100, runMs: repo === 'hms-smd' ? Infinity : 500, conclusion: 'success' }) },
      config: (c) => Object.assign(c.configuration as object, { 'time-limit-minutes': 0.3, 'cancel-on-timeout': true })
    });
    const run = await runBundle('dist/index.js', parts.actionEnv(inputs(parts)));
    expect(run.code).toBe(1);
    const results = JSON.parse(run.outputs.results ?? '[]') as BuildResult[];
    expect(results.filter((r) => r.outcome === 'timed-out').map((r) => [r.image, r.reason])).toEqual([
      ['cray-smd', 'still in_progress when the time limit (18 s) passed; cancelled'],
      ['cray-smd-test', 'still in_progress when the time limit (18 s) passed; cancelled']
    ]);
    expect(results.filter((r) => r.outcome === 'succeeded')).toHaveLength(11);
    expect(parts.github.runs.filter((r) => r.repo === 'hms-smd').every((r) => r.cancelledAt !== undefined)).toBe(true);
    // planning (about 1 s) + the 18 s limit + the last poll and two cancels spaced by a second
    expect(run.ms).toBeLessThan(26_000);
  });

  it('renews an expired installation token during a long wait', async () => {
    // longer than the 5 s in which @octokit/auth-app retries a 401 as replication lag
    parts = await startSampleStream({
      emulator: { tokenLifetimeMs: 6000, runScript: () => ({ queuedMs: 100, runMs: 8000, conclusion: 'success' }) }
    });
    const run = await runBundle('dist/index.js', parts.actionEnv(inputs(parts)));
    const results = JSON.parse(run.outputs.results ?? '[]') as BuildResult[];
    const notSucceeded = results.filter((r) => r.outcome !== 'succeeded').map((r) => `${r.image}:${r.tag} ${r.outcome}: ${r.reason ?? ''}`);
    // on failure, show the end of the action's log beside the outcomes
    expect({ notSucceeded, log: notSucceeded.length === 1 ? '' : run.stdout.slice(-4000) + run.stderr }).toEqual({
      notSucceeded: [
        `hardware-topology-assistant:0.3.1 acknowledged: tag v0.3.1 does not exist in Cray-HPE/hardware-topology-assistant; acknowledged until ${ACKNOWLEDGED_GAP.until}: ${ACKNOWLEDGED_GAP.reason}`
      ],
      log: ''
    });
    expect(parts.github.requests.filter((r) => r.path.endsWith('/access_tokens')).length).toBeGreaterThan(1);
    expect(run.stdout).toContain('renewing the installation token');
  });

  it('rebuilds one thing on demand: only narrows the plan before any dispatch, and a selector that picks nothing dispatches nothing', async () => {
    parts = await startSampleStream({ emulator: { runScript: () => ({ queuedMs: 200, runMs: 600, conclusion: 'success' }) } });
    const run = await runBundle('dist/index.js', parts.actionEnv(inputs(parts, { only: 'repo:hms-s[m]d\nimage:cray-bss:1.28.*' })));
    expect(run.code).toBe(0);
    expect(parts.github.dispatches.map((d) => `${d.repo} ${d.ref}`).sort()).toEqual([
      'hms-bss v1.28.0',
      'hms-smd v2.23.0',
      'hms-smd v2.24.0'
    ]);
    expect(run.summary).toContain('> 🎯 only repo:hms-s\\[m\\]d, image:cray-bss:1.28.\\*: 3 of 13 builds');
    expect(run.outputs.dispatched).toBe('3');
    // a typo in a selector: one error naming it, and nothing at all is dispatched
    const before = parts.github.dispatches.length;
    const typo = await runBundle('dist/index.js', parts.actionEnv(inputs(parts, { only: 'repo:hms-smd\nrepo:hms-bsss' })));
    expect(typo.code).toBe(1);
    expect(parts.github.dispatches.length).toBe(before);
    expect(typo.annotations.filter((a) => a.kind === 'error').map((a) => a.message)).toContain(
      'input only: repo:hms-bsss picks no image of the plan; nothing is dispatched (check its spelling, or run without it to see the plan)'
    );
  }, 120_000);

  it('dispatches from the command line too, printing the results table, exit 0 when all builds succeed', async () => {
    parts = await startSampleStream({ emulator: { runScript: () => ({ queuedMs: 200, runMs: 600, conclusion: 'success' }) } });
    const hta = parts.github.repo('hardware-topology-assistant');
    if (hta) hta.tags['v0.3.1'] = 'a'.repeat(40);
    const resultsFile = join(parts.workDir, 'cli-results.json');
    const run = await runBundle(
      'dist/cli.js',
      {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GITHUB_TOKEN: 'test-token',
        CHART_REPO_USERNAME: CHART_USER,
        CHART_REPO_PASSWORD: CHART_PASSWORD
      },
      120_000,
      [
        '--config',
        parts.configFile,
        '--org',
        'Cray-HPE',
        '--server-url',
        parts.git.url,
        '--api-url',
        parts.github.url,
        '--max-parallel',
        '4',
        '--results-file',
        resultsFile,
        '--only',
        'branch:release/1.*',
        '--only',
        'repo:hms-test'
      ]
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('only branch:release/1.*, repo:hms-test: 14 of 14 builds');
    expect(run.stdout).toMatch(/^REPO +GIT TAG +IMAGE +OUTCOME +RUN +WHY$/m);
    expect(run.stdout).toMatch(
      /^hms-smd +v2\.24\.0 +cray-smd +succeeded +https:\/\/github\.example\/Cray-HPE\/hms-smd\/actions\/runs\/\d+/m
    );
    expect(run.stdout).toContain('14 images, 14 dispatched: 14 succeeded');
    const results = (JSON.parse(readFileSync(resultsFile, 'utf8')) as { results: BuildResult[] }).results;
    expect(results.map((r) => r.outcome)).toEqual(Array(14).fill('succeeded'));
    // dispatched by the token's user, each once
    expect(new Set(parts.github.dispatches.map((d) => `${d.repo} ${d.workflowId} ${d.ref}`)).size).toBe(14);
    expect(parts.github.runs.every((r) => r.actor === 'test-user')).toBe(true);
  });
});
