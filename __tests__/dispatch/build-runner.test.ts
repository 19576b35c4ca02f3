import { gapResults, inPlanOrder } from '../../src/report/gaps.js';
import { BuildRunner, type BuildOptions } from '../../src/dispatch/build-runner.js';
import { restApiVersion, type RestApiVersion } from '../../src/github/api-version.js';
import { connect } from '../../src/github/client.js';
import { githubBuildApi } from '../../src/github/build-api.js';
import { githubPlanningApi } from '../../src/github/github-planning-api.js';
import { BuildChooser } from '../../src/plan/choose-builds.js';
import type { PlanningApi } from '../../src/plan/planning-api.js';
import { ConsoleLog } from '../../src/log.js';
import type { Plan, PlannedImage } from '../../src/plan/plan.js';
import { GitHubEmulator, type EmulatorOptions, type RunScript } from '../support/github-emulator.js';
import { buildWorkflow, commitOf, hmsRepo, ORG } from '../support/sample-stream.js';
import { Writable } from 'node:stream';
import { fakeClock } from '../support/fake-clock.js';
import { plannedImage } from '../support/planned-image.js';
import { testHttp } from '../support/network.js';

const image = (githubRepo: string, name: string, tag: string): PlannedImage => plannedImage(githubRepo, name, tag);

/** A plan of these images, their workflows chosen at their tags as planning chooses them (through the emulator). */
async function planOf(images: PlannedImage[], planning: PlanningApi): Promise<Plan> {
  const repos = [...new Set(images.map((i) => i.githubRepo))].map((githubRepo) => ({
    githubRepo,
    images: images.filter((i) => i.githubRepo === githubRepo),
    builds: []
  }));
  const chosen = await new BuildChooser(planning, [], new Map()).choose(repos);
  return { version: 3, createdAt: '2026-11-26T06:00:00.000Z', org: ORG, productStreamRepo: 'csm', branches: [], repos: chosen.repos };
}

const options: BuildOptions = {
  maxParallel: 10,
  pollIntervalMs: 5000,
  timeLimitMs: 10 * 60_000,
  correlationWindowMs: 60_000,
  attachToRunning: true,
  cancelOnTimeout: false,
  retryFailedBuilds: 1
};

const quietLog = (): ConsoleLog =>
  new ConsoleLog(false, new Writable({ write: (_c, _e, cb) => cb() }), new Writable({ write: (_c, _e, cb) => cb() }));

