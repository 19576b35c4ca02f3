import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Clock } from '../src/dispatch/clock.js';
import { ConsoleJobOutput } from '../src/job-output.js';
import { runJob } from '../src/main.js';
import type { Plan, PlannedImage } from '../src/plan/plan.js';
import type { Settings } from '../src/settings.js';
import { toYaml } from '../src/yaml.js';
import { GitHubEmulator } from './support/github-emulator.js';
import { fakeClock } from './support/fake-clock.js';
import { plannedImage } from './support/planned-image.js';
import { OriginBoundFetch } from '../src/http/origin-bound-fetch.js';
import { commitOf, hmsRepo, ORG } from './support/sample-stream.js';

/** What the job printed, as a terminal would show it. */
function capturedOutput(): { output: ConsoleJobOutput; text: () => string } {
  let text = '';
  const sink = new Writable({
    write: (chunk: Buffer, _e, cb) => {
      text += chunk.toString();
      cb();
    }
  });
  // problems go to stderr on a terminal: keep them in the same text
  const output = new ConsoleJobOutput(false, sink, sink);
  return { output, text: () => text };
}

const image = plannedImage;

/** A plan of two builds and one gap, as a plan job writes it (workflow ids as hmsRepo gives them). */
function planFile(createdAt: string): Plan {
  const smd = image('hms-smd', 'cray-smd', '2.24.0');
  const bss = image('hms-bss', 'cray-bss', '1.28.0');
  const build = (i: PlannedImage, id: number) => ({
    githubRepo: i.githubRepo,
    gitTag: i.gitTag,
    commit: i.commit ?? '',
    workflow: { id, name: 'Build and Publish Service Docker Images', path: '.github/workflows/build_and_release_image.yaml' },
    chosenBy: 'image-name' as const,
    images: [i.fullImage]
  });
  return {
    version: 3,
    createdAt,
    org: ORG,
    productStreamRepo: 'csm',
    branches: [{ branch: 'release/1.6', commit: 'c'.repeat(40), images: 3 }],
    repos: [
      { githubRepo: 'hms-bss', images: [bss], builds: [build(bss, 1071)] },
      { githubRepo: 'hms-smd', images: [smd, image('hms-smd', 'cray-smd-test', '2.23.0', 'unresolved')], builds: [build(smd, 1071)] }
    ],
    problems: [
      { severity: 'warning', message: 'targeted branch does not exist in Cray-HPE/csm; skipped', where: { branch: 'release/9.9' } }
    ]
  };
}

