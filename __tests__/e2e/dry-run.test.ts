import { readFileSync } from 'node:fs';
import type { Plan } from '../../src/plan/plan.js';
import { runBundle } from '../support/run-action.js';
import {
  ACKNOWLEDGED_GAP,
  buildWorkflow,
  CHART_PASSWORD,
  CHART_USER,
  manifest,
  startSampleStream,
  type LocalParts
} from '../support/sample-stream.js';

function images(plan: Plan): string[] {
  return plan.repos.flatMap((r) =>
    r.images.map((i) => `${r.githubRepo} ${i.fullImage.split('/').pop()} ${i.state} [${i.branches.join(',')}]`)
  );
}

const appInputs = (parts: LocalParts): Record<string, string> => ({
  config: parts.configFile,
  'dry-run': 'true',
  'app-id': parts.github.appId,
  'private-key': parts.github.privateKey,
  'chart-repo-username': CHART_USER,
  'chart-repo-password': CHART_PASSWORD
});

describe('dry run of the built action against local git, chart repository and GitHub', () => {
  let parts: LocalParts;
  afterEach(async () => {
    await parts?.stop();
  });

  it('plans every image of the sample product stream and dispatches nothing', async () => {
    parts = await startSampleStream();
    const run = await runBundle('dist/index.js', parts.actionEnv(appInputs(parts)));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.outputs.plan ?? '{}') as Plan;
    expect(plan.branches.map((b) => b.branch)).toEqual(['release/1.6', 'release/1.5', 'release/1.7']);
    expect(images(plan)).toEqual([
      'hardware-topology-assistant hardware-topology-assistant:0.2.0 resolved [release/1.5]',
      'hardware-topology-assistant hardware-topology-assistant:0.3.1 unresolved [release/1.6]',
      'hms-bss cray-bss:1.26.0 resolved [release/1.5]',
      'hms-bss cray-bss:1.28.0 resolved [release/1.6,release/1.7]',
      'hms-bss cray-bss-test:1.26.0 resolved [release/1.5]',
      'hms-bss cray-bss-test:1.28.0 resolved [release/1.6,release/1.7]',
      'hms-rts cray-hms-rts:3.1.0 resolved [release/1.6]',
      'hms-rts cray-hms-rts:3.1.1 resolved [release/1.6]',
      'hms-shcd-parser hms-shcd-parser:1.9.0 resolved [release/1.6,release/1.5]',
      'hms-shcd-parser hms-shcd-parser:1.10.0 resolved [release/1.7]',
      'hms-smd cray-smd:2.24.0 resolved [release/1.6]',
      'hms-smd cray-smd-test:2.23.0 resolved [release/1.6]',
      'hms-test hms-test:3.0.0 resolved []',
      'hms-test hms-test:3.1.0 resolved []'
    ]);
    // the annotated tag v1.28.0 resolves to its commit, not to the tag object
    const bss = plan.repos.find((r) => r.githubRepo === 'hms-bss')?.images.find((i) => i.tag === '1.28.0');
    expect(bss?.commit).toBe(parts.github.repo('hms-bss')?.tags['v1.28.0']);
    expect(bss?.sources).toEqual([
      {
        kind: 'chart',
        branch: 'release/1.6',
        file: 'manifests/sysmgmt.yaml',
        chart: 'cray-hms-bss',
        version: '3.2.4',
        releaseName: 'cray-hms-bss'
      },
      {
        kind: 'chart',
        branch: 'release/1.7',
        file: 'manifests/sysmgmt.yaml',
        chart: 'cray-hms-bss',
        version: '3.2.4',
        releaseName: 'cray-hms-bss'
      }
    ]);

    expect(run.annotations.map((a) => `${a.kind}: ${a.message}`)).toEqual([
      'warning: branch release/9.9, configuration.targeted-branches: targeted branch does not exist in Cray-HPE/csm; skipped',
      `notice: repo hardware-topology-assistant, image hardware-topology-assistant, tag v0.3.1: not rebuilt, acknowledged: tag v0.3.1 does not exist in Cray-HPE/hardware-topology-assistant; acknowledged until ${ACKNOWLEDGED_GAP.until}: ${ACKNOWLEDGED_GAP.reason} (branches: release/1.6)`
    ]);
    expect(run.summary).toContain('## Rebuild plan for Cray-HPE/csm');
    expect(run.summary).toContain(
      '**13 builds to dispatch, 1 acknowledged gap**\n\n13 builds of 14 images in 6 repos, from 3 branches (release/1.6, release/1.5, release/1.7).'
    );
    expect(run.summary).toContain(
      `| [v2.24.0](${parts.git.url}/Cray-HPE/hms-smd/tree/v2.24.0) | \`cray-smd:2.24.0\` | release/1.6 | [build\\_and\\_release\\_image.yaml](${parts.git.url}/Cray-HPE/hms-smd/blob/v2.24.0/.github/workflows/build_and_release_image.yaml) (by image-name) | 🔁 dispatch: rebuild: always | chart cray-hms-smd |`
    );
    expect(run.summary).toContain('| 📝 acknowledged gap: see Acknowledged gaps below |');
    // the plan holds the builds: the workflow of each image, chosen at its tag
    const planned = JSON.parse(run.outputs.plan ?? '{}') as Plan;
    expect(planned.repos.find((r) => r.githubRepo === 'hms-smd')?.builds).toEqual([
      {
        githubRepo: 'hms-smd',
        gitTag: 'v2.24.0',
        commit: expect.stringMatching(/^[0-9a-f]{40}$/),
        workflow: {
          id: expect.any(Number),
          name: 'Build and Publish Service Docker Images',
          path: '.github/workflows/build_and_release_image.yaml'
        },
        chosenBy: 'image-name',
        dockerfile: 'Dockerfile',
        images: ['artifactory.algol60.net/csm-docker/stable/cray-smd:2.24.0']
      },
      {
        githubRepo: 'hms-smd',
        gitTag: 'v2.23.0',
        commit: expect.stringMatching(/^[0-9a-f]{40}$/),
        workflow: {
          id: expect.any(Number),
          name: 'Build and Publish CT Docker Images',
          path: '.github/workflows/build_and_release_ct_image.yaml'
        },
        chosenBy: 'image-name',
        dockerfile: 'Dockerfile',
        images: ['artifactory.algol60.net/csm-docker/stable/cray-smd-test:2.23.0']
      }
    ]);
    expect(run.summary).toContain('chart cray-hms-rts (cray-hms-rts-snmp)');

    // nothing dispatched, each tag looked up once, each chart downloaded once
    expect(parts.github.dispatches).toEqual([]);
    expect(parts.github.requests.filter((r) => r.method !== 'GET' && !r.path.includes('access_tokens') && r.path !== '/graphql')).toEqual(
      []
    );
    // every tag's commit and workflow files in one GraphQL request, no REST lookups
    expect(parts.github.requests.filter((r) => r.path === '/graphql')).toHaveLength(1);
    expect(parts.github.requests.filter((r) => r.path.includes('/git/ref/') || r.path.includes('/contents/'))).toEqual([]);
    const chartPaths = parts.charts.requests.map((r) => r.path);
    expect(new Set(chartPaths).size).toBe(chartPaths.length);
    expect(parts.charts.requests.every((r) => r.authorized)).toBe(true);

    // secrets: masked first, then never printed
    const printed = run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    expect(run.stdout).toContain(`::add-mask::${CHART_PASSWORD}`);
    expect(printed).not.toContain(CHART_PASSWORD);
    expect(printed).not.toContain(parts.github.privateKey.split('\n')[1]);
    expect(printed).not.toMatch(/ghs_emulated/);
    expect(run.stdout).toMatch(/::add-mask::ghs_emulated/);
  });

  it('stops an invalid configuration before any network call, naming each problem', async () => {
    parts = await startSampleStream({
      config: (c) => {
        const settings = c.configuration as Record<string, unknown>;
        settings['targeted-branches'] = ['main', 'release/1.6', 7];
        settings['time-limit-minutes'] = 'forever';
      }
    });
    const run = await runBundle('dist/index.js', parts.actionEnv(appInputs(parts)));
    expect(run.code).toBe(1);
    const errors = run.annotations.filter((a) => a.kind === 'error').map((a) => a.message);
    expect(errors).toEqual([
      `${parts.configFile}: configuration.targeted-branches[2]: must be string`,
      `${parts.configFile}: configuration.time-limit-minutes: must be number`,
      `the configuration ${parts.configFile} is invalid`
    ]);
    expect(parts.github.requests).toEqual([]);
    expect(parts.git.requests).toEqual([]);
  });

  it('names file, branch, YAML path and chart of every bad input, and plans the rest', async () => {
    parts = await startSampleStream({
      branches: (branches, chartUrl) => {
        const r15 = branches['release/1.5'] ?? {};
        r15['manifests/broken.yaml'] = 'spec:\n  charts: [\n';
        r15['manifests/platform.yaml'] = manifest('platform', chartUrl, [
          { name: 'cray-hms-unknown', source: 'csm-algol60', version: '1.0.0' },
          { name: 'cray-hms-bss', source: 'csm-algol60', version: '9.9.9' },
          { name: 'cray-hms-smd', source: 'nowhere', version: '7.1.18' }
        ]);
        branches['release/1.8'] = {
          'render_templates.sh': { content: 'echo "jinja: template docker/index.yaml.j2 not found" >&2\nexit 2\n', executable: true }
        };
      },
      config: (c) => {
        (c.configuration as Record<string, unknown>)['targeted-branch-regexes'] = ['release/1\\.[78]'];
      }
    });
    const run = await runBundle('dist/index.js', parts.actionEnv(appInputs(parts)));
    // planning errors fail a dry run (a pull request's gate), after the whole plan was reported
    expect(run.code).toBe(1);
    const errors = run.annotations
      .filter((a) => a.kind === 'error' && !a.message.startsWith('5 planning errors'))
      .map((a) => a.message)
      .sort();
    expect(run.annotations.at(-1)).toMatchObject({ kind: 'error', message: '5 planning errors (see the annotations)' });
    expect(errors).toEqual(
      [
        'branch release/1.5, manifests/broken.yaml: not valid YAML: deficient indentation at line 3, column 1',
        'branch release/1.5, manifests/platform.yaml at spec.charts[0], chart cray-hms-unknown 1.0.0: no helm-repo-lookup entry for chart cray-hms-unknown: add one with its path in the chart repository',
        `branch release/1.5, manifests/platform.yaml at spec.charts[1], chart cray-hms-bss 9.9.9: ${parts.charts.url}/artifactory/csm-helm-charts/stable/cray-hms-bss/cray-hms-bss-9.9.9.tgz: download answered 404: no such chart version in the chart repository`,
        'branch release/1.5, manifests/platform.yaml at spec.charts[2], chart cray-hms-smd 7.1.18: chart source "nowhere" is not in spec.sources.charts and helm-repo-lookup has no source_override',
        'branch release/1.8: render_templates.sh failed on branch release/1.8 (exit 2): jinja: template docker/index.yaml.j2 not found'
      ].sort()
    );
    const plan = JSON.parse(run.outputs.plan ?? '{}') as Plan;
    expect(plan.branches.map((b) => [b.branch, b.images])).toEqual([
      ['release/1.6', 8],
      ['release/1.5', 4],
      ['release/1.7', 3],
      ['release/1.8', 0]
    ]);
    expect(images(plan)).toHaveLength(14);
    expect(run.summary).toContain('## Rebuild plan for Cray-HPE/csm');
  });

  it('fails a dry run whose charts could not be downloaded (no silent half plan), unless fail-on says never', async () => {
    parts = await startSampleStream();
    const run = await runBundle('dist/index.js', parts.actionEnv({ ...appInputs(parts), 'chart-repo-password': 'wrong' }));
    expect(run.code).toBe(1);
    const errors = run.annotations.filter((a) => a.kind === 'error' && !a.message.startsWith('6 planning errors'));
    expect(errors.length).toBe(6);
    for (const e of errors)
      expect(e.message).toMatch(
        /chart cray-hms-(bss|rts|smd) [\d.]+: .*download answered 401: the chart repository refused chart-repo-username\/chart-repo-password$/
      );
    const plan = JSON.parse(run.outputs.plan ?? '{}') as Plan;
    expect(plan.repos.map((r) => r.githubRepo)).toEqual(['hardware-topology-assistant', 'hms-shcd-parser', 'hms-test']);
    const chosen = await runBundle(
      'dist/index.js',
      parts.actionEnv({ ...appInputs(parts), 'chart-repo-password': 'wrong', 'fail-on': 'never' })
    );
    expect(chosen.code).toBe(0);
    expect(chosen.annotations.filter((a) => a.kind === 'error')).toHaveLength(6);
  });

  it("fails a pull request's dry run on workflow problems, naming repo, tag and image, and plans the rest", async () => {
    parts = await startSampleStream();
    const rts = parts.github.repo('hms-rts');
    const smd = parts.github.repo('hms-smd');
    // v3.1.1 of hms-rts cannot be dispatched; hms-smd's test workflow is gone and nothing else names its -test image
    if (rts)
      rts.files['v3.1.1'] = {
        '.github/workflows/build_and_release_image.yaml': buildWorkflow('Build and Publish Service Docker Images', 'cray-hms-rts', false)
      };
    if (smd) smd.workflows = smd.workflows.filter((w) => !w.path.endsWith('_ct_image.yaml'));
    const run = await runBundle('dist/index.js', parts.actionEnv(appInputs(parts)));
    expect(run.code).toBe(1);
    expect(run.annotations.filter((a) => a.kind === 'error').map((a) => a.message)).toEqual([
      'repo hms-rts, image cray-hms-rts, tag v3.1.1: not rebuilt: workflow "Build and Publish Service Docker Images" (.github/workflows/build_and_release_image.yaml) has no workflow_dispatch trigger at this tag (branches: release/1.6)',
      'repo hms-smd, image cray-smd-test, tag v2.23.0: not rebuilt: no workflow builds image cray-smd-test: none has image-name cray-smd-test and none is named "Build and Publish CT Docker Images" (branches: release/1.6)',
      '2 images need a person: hms-rts cray-hms-rts v3.1.1 (not-dispatched), hms-smd cray-smd-test v2.23.0 (not-dispatched)'
    ]);
    const plan = JSON.parse(run.outputs.plan ?? '{}') as Plan;
    expect(plan.repos.flatMap((r) => r.builds)).toHaveLength(11);
    expect(run.summary).toContain('| ⚠️ no build: workflow "Build and Publish Service Docker Images"');
    expect(parts.github.dispatches).toEqual([]);
  });

  it('finds missing chart credentials before any request, and plans without charts when told to', async () => {
    parts = await startSampleStream();
    const inputs = { config: parts.configFile, 'dry-run': 'true', 'app-id': parts.github.appId, 'private-key': parts.github.privateKey };
    const stopped = await runBundle('dist/index.js', parts.actionEnv(inputs));
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toContain(
      '::error::input chart-repo-username and input chart-repo-password are not set, and the chart repository needs them (configuration.chart-credentials-required): set them from secrets, or set skip-charts: true'
    );
    expect(parts.github.requests).toHaveLength(0);
    expect(parts.git.requests).toHaveLength(0);

    const skipped = await runBundle('dist/index.js', parts.actionEnv({ ...inputs, 'skip-charts': 'true' }));
    expect(skipped.code).toBe(0);
    expect(parts.charts.requests).toHaveLength(0);
    expect(skipped.annotations.map((a) => `${a.kind}: ${a.message}`)).toContain(
      "warning: charts were not downloaded nor rendered (input skip-charts): the images of the manifests' charts are not in this plan (a run without the chart secret, such as a fork's or Dependabot's pull request, plans this way)"
    );
    expect(skipped.summary).toContain(
      "> ⚠️ charts were not downloaded nor rendered (input skip-charts): the images of the manifests' charts are not in this plan (a run without the chart secret, such as a fork's or Dependabot's pull request, plans this way)"
    );
    const plan = JSON.parse(skipped.outputs.plan ?? '{}') as Plan;
    expect(plan.repos.map((r) => r.githubRepo)).toEqual(['hardware-topology-assistant', 'hms-shcd-parser', 'hms-test']);
  });

  it('works with a plain token instead of a GitHub App, the git server checking it', async () => {
    parts = await startSampleStream({ gitToken: 'test-token' });
    const run = await runBundle(
      'dist/index.js',
      parts.actionEnv({
        config: parts.configFile,
        'dry-run': 'true',
        token: 'test-token',
        'chart-repo-username': CHART_USER,
        'chart-repo-password': CHART_PASSWORD
      })
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.outputs.plan ?? '{}')).toMatchObject({ org: 'Cray-HPE', productStreamRepo: 'csm' });
    expect(parts.git.requests.every((r) => r.password === 'test-token')).toBe(true);
  });

  it('prints the same plan from the command line and writes it to a file', async () => {
    parts = await startSampleStream();
    const planFile = `${parts.workDir}/plan.json`;
    const run = await runBundle(
      'dist/cli.js',
      { PATH: process.env.PATH, HOME: process.env.HOME, CHART_REPO_PASSWORD: CHART_PASSWORD, GITHUB_TOKEN: 'test-token' },
      120_000,
      [
        '--config',
        parts.configFile,
        '--dry-run',
        '--server-url',
        parts.git.url,
        '--api-url',
        parts.github.url,
        '--org',
        'Cray-HPE',
        '--chart-repo-username',
        CHART_USER,
        '--plan-file',
        planFile
      ]
    );
    expect(run.stderr).toBe(
      'warning: branch release/9.9, configuration.targeted-branches: targeted branch does not exist in Cray-HPE/csm; skipped\n' +
        `notice: repo hardware-topology-assistant, image hardware-topology-assistant, tag v0.3.1: not rebuilt, acknowledged: tag v0.3.1 does not exist in Cray-HPE/hardware-topology-assistant; acknowledged until ${ACKNOWLEDGED_GAP.until}: ${ACKNOWLEDGED_GAP.reason} (branches: release/1.6)\n`
    );
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('::');
    expect(run.stdout).toMatch(/^REPO +GIT TAG +IMAGE +BRANCHES +SOURCE +WORKFLOW$/m);
    expect(run.stdout).toMatch(
      /^hms-smd +v2\.24\.0 +artifactory\.algol60\.net\/csm-docker\/stable\/cray-smd:2\.24\.0 +release\/1\.6 +chart cray-hms-smd +\.github\/workflows\/build_and_release_image\.yaml$/m
    );
    const plan = JSON.parse(readFileSync(planFile, 'utf8')) as Plan;
    expect(images(plan)).toHaveLength(14);
  });

  it('falls back to REST ref lookups, each tag once, when the server has no GraphQL API', async () => {
    parts = await startSampleStream({ emulator: { graphql: false } });
    const run = await runBundle('dist/index.js', parts.actionEnv(appInputs(parts)));
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.outputs.plan ?? '{}') as Plan;
    expect(images(plan)).toHaveLength(14);
    expect(images(plan).filter((i) => i.includes('unresolved'))).toEqual([
      'hardware-topology-assistant hardware-topology-assistant:0.3.1 unresolved [release/1.6]'
    ]);
    const refLookups = parts.github.requests.filter((r) => r.path.includes('/git/ref/')).map((r) => r.path);
    expect(refLookups).toHaveLength(10);
    expect(new Set(refLookups).size).toBe(refLookups.length);
  });
});
