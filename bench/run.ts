/**
 * Benchmarks (not timed tests): `npm run bench`.
 *
 * 1. The whole job (plan, dispatch, monitor, report) of the built action against the GitHub
 *    emulator with 50 ms latency per request, on a generated product stream of 10 branches,
 *    30 repos and 150 images: wall time, API requests by endpoint, 304s, peak memory, and the
 *    request budgets of issue 3.
 * 2. Planning the seven real CSM branches (../shared/real-world, when present) in a dry run.
 * 3. Scale (`--only scale`, not in the default set): 1,000 builds in 200 repos over 11 branches.
 *    The built action plans it in a dry run (50 ms per request); then the plan is dispatched and
 *    watched in process on an injected clock (hours of GitHub time in seconds), the emulator
 *    enforcing 80 dispatches a minute and 500 an hour and the primary rate limit.
 *
 *   npm run bench                 real-world and job
 *   npm run bench -- --only job   or --only real-world, or --only scale, or --only hostile (bench/hostile.ts),
 *   or --only registry (bench/registry.ts: rebuild when-outdated on the real CSM plan),
 *   or --only fixes (bench/fixes.ts: what a rebuild would install, on the real CSM plan and HMS Dockerfiles)
 *   npm run bench -- --only job --flaky 5   5 repos' builds fail their first attempt (retry cost)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { BuildRunner } from '../src/dispatch/build-runner.js';
import type { Clock } from '../src/dispatch/clock.js';
import { githubBuildApi } from '../src/github/build-api.js';
import { connect } from '../src/github/client.js';
import { ConsoleLog } from '../src/log.js';
import { planBuilds, type Plan } from '../src/plan/plan.js';
import { shardOf } from '../src/plan/shard.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toYaml } from '../src/yaml.js';
import { startChartRepo } from '../__tests__/support/chart-repo.js';
import { REGISTRY, writeHmsChart } from '../__tests__/support/charts.js';
import { GitHubEmulator, type EmulatedRepo } from '../__tests__/support/github-emulator.js';
import { startGitServer, type Tree } from '../__tests__/support/git-server.js';
import { commitOf, hmsRepo, manifest, ORG, productStreamOnGitHub } from '../__tests__/support/sample-stream.js';
import { hasRealWorld } from '../__tests__/support/shared.js';
import { benchHostile } from './hostile.js';
import { benchRegistry } from './registry.js';
import { benchFixes } from './fixes.js';
import { openRealWorldBench, runMeasured, runnerEnv, type Measured } from './measure.js';
import { testHttp } from '../__tests__/support/network.js';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
/** Repos whose builds fail their first attempt and succeed when their failed jobs are re-run. */
const flakyRepos = process.argv.includes('--flaky') ? Number(process.argv[process.argv.indexOf('--flaky') + 1]) || 0 : 0;