describe('runJob in process: the modes over their ports, on the job clock, cancelled by a signal', () => {
  let github: GitHubEmulator;
  let work: string;
  let clock: Clock;
  let onSleep: () => void;

  beforeEach(async () => {
    onSleep = () => undefined;
    clock = fakeClock('2026-12-01T07:00:00Z', () => onSleep());
    work = mkdtempSync(join(tmpdir(), 'run-job-'));
    github = await new GitHubEmulator({
      org: ORG,
      repos: [
        hmsRepo('hms-smd', 'cray-smd', { 'v2.24.0': commitOf('hms-smd-2.24.0') }),
        hmsRepo('hms-bss', 'cray-bss', { 'v1.28.0': commitOf('hms-bss-1.28.0') }),
        { name: 'dispatcher', tags: {}, workflows: [], files: {} }
      ],
      now: () => clock.now(),
      runScript: () => ({ queuedMs: 2000, runMs: 60_000, conclusion: 'success' })
    }).start();
    writeFileSync(
      join(work, 'configuration.yaml'),
      toYaml({
        configuration: { org: ORG, 'product-stream-repo': 'csm', 'sleep-duration-seconds': 10, 'time-limit-minutes': 30 },
        // a plan file is checked against these: each build's repo is one the configuration maps an image to
        'github-repo-image-lookup': [
          { image: 'cray-smd', 'github-repo': 'hms-smd' },
          { image: 'cray-bss', 'github-repo': 'hms-bss' }
        ],
        acknowledged: [{ image: 'cray-smd-test:2.23.0', reason: 'predates the CT workflow', until: '2026-12-31' }]
      })
    );
    writeFileSync(join(work, 'plan.json'), JSON.stringify(planFile(new Date(clock.now()).toISOString())));
  });
  afterEach(async () => {
    await github.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const settings = (over: Partial<Settings>): Settings => ({
    edge: 'command-line',
    mode: { kind: 'dispatch', fromPlan: join(work, 'plan.json') },
    configFile: join(work, 'configuration.yaml'),
    auth: { kind: 'token', token: 'test-token' },
    org: undefined,
    defaultOrg: undefined,
    apiUrl: github.url,
    serverUrl: 'https://github.example',
    chartCredentials: undefined,
    chartRewrites: [],
    maxParallel: undefined,
    resultsFile: join(work, 'results.json'),
    planFile: undefined,
    skipSucceededWithin: undefined,
    failOn: 'problems',
    skipCharts: false,
    helmDownload: false,
    failureIssue: undefined,
    jobRunUrl: undefined,
    configOverrides: {},
    rebuild: undefined,
    maxAgeMs: undefined,
    registryCredentials: undefined,
    registryRewrites: [],
    registryHosts: [],
    only: [],
    packageIndexRewrites: [],
    packageIndexCredentials: undefined,
    runnerFolders: [],
    ...over
  });

  it('dispatches a plan read from a file to the end: one report, its gap acknowledged, the totals said once', async () => {
    const { output, text } = capturedOutput();
    const result = await runJob(settings({}), { output, clock });
    expect(result.exitCode).toBe(0);
    expect(result.report?.ending).toEqual({ kind: 'watched' });
    expect(result.report?.results.map((r) => [r.image, r.outcome])).toEqual([
      ['cray-bss', 'succeeded'],
      ['cray-smd', 'succeeded'],
      ['cray-smd-test', 'acknowledged']
    ]);
    // a whole plan read from a file says its planning problems again
    expect(result.report?.problems.map((p) => p.message)).toEqual(['targeted branch does not exist in Cray-HPE/csm; skipped']);
    expect(text().match(/3 images, 2 dispatched: 2 succeeded, 1 acknowledged/g)).toHaveLength(1);
    expect(output.outputs.get('failed')).toBe('0');
    const file = JSON.parse(readFileSync(join(work, 'results.json'), 'utf8')) as { problems: unknown[] };
    expect(file.problems).toHaveLength(1);
  });

  it('refuses a build a plan file adds that the configuration never allowed (a branch, another workflow), and dispatches the rest', async () => {
    const plan = planFile(new Date(clock.now()).toISOString());
    const bss = plan.repos[0];
    if (!bss) throw new Error('no hms-bss in the plan');
    // hostile round 2: a crafted build of the unit-test workflow at the branch main
    const main = { ...image('hms-bss', 'cray-bss', '9.9.9'), fullImage: 'reg/cray-bss:main', tag: 'main', gitTag: 'main' };
    bss.images.push(main);
    bss.builds.push({
      ...(bss.builds[0] as (typeof bss.builds)[number]),
      gitTag: 'main',
      commit: '',
      workflow: { id: 9999, name: 'Run Unit Tests', path: '.github/workflows/run_unit_test.yaml' },
      images: [main.fullImage]
    });
    writeFileSync(join(work, 'plan.json'), JSON.stringify(plan));
    const { output, text } = capturedOutput();
    const result = await runJob(settings({}), { output, clock });
    expect(result.exitCode).toBe(1);
    expect(text()).toContain(
      'from-plan: build hms-bss main (.github/workflows/run_unit_test.yaml) is not dispatched: main is not a tag of hms-bss (a plan dispatches tags, never branches)'
    );
    expect(github.dispatches.map((d) => d.ref).sort()).toEqual(['v1.28.0', 'v2.24.0']);
  });

  it('stops at the abort of its signal: builds dispatched are reported running, with their runs; nothing more is dispatched', async () => {
    const cancel = new AbortController();
    let sleeps = 0;
    onSleep = () => {
      if (++sleeps === 3) cancel.abort('SIGTERM');
    };
    const { output } = capturedOutput();
    const http = new OriginBoundFetch(cancel.signal);
    const result = await runJob(settings({}), { output, clock, signal: cancel.signal, http });
    expect(result.exitCode).toBe(1);
    expect(result.report?.ending).toEqual({
      kind: 'stopped',
      why: 'it was cancelled (SIGTERM); builds still running go on without being watched',
      cause: 'cancelled',
      dispatched: true,
      dryRun: false
    });
    // the cancel aborted what was in flight: no request is left once the job has returned
    for (let i = 0; i < 50 && http.inFlight() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(http.inFlight()).toBe(0);
    const running = result.report?.results.filter((r) => r.outcome === 'running') ?? [];
    expect(running.map((r) => r.image)).toEqual(['cray-bss', 'cray-smd']);
    for (const r of running) expect(r.runUrl).toMatch(/\/actions\/runs\/\d+$/);
    const dispatched = github.dispatches.length;
    await clock.sleep(120_000);
    expect(github.dispatches.length).toBe(dispatched);
  });

  it('dispatches nothing when cancelled before it starts, and still reports', async () => {
    const { output, text } = capturedOutput();
    const result = await runJob(settings({}), { output, clock, signal: AbortSignal.abort('SIGINT') });
    expect(result).toMatchObject({
      exitCode: 1,
      report: {
        results: [],
        ending: { kind: 'stopped', cause: 'cancelled', dispatched: false, why: expect.stringContaining('cancelled (SIGINT)') as unknown }
      }
    });
    expect(text()).toContain('Nothing was dispatched: the job stopped while planning.');
    expect(github.dispatches).toEqual([]);
  });

  it('merges shards: the plan problems they carried are reported once; a build still running keeps the failure issue open', async () => {
    mkdirSync(join(work, 'shards'));
    for (const k of [1, 2]) {
      const cancel = new AbortController();
      let sleeps = 0;
      onSleep = () => {
        if (++sleeps === 2) cancel.abort('SIGINT');
      };
      const shard = settings({
        mode: { kind: 'dispatch', fromPlan: join(work, 'plan.json'), shard: { index: k, count: 2 } },
        resultsFile: join(work, 'shards', `${k}.json`)
      });
      const { output, text } = capturedOutput();
      await runJob(shard, { output, clock, signal: cancel.signal });
      // a shard says none of the plan's problems: the report job does
      expect(text()).not.toContain('targeted branch does not exist');
    }
    onSleep = () => undefined;
    const { output, text } = capturedOutput();
    const merged = await runJob(
      settings({ mode: { kind: 'merge', pattern: join(work, 'shards', '*.json') }, failureIssue: { repo: `${ORG}/dispatcher` } }),
      { output, clock }
    );
    expect(merged.exitCode).toBe(1);
    expect(text().match(/targeted branch does not exist/g)).toHaveLength(1);
    const [issue] = github.repo('dispatcher')?.issues ?? [];
    expect(issue?.state).toBe('open');
    expect(issue?.body).toContain('hms-bss cray-bss:1.28.0: still running');
    expect(issue?.body).not.toContain('cray-smd-test');
  });
});