describe('BuildRunner against the GitHub emulator (real Octokit, fake clock)', () => {
  let github: GitHubEmulator;
  let clock: ReturnType<typeof fakeClock>;

  async function setUp(
    over: Partial<EmulatorOptions> = {},
    script: (repo: string) => RunScript = () => ({ queuedMs: 2000, runMs: 20_000, conclusion: 'success' }),
    apiVersion?: RestApiVersion,
    /** Octokit's throttling in real time: only for the rate limit it rides out; the runner paces writes on the fake clock. */
    throttled = false
  ) {
    clock = fakeClock('2026-11-26T07:00:00Z');
    github = await new GitHubEmulator({
      org: ORG,
      repos: [
        hmsRepo('hms-smd', 'cray-smd', { 'v2.23.0': commitOf('smd-2.23.0'), 'v2.24.0': commitOf('smd-2.24.0') }),
        hmsRepo('hms-bss', 'cray-bss', { 'v1.28.0': commitOf('bss') }),
        hmsRepo('hms-rts', 'cray-hms-rts', { 'v3.1.0': commitOf('rts') })
      ],
      now: () => clock.now(),
      runScript: (repo) => script(repo),
      ...over
    }).start();
    const log = quietLog();
    const connection = await connect({
      http: testHttp(),
      apiUrl: github.url,
      org: ORG,
      auth: { kind: 'token', token: 'test-token' },
      log,
      retries: 2,
      apiVersion,
      spaceWrites: throttled
    });
    const planning = githubPlanningApi(connection, ORG, log);
    return { log, api: githubBuildApi(connection, ORG), planOf: (planned: PlannedImage[]) => planOf(planned, planning) };
  }
  afterEach(() => github?.stop());

  const images = [
    image('hms-smd', 'cray-smd', '2.24.0'),
    image('hms-smd', 'cray-smd-test', '2.23.0'),
    image('hms-bss', 'cray-bss', '1.28.0'),
    image('hms-rts', 'cray-hms-rts', '3.1.0')
  ];

  it('dispatches each image once with run details, follows runs to their conclusion, reports each truthfully', async () => {
    const { log, api, planOf } = await setUp({}, (repo) => ({
      queuedMs: 3000,
      runMs: 30_000,
      conclusion: repo === 'hms-rts' ? 'startup_failure' : 'success'
    }));
    const results = await new BuildRunner(api, options, log, clock).run(await planOf(images));
    expect(results.map((r) => [r.image, r.outcome, r.conclusion, r.via])).toEqual([
      ['cray-smd', 'succeeded', 'success', 'dispatched'],
      ['cray-smd-test', 'succeeded', 'success', 'dispatched'],
      ['cray-bss', 'succeeded', 'success', 'dispatched'],
      ['cray-hms-rts', 'failed', 'startup_failure', 'dispatched']
    ]);
    expect(github.dispatches.map((d) => `${d.repo} ${d.ref} ${d.returnRunDetails}`).sort()).toEqual([
      'hms-bss v1.28.0 true',
      'hms-rts v3.1.0 true',
      'hms-smd v2.23.0 true',
      'hms-smd v2.24.0 true'
    ]);
    for (const r of results)
      expect(r.runId).toBe(
        github.runs.find((run) => run.repo === r.githubRepo && run.ref === r.gitTag && run.workflowId === r.workflow?.id)?.id
      );
    // the job ends within one poll interval of the last completion
    expect(clock.now() - Date.parse('2026-11-26T07:00:00Z')).toBeLessThanOrEqual(33_000 + options.pollIntervalMs);
    // unchanged listings are answered 304
    expect(api.runs.notModified).toBeGreaterThan(0);
  });

  it('ties each 204 dispatch to its own run among runs of other actors and events on the same workflow and ref', async () => {
    const { log, api, planOf } = await setUp({ dispatchMode: 'no-content', runAppearsAfterMs: 4000 });
    const smdService = github.repo('hms-smd')?.workflows[0]?.id ?? 0;
    const noise = [
      github.addRun({
        repo: 'hms-smd',
        workflowId: smdService,
        ref: 'v2.24.0',
        event: 'push',
        actor: 'hms-bot',
        createdAt: clock.now() + 1000
      }),
      github.addRun({
        repo: 'hms-smd',
        workflowId: smdService,
        ref: 'v2.24.0',
        event: 'workflow_dispatch',
        actor: 'someone-else',
        createdAt: clock.now() + 1500,
        script: { conclusion: 'failure' }
      }),
      github.addRun({
        repo: 'hms-smd',
        workflowId: smdService,
        ref: 'v2.24.0',
        event: 'workflow_dispatch',
        actor: 'test-user',
        createdAt: clock.now() - 7_200_000,
        script: { runMs: 1000 }
      })
    ];
    const results = await new BuildRunner(api, options, log, clock).run(await planOf(images));
    const ours = github.runs.filter((r) => r.dispatched);
    expect(ours).toHaveLength(4);
    for (const r of results) {
      expect(r.outcome).toBe('succeeded');
      expect(noise.map((n) => n.id)).not.toContain(r.runId);
      expect(ours.find((o) => o.id === r.runId)).toMatchObject({ repo: r.githubRepo, ref: r.gitTag });
    }
    expect(new Set(results.map((r) => r.runId)).size).toBe(4);
  });

  it('asks for REST API 2022-11-28 on a server that is not github.com, in every request, with return_run_details', async () => {
    const { log, api, planOf } = await setUp();
    await new BuildRunner(api, options, log, clock).run(await planOf(images));
    const rest = github.requests.filter((r) => r.path !== '/graphql');
    expect(rest.length).toBeGreaterThan(4);
    expect(new Set(rest.map((r) => r.apiVersion))).toEqual(new Set(['2022-11-28']));
    expect(github.dispatches.every((d) => d.returnRunDetails === true)).toBe(true);
  });

  it('with REST API 2026-03-10 (github.com) dispatches without return_run_details and gets each run from the answer', async () => {
    const { log, api, planOf } = await setUp({}, undefined, '2026-03-10');
    const results = await new BuildRunner(api, options, log, clock).run(await planOf(images));
    expect(results.map((r) => r.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(github.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(github.dispatches.map((d) => d.returnRunDetails)).toEqual([undefined, undefined, undefined, undefined]);
    expect(new Set(github.requests.filter((r) => r.path !== '/graphql').map((r) => r.apiVersion))).toEqual(new Set(['2026-03-10']));
  });

  it('chooses the REST API version by server: 2026-03-10 on github.com and GHE.com, 2022-11-28 on GitHub Enterprise Server', () => {
    expect(restApiVersion('https://api.github.com')).toBe('2026-03-10');
    expect(restApiVersion('https://api.octodemo.ghe.com/')).toBe('2026-03-10');
    expect(restApiVersion('https://github.example.com/api/v3')).toBe('2022-11-28');
    expect(restApiVersion('not a url')).toBe('2022-11-28');
  });

  it('the emulator answers 400 for a REST API version it does not know, as GitHub does', async () => {
    await setUp({ dispatchMode: 'ghes' });
    const ask = (version: string) =>
      fetch(`${github.url}/repos/${ORG}/hms-bss/tags`, { headers: { authorization: 'token test-token', 'x-github-api-version': version } });
    const unknown = await ask('2020-01-01');
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toBe("Unsupported 'X-GitHub-Api-Version': 2020-01-01");
    // GitHub Enterprise Server 3.20 does not know 2026-03-10
    expect((await ask('2026-03-10')).status).toBe(400);
    const known = await ask('2022-11-28');
    expect(known.status).toBe(200);
    expect(known.headers.get('x-github-api-version-selected')).toBe('2022-11-28');
  });

  it('falls back once when the server refuses return_run_details (GHES 3.20), and remembers it', async () => {
    const { log, api, planOf } = await setUp({ dispatchMode: 'ghes' });
    const results = await new BuildRunner(api, options, log, clock).run(await planOf(images));
    expect(results.every((r) => r.outcome === 'succeeded')).toBe(true);
    const posts = github.requests.filter((r) => r.method === 'POST');
    expect(posts.map((p) => p.status)).toEqual([400, 204, 204, 204, 204]);
    expect(github.dispatches).toHaveLength(4);
    expect(github.dispatches.every((d) => d.returnRunDetails === undefined)).toBe(true);
  });

  it('does not build twice when a dispatch answer is lost: it finds the run the dispatch created', async () => {
    const { log, api, planOf } = await setUp();
    github.faults.push({ method: 'POST', path: /hms-bss\/actions\/workflows\/.*\/dispatches$/, status: 'drop-after-processing', times: 1 });
    const results = await new BuildRunner(api, options, log, clock).run(await planOf(images));
    expect(github.dispatches.filter((d) => d.repo === 'hms-bss')).toHaveLength(1);
    const bss = results.find((r) => r.githubRepo === 'hms-bss');
    expect(bss).toMatchObject({ outcome: 'succeeded', runId: github.runs.find((r) => r.repo === 'hms-bss')?.id });
  });

  it('looks for the run of a lost dispatch before each resend, and sends at most 4 times', async () => {
    const { log, api, planOf } = await setUp();
    github.faults.push({ method: 'POST', path: /hms-bss\/actions\/workflows\/.*\/dispatches$/, status: 500, times: 9 });
    const results = await new BuildRunner(api, options, log, clock).run(await planOf([image('hms-bss', 'cray-bss', '1.28.0')]));
    const requests = github.requests.filter((r) => r.path.includes('hms-bss'));
    const posts = requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.status)).toEqual([500, 500, 500, 500]);
    // between two sends, the runs were listed (the lost dispatch looked for)
    const order = requests.map((r) => (r.method === 'POST' ? 'send' : 'look'));
    for (let i = 1; i < order.length; i++) if (order[i] === 'send') expect(order.slice(0, i)).toContain('look');
    const firstSend = order.indexOf('send');
    for (let i = firstSend + 1; i < order.length; i++) if (order[i] === 'send') expect(order.slice(firstSend + 1, i)).toContain('look');
    expect(results[0]).toMatchObject({ outcome: 'unmatched', reason: expect.stringContaining('every one of 4 dispatches') });
  });

  it('builds once when the first two sends meet a 503 then a 502 (the third is answered)', async () => {
    const { log, api, planOf } = await setUp();
    github.faults.push({ method: 'POST', path: /hms-bss\/actions\/workflows\/.*\/dispatches$/, status: 503, times: 1 });
    github.faults.push({ method: 'POST', path: /hms-bss\/actions\/workflows\/.*\/dispatches$/, status: 502, times: 1 });
    const results = await new BuildRunner(api, options, log, clock).run(await planOf([image('hms-bss', 'cray-bss', '1.28.0')]));
    expect(github.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([503, 502, 200]);
    expect(github.dispatches.filter((d) => d.repo === 'hms-bss')).toHaveLength(1);
    expect(results[0]).toMatchObject({ outcome: 'succeeded' });
  });

  it('honours the time limit, reports what still runs as timed out and can cancel it', async () => {
    const { log, api, planOf } = await setUp({}, (repo) => ({
      queuedMs: 1000,
      runMs: repo === 'hms-rts' ? Infinity : 10_000,
      conclusion: 'success'
    }));
    const start = clock.now();
    const results = await new BuildRunner(api, { ...options, timeLimitMs: 60_000, cancelOnTimeout: true }, log, clock).run(
      await planOf(images)
    );
    expect(clock.now() - start).toBeLessThanOrEqual(60_000 + 1);
    expect(results.find((r) => r.githubRepo === 'hms-rts')).toMatchObject({
      outcome: 'timed-out',
      status: 'in_progress',
      reason: expect.stringContaining('cancelled')
    });
    expect(github.runs.find((r) => r.repo === 'hms-rts')?.cancelledAt).toBeDefined();
    expect(results.filter((r) => r.outcome === 'succeeded')).toHaveLength(3);
  });

  it('says a build whose re-run had not started when the time limit passed was waiting for it', async () => {
    const { log, api, planOf } = await setUp({ rerunAppearsAfterMs: 10 * 60_000 }, () => ({
      queuedMs: 1000,
      runMs: 10_000,
      conclusion: 'failure'
    }));
    const results = await new BuildRunner(api, { ...options, timeLimitMs: 60_000 }, log, clock).run(
      await planOf([image('hms-bss', 'cray-bss', '1.28.0')])
    );
    expect(github.reruns).toHaveLength(1);
    expect(results[0]).toMatchObject({
      outcome: 'timed-out',
      reason: 'waiting for its re-run (attempt 2) to start when the time limit (60 s) passed'
    });
  });

  it('re-runs the failed jobs of a failed build once; success on the second attempt is "succeeded on retry"', async () => {
    const { log, api, planOf } = await setUp({}, () => ({ queuedMs: 0, runMs: 0, conclusion: 'success' }));
    // hms-bss fails once then succeeds; hms-rts fails every time
    github.options.runScript = (repo, _w, _r, attempt) => ({
      queuedMs: 1000,
      runMs: 10_000,
      conclusion: repo === 'hms-rts' || (repo === 'hms-bss' && attempt === 1) ? 'failure' : 'success'
    });
    const results = await new BuildRunner(api, options, log, clock).run(await planOf(images));
    const byImage = new Map(results.map((r) => [`${r.image}:${r.tag}`, r]));
    const bss = byImage.get('cray-bss:1.28.0');
    expect(bss).toMatchObject({ outcome: 'succeeded-on-retry', conclusion: 'success' });
    expect(bss?.attempts).toEqual([
      { attempt: 1, conclusion: 'failure', url: `${bss?.runUrl ?? ''}/attempts/1` },
      { attempt: 2, conclusion: 'success', url: `${bss?.runUrl ?? ''}/attempts/2` }
    ]);
    const rts = byImage.get('cray-hms-rts:3.1.0');
    expect(rts).toMatchObject({ outcome: 'failed', conclusion: 'failure' });
    expect(rts?.attempts?.map((a) => a.conclusion)).toEqual(['failure', 'failure']);
    expect(byImage.get('cray-smd:2.24.0')).toMatchObject({ outcome: 'succeeded' });
    expect(byImage.get('cray-smd:2.24.0')?.attempts).toBeUndefined();
    // one re-run each, of the same run id; one dispatch each
    expect(github.reruns.map((r) => `${r.repo} ${r.attempt}`).sort()).toEqual(['hms-bss 2', 'hms-rts 2']);
    expect(github.dispatches).toHaveLength(4);
  });

  it('never takes the earlier attempt for the new one, and keeps a failure GitHub will not re-run', async () => {
    const { log, api, planOf } = await setUp();
    // the re-run is accepted, but listings keep showing attempt 1 (completed, failure) for a while
    const bssId = (): number | undefined => github.runs.find((r) => r.repo === 'hms-bss')?.id;
    let staleUntil = 0;
    const realRunJson = github.runJson.bind(github);
    github.runJson = (run) => {
      const json = realRunJson(run);
      if (run.id === bssId() && clock.now() < staleUntil) return { ...json, run_attempt: 1, status: 'completed', conclusion: 'failure' };
      return json;
    };
    github.options.runScript = (repo, _w, _r, attempt) => {
      if (repo === 'hms-bss' && attempt === 2) staleUntil = clock.now() + 30_000;
      return { queuedMs: 1000, runMs: 10_000, conclusion: attempt === 1 ? 'failure' : 'success' };
    };
    const first = await new BuildRunner(api, options, log, clock).run(await planOf([image('hms-bss', 'cray-bss', '1.28.0')]));
    expect(first[0]).toMatchObject({ outcome: 'succeeded-on-retry' });
    // the stale answers (attempt 1, failure) were seen and waited out, not taken as the new attempt
    expect(clock.now()).toBeGreaterThanOrEqual(staleUntil);

    github.options.runScript = () => ({ queuedMs: 1000, runMs: 10_000, conclusion: 'failure' });
    github.faults.push({
      method: 'POST',
      path: /rerun-failed-jobs$/,
      status: 403,
      message: 'Resource not accessible by integration',
      times: 1
    });
    const refused = await new BuildRunner(api, { ...options, attachToRunning: false }, log, clock).run(
      await planOf([image('hms-smd', 'cray-smd', '2.24.0')])
    );
    expect(refused[0]).toMatchObject({ outcome: 'failed', conclusion: 'failure' });
    expect(refused[0]?.attempts).toBeUndefined();

    const off = await new BuildRunner(api, { ...options, retryFailedBuilds: 0, attachToRunning: false }, log, clock).run(
      await planOf([image('hms-rts', 'cray-hms-rts', '3.1.0')])
    );
    expect(off[0]).toMatchObject({ outcome: 'failed' });
    expect(github.reruns.filter((r) => r.repo !== 'hms-bss')).toEqual([]);
  });

  it('stretches the poll interval before the hourly API budget runs out, and meets no 403', async () => {
    // 120 requests an hour; builds that run 2 hours; a 5 s poll would need about 4,300 listings
    const { api, planOf } = await setUp({ rateLimit: 120 }, () => ({ queuedMs: 1000, runMs: 2 * 3600_000, conclusion: 'success' }));
    const lines: string[] = [];
    const log = new ConsoleLog(
      false,
      new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }),
      new Writable({ write: (_c, _e, cb) => cb() })
    );
    const results = await new BuildRunner(api, { ...options, timeLimitMs: 3 * 3600_000 }, log, clock).run(await planOf(images));
    expect(results.every((r) => r.outcome === 'succeeded')).toBe(true);
    expect(github.primaryLimitHits).toBe(0);
    expect(lines.join('')).toMatch(/GitHub API budget: \d+ requests left until .*; polling every \d+ (s|min) instead of 5 s/);
    // the watch ended within a poll of the last build's end, not hours later
    expect(clock.now() - Math.max(...github.runs.map((r) => r.createdAt + r.script.queuedMs + r.script.runMs))).toBeLessThan(30 * 60_000);
  });

  it('paces dispatches within the per-minute and per-hour budget, and says up front what the time limit cannot hold', async () => {
    const { log, api, planOf } = await setUp({}, () => ({ queuedMs: 1000, runMs: 20_000, conclusion: 'success' }));
    const bss = github.repo('hms-bss');
    const many = Array.from({ length: 10 }, (_, i) => {
      if (bss) bss.tags[`v1.${i}.0`] = commitOf(`bss-${i}`);
      return image('hms-bss', 'cray-bss', `1.${i}.0`);
    });
    const budget = { perMinute: 3, perHour: 8 };
    const all = await new BuildRunner(api, { ...options, timeLimitMs: 3 * 3600_000, dispatchBudget: budget }, log, clock).run(
      await planOf(many)
    );
    expect(all.every((r) => r.outcome === 'succeeded')).toBe(true);
    const sentAt = github.runs.filter((r) => r.dispatched).map((r) => r.createdAt);
    expect(sentAt).toHaveLength(10);
    for (const t of sentAt) {
      expect(sentAt.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(3);
      expect(sentAt.filter((u) => u >= t && u < t + 3_600_000).length).toBeLessThanOrEqual(8);
    }

    // 50 minutes hold 8 of 10 more: said up front; the rest are not dispatched (deadline), not failed
    for (const r of github.runs) r.cancelledAt = r.cancelledAt ?? clock.now(); // nothing left running to attach to
    const runner = new BuildRunner(api, { ...options, timeLimitMs: 50 * 60_000, dispatchBudget: budget }, log, clock);
    const part = await runner.run(await planOf(many));
    expect(runner.notes).toEqual([
      "the time limit (50 min) cannot hold the dispatch of all 10 builds within GitHub's limits on dispatches (3 a minute, 8 an hour): about 8 will be dispatched, the others are reported as not dispatched"
    ]);
    expect(part.filter((r) => r.outcome === 'not-dispatched').map((r) => r.reason)).toEqual([
      'time limit (50 min) reached before it could be dispatched',
      'time limit (50 min) reached before it could be dispatched'
    ]);
    expect(part.filter((r) => r.outcome === 'succeeded')).toHaveLength(8);
  });

  it('keeps at most max-parallel builds in flight', async () => {
    const { log, api, planOf } = await setUp({}, () => ({ queuedMs: 0, runMs: 30_000, conclusion: 'success' }));
    const results = await new BuildRunner(api, { ...options, maxParallel: 2 }, log, clock).run(await planOf(images));
    expect(results.every((r) => r.outcome === 'succeeded')).toBe(true);
    const spans = github.runs.map((r) => [r.createdAt, r.createdAt + 30_000] as const);
    for (const [start] of spans) expect(spans.filter(([s, e]) => s <= start && start < e).length).toBeLessThanOrEqual(2);
  });

  it('attaches to a build of the same workflow and tag that is still running instead of dispatching again', async () => {
    const { log, api, planOf } = await setUp();
    const workflowId = github.repo('hms-bss')?.workflows[0]?.id ?? 0;
    const running = github.addRun({
      repo: 'hms-bss',
      workflowId,
      ref: 'v1.28.0',
      event: 'workflow_dispatch',
      actor: 'test-user',
      createdAt: clock.now() - 60_000,
      script: { runMs: 120_000 }
    });
    const results = await new BuildRunner(api, options, log, clock).run(await planOf([image('hms-bss', 'cray-bss', '1.28.0')]));
    expect(github.dispatches).toEqual([]);
    expect(results[0]).toMatchObject({ outcome: 'succeeded', via: 'attached', runId: running.id });
  });

  it('does not dispatch a build that succeeded within skip-succeeded-within, even in the same second as its start', async () => {
    const { log, api, planOf } = await setUp();
    const workflowOf = (repo: string): number => github.repo(repo)?.workflows[0]?.id ?? 0;
    // the window opens at .700 of a second; GitHub's created_at says whole seconds, so a run made at .900 shows .000
    const opens = clock.now() - 3 * 60_000 + 700;
    const sameSecond = github.addRun({
      repo: 'hms-bss',
      workflowId: workflowOf('hms-bss'),
      ref: 'v1.28.0',
      event: 'workflow_dispatch',
      actor: 'test-user',
      createdAt: opens + 200,
      script: { queuedMs: 0, runMs: 1000, conclusion: 'success' }
    });
    // a success from before the window, and a failure inside it, do not count
    github.addRun({
      repo: 'hms-rts',
      workflowId: workflowOf('hms-rts'),
      ref: 'v3.1.0',
      event: 'workflow_dispatch',
      actor: 'test-user',
      createdAt: opens - 5000,
      script: { queuedMs: 0, runMs: 1000, conclusion: 'success' }
    });
    github.addRun({
      repo: 'hms-smd',
      workflowId: workflowOf('hms-smd'),
      ref: 'v2.24.0',
      event: 'workflow_dispatch',
      actor: 'test-user',
      createdAt: opens + 60_000,
      script: { queuedMs: 0, runMs: 1000, conclusion: 'failure' }
    });
    const plan = await planOf([
      image('hms-bss', 'cray-bss', '1.28.0'),
      image('hms-rts', 'cray-hms-rts', '3.1.0'),
      image('hms-smd', 'cray-smd', '2.24.0')
    ]);
    const results = await new BuildRunner(api, { ...options, skipSucceededSince: opens }, log, clock).run(plan);
    expect(results[0]).toMatchObject({ outcome: 'already-built', via: 'recent', runId: sameSecond.id });
    expect(results[0]?.reason).toMatch(/^run \d+ built it at .* \(skip-succeeded-within\)$/);
    expect(results.slice(1).map((r) => [r.image, r.outcome, r.via])).toEqual([
      ['cray-hms-rts', 'succeeded', 'dispatched'],
      ['cray-smd', 'succeeded', 'dispatched']
    ]);
    expect(github.dispatches.map((d) => d.repo).sort()).toEqual(['hms-rts', 'hms-smd']);
  });

  it('builds nothing for the gaps (no workflow_dispatch, no tag, no workflow): the job reports them as not dispatched', async () => {
    const { log, api, planOf } = await setUp();
    const repo = github.repo('hms-rts');
    if (repo)
      repo.files['v3.1.0'] = {
        '.github/workflows/build_and_release_image.yaml': buildWorkflow('Build and Publish Service Docker Images', 'cray-hms-rts', false)
      };
    const missingTag = { ...image('hms-bss', 'cray-bss', '9.9.9') };
    const plan = await planOf([image('hms-rts', 'cray-hms-rts', '3.1.0'), missingTag, image('hms-smd', 'cray-unknown', '2.24.0')]);
    const built = await new BuildRunner(api, options, log, clock).run(plan);
    expect(built).toEqual([]);
    const results = inPlanOrder(plan, built, gapResults(plan, [], '2026-11-26'));
    expect(results.map((r) => [r.image, r.outcome, r.reason])).toEqual([
      [
        'cray-hms-rts',
        'not-dispatched',
        'workflow "Build and Publish Service Docker Images" (.github/workflows/build_and_release_image.yaml) has no workflow_dispatch trigger at this tag'
      ],
      ['cray-bss', 'not-dispatched', expect.stringMatching(/does not exist at this tag/)],
      ['cray-unknown', 'not-dispatched', expect.stringMatching(/^no workflow builds image cray-unknown/)]
    ]);
    expect(github.dispatches).toEqual([]);
  });

  it('rides out 5xx answers and a secondary rate limit on reads', async () => {
    const { log, api, planOf } = await setUp({}, undefined, undefined, true);
    github.faults.push({ method: 'GET', path: /\/actions\/runs$/, status: 502, times: 2 });
    github.faults.push({
      method: 'GET',
      path: /\/actions\/workflows$/,
      status: 403,
      retryAfter: 1,
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      times: 1
    });
    const results = await new BuildRunner(api, options, log, clock).run(await planOf(images));
    expect(results.every((r) => r.outcome === 'succeeded')).toBe(true);
    expect(github.requests.filter((r) => r.status === 502)).toHaveLength(2);
    expect(github.requests.filter((r) => r.status === 403)).toHaveLength(1);
    expect(github.dispatches).toHaveLength(4);
  });

  it('lists runs per workflow on a server without the repository-wide listing', async () => {
    const { log, api, planOf } = await setUp({ repoRunsListing: false });
    const results = await new BuildRunner(api, options, log, clock).run(await planOf(images));
    expect(results.every((r) => r.outcome === 'succeeded')).toBe(true);
    const listings = github.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/runs'));
    expect(
      listings
        .filter((r) => r.status === 404)
        .map((r) => r.path)
        .sort()
    ).toEqual(['/repos/Cray-HPE/hms-bss/actions/runs', '/repos/Cray-HPE/hms-rts/actions/runs', '/repos/Cray-HPE/hms-smd/actions/runs']);
    expect(listings.filter((r) => r.path.includes('/workflows/')).length).toBeGreaterThan(0);
  });
});