async function benchJob(): Promise<void> {
  const BRANCHES = 10;
  const REPOS = 30;
  const POLL_S = 5;
  console.log(
    `\n## Whole job: ${BRANCHES} branches, ${REPOS} repos, 150 images, 50 ms per request${flakyRepos ? `, ${flakyRepos} repos failing their first attempt` : ''}`
  );
  const git = await startGitServer();
  const charts = await startChartRepo({ username: 'u', password: 'p' });
  const chartUrl = `${charts.url}/charts/`;
  const src = mkdtempSync(join(tmpdir(), 'bench-charts-'));
  // repo i ships 3 app versions (i < 15) or 2 (i >= 15) across the branches: each version is a
  // service image and its test image at one git tag: 15×6 + 15×4 = 150 images
  const versionsOf = (i: number): string[] =>
    (i < 15 ? ['1.0.0', '1.1.0', '1.2.0'] : ['2.0.0', '2.1.0']).map((v) => v.replace(/^(\d+)/, `$1${i}`));
  const repos: EmulatedRepo[] = [];
  const lookup: { chart: string; path: string }[] = [];
  for (let i = 0; i < REPOS; i++) {
    const name = `cray-hms-svc${i}`;
    const versions = versionsOf(i);
    versions.forEach((appVersion, j) => {
      const dir = writeHmsChart(
        { name, version: `${j + 1}.0.0`, githubRepo: `hms-svc${i}`, image: `cray-svc${i}`, appVersion },
        mkdtempSync(join(src, 'c-'))
      );
      charts.addChart(`charts/stable/${name}`, dir);
    });
    lookup.push({ chart: name, path: `stable/${name}` });
    repos.push(hmsRepo(`hms-svc${i}`, `cray-svc${i}`, Object.fromEntries(versions.map((v) => [`v${v}`, commitOf(`svc${i}-${v}`)]))));
  }
  rmSync(src, { recursive: true, force: true });
  const trees: Record<string, Tree> = {};
  for (let b = 0; b < BRANCHES; b++) {
    const entries = Array.from({ length: REPOS }, (_, i) => ({
      name: `cray-hms-svc${i}`,
      source: 'csm-algol60',
      version: `${(b % versionsOf(i).length) + 1}.0.0`,
      namespace: 'services'
    }));
    trees[`release/2.${b}`] = {
      'manifests/sysmgmt.yaml': manifest('sysmgmt', chartUrl, entries),
      'docker/index.yaml': `${REGISTRY}:\n  images:\n    other: [1.0.0]\n`
    };
  }
  git.createRepo(ORG, 'csm', trees);
  const github = await new GitHubEmulator({
    org: ORG,
    repos: [...repos, productStreamOnGitHub()],
    latencyMs: 50,
    runScript: (repo, _w, ref, attempt) => ({
      queuedMs: 2000,
      runMs: 4000 + (ref.length % 3) * 1000,
      conclusion: attempt === 1 && repos.slice(0, flakyRepos).some((r) => r.name === repo) ? 'failure' : 'success'
    })
  }).start();
  const work = mkdtempSync(join(tmpdir(), 'bench-job-'));
  const configFile = join(work, 'configuration.yaml');
  writeFileSync(
    configFile,
    toYaml({
      'helm-repo-lookup': lookup,
      configuration: {
        'product-stream-repo': 'csm',
        'targeted-branch-regexes': ['release/'],
        'target-chart-regex': 'cray-hms-',
        'sleep-duration-seconds': POLL_S,
        'time-limit-minutes': 30,
        'webhook-sleep-seconds': 10,
        'max-parallel': 20
      }
    })
  );
  try {
    const env = runnerEnv(work, github.url, git.url, {
      config: configFile,
      'app-id': github.appId,
      'private-key': github.privateKey,
      'chart-repo-username': 'u',
      'chart-repo-password': 'p'
    });
    const run = await runMeasured(env);
    const end = Date.now();
    const images = (JSON.parse(run.outputs.plan ?? '{"repos":[]}') as { repos: { images: unknown[] }[] }).repos.reduce(
      (n, r) => n + r.images.length,
      0
    );
    const counts = github.requestCounts();
    const total = github.requests.length;
    const listings = github.requests.filter((r) => r.method === 'GET' && /\/actions\/runs$/.test(r.path));
    // the first listing of each repo is the snapshot taken before dispatching; the rest is monitoring
    const seen = new Set<string>();
    const monitoring = listings.filter((r) => (seen.has(r.path) ? true : (seen.add(r.path), false)));
    const monitoringNon304 = monitoring.filter((r) => r.status !== 304).length;
    const planningAndDispatch = total - monitoring.length;
    const cycles = (run.stdout.match(/^cycle \d+:/gm) ?? []).length;
    const lastCompletion = Math.max(
      ...github.runs.map((r) => {
        const last = r.reruns?.at(-1);
        return last ? last.at + last.script.queuedMs + last.script.runMs : r.createdAt + r.script.queuedMs + r.script.runMs;
      })
    );
    if (images === 0) console.log(run.stdout);
    console.log(
      `exit ${run.code}; ${images} images planned; outputs dispatched=${run.outputs.dispatched} succeeded=${run.outputs.succeeded} failed=${run.outputs.failed}`
    );
    console.log(`wall time ${(run.ms / 1000).toFixed(1)} s; peak memory of the action process ${run.peakRssMb.toFixed(0)} MB`);
    console.log(
      `requests ${total}: planning and dispatching ${planningAndDispatch} (budget 2 × (repos + images) = ${2 * (REPOS + images)}), monitoring ${monitoring.length} in ${cycles} cycles (${monitoringNon304} not 304, ${monitoring.length - monitoringNon304} answered 304)`
    );
    console.log(
      `monitoring: at most ${(monitoringNon304 / Math.max(1, cycles)).toFixed(1)} non-304 listings per cycle on average for ${REPOS} repos (budget: one per repo with running builds)`
    );
    console.log(
      `the job ended ${((end - lastCompletion) / 1000).toFixed(1)} s after the last build completed (budget: poll ${POLL_S} s + 10 s)`
    );
    console.log('requests by endpoint:');
    for (const [k, v] of Object.entries(counts).sort()) console.log(`  ${String(v).padStart(5)}  ${k}`);
  } finally {
    await Promise.all([git.close(), charts.close(), github.stop()]);
    rmSync(work, { recursive: true, force: true });
  }
}

