import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildResult } from '../../src/dispatch/build-result.js';
import { runBundle, type ActionRun } from '../support/run-action.js';
import { buildWorkflow, sampleInputs, startSampleStream, type LocalParts } from '../support/sample-stream.js';

/** Every annotation but the job's closing failure line, as `kind: message`, sorted. */
function problemsOf(run: ActionRun): string[] {
  return run.annotations
    .filter((a) => !/^\d+ images? needs? a person/.test(a.message))
    .map((a) => `${a.kind}: ${a.message}`)
    .sort();
}

const allSucceed = { runScript: () => ({ queuedMs: 200, runMs: 600, conclusion: 'success' as const }) };

describe('one truth for every outcome, end to end (the built action)', () => {
  let parts: LocalParts | undefined;
  afterEach(async () => {
    await parts?.stop();
    parts = undefined;
  });

  it('the dry run predicts the night: the same gaps, each one error with the same message, in both', async () => {
    parts = await startSampleStream({ emulator: allSucceed, config: (c) => delete c.acknowledged });
    const rts = parts.github.repo('hms-rts');
    // an old tag whose workflow has no workflow_dispatch: nobody can change it
    if (rts)
      rts.files['v3.1.1'] = {
        '.github/workflows/build_and_release_image.yaml': buildWorkflow('Build and Publish Service Docker Images', 'cray-hms-rts', false)
      };
    const dryRun = await runBundle('dist/index.js', parts.actionEnv(sampleInputs(parts, { 'dry-run': 'true' })));
    const night = await runBundle('dist/index.js', parts.actionEnv(sampleInputs(parts, { 'results-file': 'results.json' })));
    expect([dryRun.code, night.code]).toEqual([1, 1]);
    const gaps = problemsOf(dryRun).filter((p) => p.startsWith('error: '));
    expect(gaps).toEqual([
      'error: repo hardware-topology-assistant, image hardware-topology-assistant, tag v0.3.1: not rebuilt: tag v0.3.1 does not exist in Cray-HPE/hardware-topology-assistant (branches: release/1.6)',
      'error: repo hms-rts, image cray-hms-rts, tag v3.1.1: not rebuilt: workflow "Build and Publish Service Docker Images" (.github/workflows/build_and_release_image.yaml) has no workflow_dispatch trigger at this tag (branches: release/1.6)'
    ]);
    // every build of the night succeeded: what it says is exactly what the dry run said
    expect(problemsOf(night)).toEqual(problemsOf(dryRun));
    expect(night.outputs).toMatchObject({ dispatched: '12', succeeded: '12', failed: '2' });
  });

  it('an acknowledgement ends the day after its until: the gap is an error again; an entry that matches nothing warns', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    parts = await startSampleStream({
      emulator: allSucceed,
      config: (c) => {
        c.acknowledged = [
          { image: 'hardware-topology-assistant:0.3.1', reason: 'built by hand once', until: yesterday },
          { image: 'cray-smd:9.9.9', 'github-repo': 'hms-smd', reason: 'long gone', until: '2099-01-01' }
        ];
      }
    });
    const run = await runBundle('dist/index.js', parts.actionEnv(sampleInputs(parts, { 'dry-run': 'true' })));
    expect(run.code).toBe(1);
    expect(problemsOf(run)).toEqual([
      `error: repo hardware-topology-assistant, image hardware-topology-assistant, tag v0.3.1: not rebuilt: acknowledgement of hardware-topology-assistant:0.3.1 expired on ${yesterday}: tag v0.3.1 does not exist in Cray-HPE/hardware-topology-assistant (branches: release/1.6)`,
      `warning: ${parts.configFile} at acknowledged[1]: acknowledgement of cray-smd:9.9.9 matches no image of the plan; remove it`,
      'warning: branch release/9.9, configuration.targeted-branches: targeted branch does not exist in Cray-HPE/csm; skipped'
    ]);
  });

  it('a shard cancelled with builds running, then merge-results with failure-issue: the job fails, the issue is open and names those builds', async () => {
    parts = await startSampleStream({ emulator: { runScript: () => ({ queuedMs: 300, runMs: 600_000, conclusion: 'success' }) } });
    const p = parts;
    const plan = await runBundle('dist/index.js', p.actionEnv(sampleInputs(p, { 'dry-run': 'true', 'plan-file': 'plan.json' })));
    expect(plan.code).toBe(0);
    mkdirSync(join(p.workDir, 'results'));
    const github = p.github;
    const shard = await runBundle(
      'dist/index.js',
      p.actionEnv(sampleInputs(p, { 'from-plan': 'plan.json', shard: '1/1', 'results-file': 'results/shard-1/results.json' })),
      120_000,
      [],
      [],
      (child) => {
        const poll = setInterval(() => {
          if (github.dispatches.length >= 3 && github.requests.some((r) => r.path.endsWith('/actions/runs') && r.method === 'GET')) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 100);
        child.on('close', () => clearInterval(poll));
      }
    );
    expect(shard.code).toBe(1);
    const { results } = JSON.parse(readFileSync(join(p.workDir, 'results', 'shard-1', 'results.json'), 'utf8')) as {
      results: BuildResult[];
    };
    const running = results.filter((r) => r.outcome === 'running');
    expect(running.length).toBeGreaterThanOrEqual(2);

    const merge = await runBundle('dist/index.js', {
      ...p.actionEnv(sampleInputs(p, { 'merge-results': 'results/**/results.json', 'failure-issue': 'true' })),
      GITHUB_RUN_ID: '77'
    });
    expect(merge.code).toBe(1);
    const [issue] = p.github.repo('hms-build-workflow-dispatcher')?.issues ?? [];
    expect(issue?.state).toBe('open');
    for (const r of running) expect(issue?.body).toContain(`${r.githubRepo} ${r.image}:${r.tag}: still running`);
    expect(merge.summary).toContain('🔄 still running');
  });

  it('a second night with skip-succeeded-within: 12h dispatches only the build that failed; the others are already built, with no warning', async () => {
    let failFirst = true;
    parts = await startSampleStream({
      emulator: {
        runScript: (repo) => ({ queuedMs: 200, runMs: 500, conclusion: repo === 'hms-smd' && failFirst ? 'failure' : 'success' })
      },
      config: (c) => Object.assign(c.configuration as object, { 'retry-failed-builds': 0 })
    });
    const p = parts;
    const first = await runBundle('dist/index.js', p.actionEnv(sampleInputs(p, { 'results-file': 'first.json' })));
    expect(first.code).toBe(1);
    const failed = (JSON.parse(first.outputs.results ?? '[]') as BuildResult[]).filter((r) => r.outcome === 'failed');
    expect(failed.map((r) => r.githubRepo)).toEqual(['hms-smd', 'hms-smd']);
    const dispatchedFirst = p.github.dispatches.length;
    failFirst = false;

    const second = await runBundle(
      'dist/index.js',
      p.actionEnv(sampleInputs(p, { 'skip-succeeded-within': '12h', 'results-file': 'second.json' }))
    );
    expect(second.code).toBe(0);
    const again = p.github.dispatches.slice(dispatchedFirst);
    expect(again.map((d) => `${d.repo} ${d.ref}`).sort()).toEqual(['hms-smd v2.23.0', 'hms-smd v2.24.0']);
    const { results } = JSON.parse(readFileSync(join(p.workDir, 'second.json'), 'utf8')) as { results: BuildResult[] };
    const built = results.filter((r) => r.outcome === 'already-built');
    expect(built).toHaveLength(results.length - 3); // all but the two rebuilt and the acknowledged gap
    for (const r of built) expect(r.runUrl).toMatch(/\/actions\/runs\/\d+$/);
    expect(second.annotations.filter((a) => a.kind === 'warning' && !a.message.includes('targeted branch'))).toEqual([]);
    expect(second.summary).toContain('☑️ already built');
    expect(second.outputs).toMatchObject({ dispatched: '2', succeeded: '2', failed: '0' });
  });
});
