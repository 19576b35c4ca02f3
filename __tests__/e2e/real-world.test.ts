import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfiguration } from '../../src/config/load.js';
import type { Plan } from '../../src/plan/plan.js';
import { buildKey, planBuilds } from '../../src/plan/plan.js';
import { checkPlan } from '../../src/plan/plan-file.js';
import { shardOf } from '../../src/plan/shard.js';
import { parseYaml } from '../../src/yaml.js';
import { startRealWorldStream, REAL_CHART_HOST, type RealWorldParts } from '../support/real-world-stream.js';
import { runBundle } from '../support/run-action.js';
import { checkSummary } from '../support/summary-checks.js';
import { hasRealWorld, REAL_WORLD, realWorldBranches } from '../support/shared.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

(hasRealWorld ? describe : describe.skip)('planning the seven real CSM branches with configuration_csm.yaml', () => {
  let parts: RealWorldParts;
  let plan: Plan;
  let run: Awaited<ReturnType<typeof runBundle>>;
  let work = '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'real-world-'));
    const configFile = join(REAL_WORLD, 'configs', 'configuration_csm.yaml');
    const config = await loadConfiguration(configFile);
    if (!config.ok) throw new Error(config.errors.join('\n'));
    parts = await startRealWorldStream(new Map(config.config['helm-repo-lookup'].map((l) => [l.chart, l.path])));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_API_URL: parts.github.url,
      GITHUB_SERVER_URL: parts.git.url,
      GITHUB_REPOSITORY: 'Cray-HPE/hms-build-workflow-dispatcher',
      GITHUB_WORKSPACE: work,
      GITHUB_OUTPUT: join(work, 'output'),
      GITHUB_STEP_SUMMARY: join(work, 'summary.md'),
      INPUT_CONFIG: configFile,
      'INPUT_DRY-RUN': 'true',
      INPUT_TOKEN: 'test-token',
      'INPUT_CHART-REPO-USERNAME': 'reader',
      'INPUT_CHART-REPO-PASSWORD': 'real-world-pw',
      'INPUT_CHART-REPO-REWRITE': `${REAL_CHART_HOST}=${parts.charts.url}/`,
      'INPUT_PLAN-FILE': 'plan.json'
    };
    writeFileSync(env.GITHUB_OUTPUT ?? '', '');
    writeFileSync(env.GITHUB_STEP_SUMMARY ?? '', '');
    run = await runBundle('dist/index.js', env, 300_000);
    plan = JSON.parse(run.outputs.plan ?? '{}') as Plan;
  }, 320_000);
  afterAll(async () => {
    await parts?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('plans every existing targeted branch and warns about the missing ones', () => {
    expect(run.code).toBe(0);
    expect(plan.branches.map((b) => b.branch)).toEqual([
      'main',
      'release/1.6',
      'release/1.5',
      'stable/1.5',
      'release/1.4',
      'release/1.3',
      'release/1.3.0',
      'stable/1.2'
    ]);
    const warnings = run.annotations.filter((a) => a.kind === 'warning').map((a) => a.message);
    for (const missing of ['release/1.9', 'release/1.8', 'release/1.7'])
      expect(warnings).toContain(
        `branch ${missing}, configuration.targeted-branches: targeted branch does not exist in Cray-HPE/csm; skipped`
      );
    expect(run.annotations.filter((a) => a.kind === 'error')).toEqual([]);
  });

  it.each(realWorldBranches())('finds the docker index images of $branch as the file lists them', ({ branch, dir }) => {
    const index = parseYaml(readFileSync(join(dir, 'docker', 'index.yaml'), 'utf8'), 'index.yaml', { allStrings: true }) as Record<
      string,
      { images: Record<string, string[]> }
    >;
    const images = index['artifactory.algol60.net/csm-docker/stable']?.images ?? {};
    const expected = ['hms-shcd-parser', 'hms-trs-worker-http-v1', 'hardware-topology-assistant', 'cray-capmc']
      .flatMap((name) => (images[name] ?? []).map((tag) => `${name}:${tag}`))
      .sort();
    const planned = plan.repos
      .flatMap((r) => r.images)
      .filter((i) => i.sources.some((s) => s.kind === 'docker-index' && s.branch === branch))
      .map((i) => `${i.name}:${i.tag}`)
      .sort();
    expect(planned).toEqual(expected);
  });

  it.each(realWorldBranches())('finds the chart images of $branch with the manifest value overrides applied', ({ branch }) => {
    const planned = plan.repos
      .flatMap((r) => r.images)
      .filter((i) => i.sources.some((s) => s.kind === 'chart' && s.branch === branch))
      .map((i) => `${i.name}:${i.tag}`)
      .sort();
    expect(planned).toEqual([...(parts.expectedChartImages.get(branch) ?? [])].sort());
  });

  it('takes global.appVersion overrides and both releases of cray-hms-rts', () => {
    const all = plan.repos.flatMap((r) => r.images);
    const smd = all.find((i) => i.name === 'cray-smd' && i.tag === '2.2.6');
    expect(smd?.branches).toEqual(['release/1.4']);
    expect(all.find((i) => i.name === 'hms-hmcollector' && i.tag === '2.25.2')?.branches).toEqual(['release/1.4']);
    const rtsSources = all
      .filter((i) => i.name === 'cray-rts')
      .flatMap((i) => i.sources)
      .filter((s) => s.kind === 'chart' && s.branch === 'release/1.6');
    expect(rtsSources.map((s) => (s.kind === 'chart' ? s.releaseName : '')).sort()).toEqual(['cray-hms-rts', 'cray-hms-rts-snmp']);
  });

  it('resolves every tag, and takes hms-test and hms-build-environment images from git tags', () => {
    const all = plan.repos.flatMap((r) => r.images);
    expect(all.filter((i) => i.state !== 'resolved').map((i) => i.fullImage)).toEqual([]);
    expect(all.filter((i) => i.githubRepo === 'hms-test').map((i) => i.tag)).toEqual(['3.0.0', '3.1.0', '4.0.0', '5.0.0']);
    expect(all.filter((i) => i.githubRepo === 'hms-build-environment').map((i) => i.tag)).toEqual(['1.1.0', '1.2.3']);
    // each chart version downloaded once although branches share them
    const paths = parts.charts.requests.map((r) => r.path);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('chooses the workflow of every image at its tag: the plan file holds builds with their workflow files', () => {
    const file = JSON.parse(readFileSync(join(work, 'plan.json'), 'utf8')) as Plan;
    // the plan file carries what planning said, for the report job of a sharded run
    const { problems, ...rest } = file;
    expect(rest).toEqual(plan);
    expect(problems?.map((p) => p.severity)).toContain('warning');
    expect(checkPlan(file).ok).toBe(true);
    const builds = planBuilds(plan);
    const built = builds.flatMap((b) => b.images);
    // every image gets exactly one build; a workflow at a tag builds once
    expect(built.sort()).toEqual(plan.repos.flatMap((r) => r.images.map((i) => i.fullImage)).sort());
    expect(new Set(builds.map(buildKey)).size).toBe(builds.length);
    const ct = builds.filter((b) => b.workflow.path === '.github/workflows/build_and_release_ct_image.yaml');
    expect(ct.length).toBeGreaterThan(0);
    for (const b of ct) for (const image of b.images) expect(image).toMatch(/-test:/);
    expect(builds.find((b) => b.githubRepo === 'hms-test')?.workflow.name).toBe('Build and Publish hms-test Docker image');
    expect(new Set(builds.map((b) => b.chosenBy))).toEqual(new Set(['image-name', 'workflow-name']));
    const summary = readFileSync(join(work, 'summary.md'), 'utf8');
    expect(summary).toContain(`${builds.length} builds of ${built.length} images in ${plan.repos.length} repos, from 8 branches`);
    checkSummary(summary);
  });

  it('splits the CSM plan into N = 1…7 shards: whole repos, each build in exactly one shard', () => {
    const all = planBuilds(plan).map(buildKey).sort();
    for (let n = 1; n <= 7; n++) {
      const shards = Array.from({ length: n }, (_, k) => shardOf(plan, { index: k + 1, count: n }));
      expect(shards.flatMap((s) => planBuilds(s).map(buildKey)).sort()).toEqual(all);
      const repos = shards.flatMap((s) => s.repos.map((r) => r.githubRepo));
      expect(new Set(repos).size).toBe(repos.length);
      const sizes = shards.map((s) => planBuilds(s).length);
      const largestRepo = Math.max(...plan.repos.map((r) => r.builds.length));
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(largestRepo);
    }
  });
});