async function benchRealWorld(): Promise<void> {
  console.log('\n## Planning the seven real CSM branches (dry run, configuration_csm.yaml)');
  if (!hasRealWorld) {
    console.log('skipped: ../shared/real-world is not there');
    return;
  }
  const bench = await openRealWorldBench('bench-real-');
  const { parts } = bench;
  try {
    const env = runnerEnv(bench.work, parts.github.url, parts.git.url, bench.inputs);
    const times: number[] = [];
    let last: Measured | undefined;
    for (let i = 0; i < 3; i++) {
      last = await runMeasured(env);
      times.push(last.ms);
    }
    const plan = JSON.parse(last?.outputs.plan ?? '{"repos":[],"branches":[]}') as { repos: { images: unknown[] }[]; branches: unknown[] };
    const images = plan.repos.reduce((n, r) => n + r.images.length, 0);
    const renders = (last?.stdout.match(/^::debug::rendered /gm) ?? []).length;
    console.log(
      `exit ${last?.code}; ${plan.branches.length} branches (main is a copy of release/1.6), ${images} images in ${plan.repos.length} repos`
    );
    console.log(
      `wall time of 3 runs: ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')}; median ${(times.sort((a, b) => a - b)[1]! / 1000).toFixed(2)} s`
    );
    console.log(
      `peak memory of the action process ${last?.peakRssMb.toFixed(0)} MB; chart downloads ${parts.charts.requests.length / 3} per run; helm renders ${renders} per run (debug lines)`
    );
    console.log(`GitHub requests per run: ${parts.github.requests.length / 3}`);
    const full = JSON.parse(last?.outputs.plan ?? '{"repos":[]}') as Plan;
    const byFile = new Map<string, number>();
    for (const b of planBuilds(full))
      byFile.set(`${b.workflow.path} (by ${b.chosenBy})`, (byFile.get(`${b.workflow.path} (by ${b.chosenBy})`) ?? 0) + 1);
    console.log(`builds: ${planBuilds(full).length}; ${[...byFile].map(([k, v]) => `${v} ${k}`).join(', ')}`);
    for (const n of [1, 2, 3, 4, 5, 6, 7])
      console.log(
        `  shard split N=${n}: ${Array.from({ length: n }, (_, k) => planBuilds(shardOf(full, { index: k + 1, count: n })).length).join(' / ')} builds`
      );
  } finally {
    await bench.close();
  }
}

