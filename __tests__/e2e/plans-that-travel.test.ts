import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildResult } from '../../src/dispatch/build-result.js';
import type { Plan } from '../../src/plan/plan.js';
import { buildKey, planBuilds } from '../../src/plan/plan.js';
import { runBundle } from '../support/run-action.js';
import { sampleInputs, startSampleStream, type LocalParts } from '../support/sample-stream.js';

/** How many times each build of the plan was dispatched, by `buildKey`. */
function dispatchCounts(parts: LocalParts, plan: Plan): Map<string, number> {
  const counts = new Map(planBuilds(plan).map((b) => [buildKey(b), 0]));
  for (const d of parts.github.dispatches) {
    const key = buildKey({ githubRepo: d.repo, gitTag: d.ref, workflow: { id: d.workflowId } });
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe('plans that travel: a plan job, shards that dispatch it, a report that merges them, runs that resume', () => {
  let parts: LocalParts | undefined;
  afterEach(async () => {
    await parts?.stop();
    parts = undefined;
  });

  /** The plan job: a dry run writing plan.json. */
  async function makePlan(p: LocalParts): Promise<Plan> {
    const run = await runBundle('dist/index.js', p.actionEnv(sampleInputs(p, { 'dry-run': 'true', 'plan-file': 'plan.json' })));
    expect(run.code).toBe(0);
    return JSON.parse(readFileSync(join(p.workDir, 'plan.json'), 'utf8')) as Plan;
  }

  it('dispatches a plan in 3 shards (no git, no charts), each build once, and merges their results into one report', async () => {
    parts = await startSampleStream({ emulator: { runScript: () => ({ queuedMs: 200, runMs: 800, conclusion: 'success' }) } });
    const p = parts;
    const plan = await makePlan(p);
    expect(planBuilds(plan)).toHaveLength(13);
    const gitRequests = p.git.requests.length;
    const chartRequests = p.charts.requests.length;
    mkdirSync(join(p.workDir, 'results'));
    const shardRuns = [];
    for (const k of [1, 2, 3]) {
      const run = await runBundle(
        'dist/index.js',
        p.actionEnv(sampleInputs(p, { 'from-plan': 'plan.json', shard: `${k}/3`, 'results-file': `results/shard-${k}/results.json` }))
      );
      expect(run.stdout).toMatch(new RegExp(`shard ${k}/3: \\d+ builds in \\d+ repos`));
      shardRuns.push(run);
    }
    // shards read the plan: the product stream and the charts are not asked again
    expect(p.git.requests.length).toBe(gitRequests);
    expect(p.charts.requests.length).toBe(chartRequests);
    expect([...dispatchCounts(p, plan).values()]).toEqual(Array(13).fill(1));
    expect(shardRuns.map((r) => Number(r.outputs.dispatched)).reduce((a, b) => a + b, 0)).toBe(13);

    const merge = await runBundle(
      'dist/index.js',
      p.actionEnv(sampleInputs(p, { 'merge-results': 'results/**/results.json', 'results-file': 'merged.json' }))
    );
    // the image without a tag (in its shard) is an acknowledged gap: a notice, as in a single job
    expect(merge.code).toBe(0);
    expect(merge.outputs).toMatchObject({ dispatched: '13', succeeded: '13', failed: '0' });
    const merged = JSON.parse(readFileSync(join(p.workDir, 'merged.json'), 'utf8')) as { results: BuildResult[] };
    expect(merged.results).toHaveLength(14);
    expect(merge.summary).toContain('## Image rebuilds for Cray-HPE/csm');
    expect(merge.summary).toContain('**14 images, 13 dispatched: 13 succeeded, 1 acknowledged**');
    expect(merge.summary).toContain('### 📝 Acknowledged gaps (1)');
    // the plan job's warnings reach the report once, through the shards' results files; the shards said none of them
    const missingBranch = (a: { message: string }): boolean => a.message.includes('targeted branch does not exist');
    expect(merge.annotations.filter(missingBranch)).toHaveLength(1);
    expect(shardRuns.flatMap((r) => r.annotations).filter(missingBranch)).toEqual([]);
    expect(merge.annotations.filter((a) => a.kind === 'notice' && a.message.includes('acknowledged'))).toHaveLength(1);
    expect(merge.summary).toMatch(/\| \[release\/1\.6\]\([^)]+\) \| 8 \|/);
    expect(p.github.dispatches).toHaveLength(13);

    // a shard whose job died without results is named, and fails the report
    rmSync(join(p.workDir, 'results', 'shard-2'), { recursive: true });
    const partial = await runBundle('dist/index.js', p.actionEnv(sampleInputs(p, { 'merge-results': 'results/**/results.json' })));
    expect(partial.code).toBe(1);
    expect(partial.annotations.map((a) => a.message)).toContain(
      'shard 2/3 wrote no results file: its builds are not in this report (did its job run?)'
    );
    expect(partial.summary).toContain('shard 2/3 wrote no results file');
  });

  it('refuses a plan of another product stream, and an unreadable one, before any dispatch', async () => {
    parts = await startSampleStream();
    const p = parts;
    const plan = await makePlan(p);
    const other = join(p.workDir, 'other.json');
    writeFileSync(other, JSON.stringify({ ...plan, productStreamRepo: 'spc' }));
    const run = await runBundle('dist/index.js', p.actionEnv(sampleInputs(p, { 'from-plan': 'other.json' })));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`::error::from-plan: ${other} plans Cray-HPE/spc, but the configuration is for Cray-HPE/csm`);
    const broken = await runBundle('dist/index.js', p.actionEnv(sampleInputs(p, { 'from-plan': 'config.yaml' })));
    expect(broken.stdout).toMatch(/::error::from-plan: cannot read .*config\.yaml/);
    expect(p.github.dispatches).toEqual([]);
    expect(p.github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches'))).toEqual([]);
  });

  it('resumes a run stopped by its time limit: nothing finished is redone, nothing running is dispatched twice', async () => {
    parts = await startSampleStream({
      // dispatches go a second apart; each build takes 4 s
      emulator: { runScript: () => ({ queuedMs: 300, runMs: 4000, conclusion: 'success' }) },
      config: (c) => {
        (c.configuration as Record<string, unknown>)['time-limit-minutes'] = 0.05;
      }
    });
    const p = parts;
    const plan = await makePlan(p);
    const first = await runBundle(
      'dist/index.js',
      p.actionEnv(sampleInputs(p, { 'from-plan': 'plan.json', 'results-file': 'first.json' }))
    );
    expect(first.code).toBe(1);
    const stopped = JSON.parse(readFileSync(join(p.workDir, 'first.json'), 'utf8')) as { results: BuildResult[] };
    const firstDispatched = p.github.dispatches.length;
    expect(firstDispatched).toBeGreaterThan(0);
    expect(firstDispatched).toBeLessThan(13);
    expect(stopped.results.filter((r) => r.outcome === 'not-dispatched').length).toBeGreaterThan(1);

    // wait until a build of the first run has succeeded, so the second run meets both finished and running builds
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !p.github.runs.some((r) => r.dispatched && r.createdAt + 4300 < Date.now()))
      await new Promise((r) => setTimeout(r, 100));
    // the re-run gets the time it needs
    writeFileSync(p.configFile, readFileSync(p.configFile, 'utf8').replace(/time-limit-minutes: 0\.05/, 'time-limit-minutes: 2'));
    const second = await runBundle(
      'dist/index.js',
      p.actionEnv(sampleInputs(p, { 'from-plan': 'plan.json', 'skip-succeeded-within': 'plan', 'results-file': 'second.json' })),
      120_000
    );
    const counts = dispatchCounts(p, plan);
    expect([...counts.values()]).toEqual(Array(13).fill(1));
    const resumed = JSON.parse(readFileSync(join(p.workDir, 'second.json'), 'utf8')) as { results: BuildResult[] };
    const via = (v: string): number => new Set(resumed.results.filter((r) => r.via === v).map((r) => r.runId)).size;
    expect(via('recent') + via('attached')).toBe(firstDispatched);
    expect(via('recent')).toBeGreaterThan(0);
    expect(
      resumed.results
        .filter((r) => r.outcome === 'already-built' && r.via === 'recent')
        .every((r) => r.reason?.includes('skip-succeeded-within'))
    ).toBe(true);
    expect(second.outputs.dispatched).toBe(String(13 - firstDispatched + via('attached')));
    expect(resumed.results.filter((r) => r.outcome === 'succeeded' || r.outcome === 'already-built')).toHaveLength(13);
    expect(existsSync(join(p.workDir, 'second.json'))).toBe(true);
  });
});