async function benchScale(): Promise<void> {
  const REPOS = 200;
  const VERSIONS = 5;
  const BRANCHES = 11;
  console.log(`\n## Scale: ${REPOS * VERSIONS} builds in ${REPOS} repos over ${BRANCHES} branches, 50 ms per request`);
  // repo i builds image svc<i> at 5 tags; branch b ships version (b + i) mod 5 of every repo
  const tagOf = (i: number, j: number): string => `1.${i}.${j}`;
  const repos: EmulatedRepo[] = Array.from({ length: REPOS }, (_, i) =>
    hmsRepo(
      `hms-s${i}`,
      `svc${i}`,
      Object.fromEntries(Array.from({ length: VERSIONS }, (_, j) => [`v${tagOf(i, j)}`, commitOf(`s${i}-${j}`)]))
    )
  );
  const git = await startGitServer();
  const trees: Record<string, Tree> = {};
  for (let b = 0; b < BRANCHES; b++) {
    const images = Array.from({ length: REPOS }, (_, i) => `    svc${i}: [${tagOf(i, (b + i) % VERSIONS)}]`).join('\n');
    trees[`release/3.${b}`] = { 'docker/index.yaml': `${REGISTRY}:\n  images:\n${images}\n` };
  }
  // each version of each repo ships on at least one branch: 11 branches × 200 repos cover all 5 versions
  git.createRepo(ORG, 'csm', trees);
  const work = mkdtempSync(join(tmpdir(), 'bench-scale-'));
  const configFile = join(work, 'configuration.yaml');
  writeFileSync(
    configFile,
    toYaml({
      'github-repo-image-lookup': repos.map((r, i) => ({ 'github-repo': r.name, image: `svc${i}` })),
      'docker-image-compare': { [REGISTRY]: { images: Object.fromEntries(repos.map((_, i) => [`svc${i}`, ['find_me']])) } },
      configuration: { 'product-stream-repo': 'csm', 'targeted-branch-regexes': ['release/'], 'chart-credentials-required': false }
    })
  );
  const planner = await new GitHubEmulator({ org: ORG, repos: [...repos, productStreamOnGitHub()], latencyMs: 50 }).start();
  try {
    const env = runnerEnv(work, planner.url, git.url, {
      config: configFile,
      'dry-run': 'true',
      'skip-charts': 'true',
      'plan-file': 'plan.json',
      'app-id': planner.appId,
      'private-key': planner.privateKey
    });
    const run = await runMeasured(env);
    const plan = JSON.parse(readFileSync(join(work, 'plan.json'), 'utf8')) as Plan;
    const builds = planBuilds(plan).length;
    const graphql = planner.requests.filter((r) => r.path === '/graphql').length;
    console.log(
      `plan (dry run of the built action): exit ${run.code}; ${builds} builds in ${plan.repos.length} repos from ${plan.branches.length} branches; ` +
        `wall time ${(run.ms / 1000).toFixed(1)} s; peak memory ${run.peakRssMb.toFixed(0)} MB`
    );
    console.log(
      `planning requests ${planner.requests.length} (${(planner.requests.length / builds).toFixed(3)} per build): ${graphql} GraphQL, at most ${planner.graphqlMaxInFlight} at once; ` +
        `the emulator spent ${(planner.graphqlMs / 1000).toFixed(1)} s computing their answers (one at a time)`
    );
    await dispatchAtScale(plan, repos);
  } finally {
    await Promise.all([git.close(), planner.stop()]);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Dispatch and watch the plan on an injected clock, against an emulator enforcing GitHub's limits. */
async function dispatchAtScale(plan: Plan, repos: EmulatedRepo[]): Promise<void> {
  let now = Date.parse('2026-11-26T07:00:00Z');
  const start = now;
  const clock: Clock = {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      await new Promise((r) => setImmediate(r));
    }
  };
  const github = await new GitHubEmulator({
    org: ORG,
    repos: [...repos, productStreamOnGitHub()],
    latencyMs: 50,
    now: () => now,
    rateLimit: 5000,
    contentLimits: { perMinute: 80, perHour: 500 },
    runScript: () => ({ queuedMs: 60_000, runMs: 10 * 60_000, conclusion: 'success' })
  }).start();
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const log = new ConsoleLog(false, sink, sink);
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const wallStart = Date.now();
  try {
    const connection = await connect({
      http: testHttp(),
      apiUrl: github.url,
      org: ORG,
      auth: { kind: 'app', appId: github.appId, privateKey: github.privateKey },
      log,
      spaceWrites: false
    });
    const runner = new BuildRunner(
      githubBuildApi(connection, ORG),
      {
        maxParallel: 100,
        pollIntervalMs: 30_000,
        timeLimitMs: 6 * 3600_000,
        correlationWindowMs: 60_000,
        attachToRunning: true,
        cancelOnTimeout: false,
        retryFailedBuilds: 1
      },
      log,
      clock
    );
    const results = await runner.run(plan);
    const builds = planBuilds(plan).length;
    const posts = github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches')).length;
    const listings = github.requests.filter((r) => r.method === 'GET' && /\/actions\/runs$/.test(r.path));
    const seen = new Set<string>();
    const snapshots = listings.filter((r) => !seen.has(r.path) && (seen.add(r.path), true)).length;
    const setup = github.requests.filter((r) => r.path.startsWith('/app') || r.path.includes('/installation')).length;
    const monitoring = github.requests.length - posts - snapshots - setup;
    const lastDispatch = Math.max(...github.runs.filter((r) => r.dispatched).map((r) => r.createdAt));
    const outcomes = new Map<string, number>();
    for (const r of results) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    console.log(
      `dispatch and watch (in process, injected clock): ${[...outcomes].map(([k, v]) => `${v} ${k}`).join(', ')}; ` +
        `simulated ${((now - start) / 3600_000).toFixed(2)} h in ${((Date.now() - wallStart) / 1000).toFixed(1)} s of wall time`
    );
    console.log(
      `last dispatch ${((lastDispatch - start) / 3600_000).toFixed(2)} h after the first; secondary-limit hits ${github.secondaryLimitHits}; primary-limit hits ${github.primaryLimitHits}`
    );
    console.log(
      `requests per build: dispatch ${(posts / builds).toFixed(3)} (+ ${snapshots} listings before dispatching, ${setup} for the App token), monitoring ${(monitoring / builds).toFixed(3)} (${monitoring} in all)`
    );
    const statuses = new Map<number, number>();
    for (const r of github.requests.filter((x) => x.method === 'POST' && x.path.endsWith('/dispatches')))
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    const distinct = new Set(github.dispatches.map((d) => `${d.repo} ${d.workflowId} ${d.ref}`)).size;
    console.log(
      `dispatch POSTs by status: ${[...statuses].map(([k, v]) => `${v}× ${k}`).join(', ')}; ${github.dispatches.length} dispatches received for ${distinct} distinct builds`
    );
    console.log(`notes: ${runner.notes.join(' | ') || 'none'}`);
    console.log(`peak memory of the bench process (runner and emulator) ${(peakRss / 1048576).toFixed(0)} MB`);
  } finally {
    clearInterval(sampler);
    await github.stop();
  }
}

if (only === 'scale') await benchScale();
if (only === 'hostile') await benchHostile();
if (only === 'registry') await benchRegistry();
if (only === 'fixes') await benchFixes();
if (!only || only === 'real-world') await benchRealWorld();
if (!only || only === 'job') await benchJob();
