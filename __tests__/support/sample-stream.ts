import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toYaml } from '../../src/yaml.js';
import { startChartRepo, type ChartRepoServer } from './chart-repo.js';
import { REGISTRY, writeHmsChart, type HmsChartSpec } from './charts.js';
import { GitHubEmulator, type EmulatedRepo, type EmulatorOptions } from './github-emulator.js';
import { startGitServer, type GitServer, type Tree } from './git-server.js';
import { findRenderSandbox } from '../../src/plan/render-script.js';

export const ORG = 'Cray-HPE';
export const CHART_USER = 'chart-reader';
export const CHART_PASSWORD = 'chart-secret-3f9a';

/** The sample stream's one gap, acknowledged for a year from today (so it never expires under the tests). */
export const ACKNOWLEDGED_GAP = {
  image: 'hardware-topology-assistant:0.3.1',
  reason: 'v0.3.1 was built by hand before the repo was tagged; CSM 1.7 ships v0.3.2',
  until: new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10)
};

/** A workflow file as HMS repos have them: the reusable image build with `image-name` (without `imageName`, none: the name rules pick it). */
export function buildWorkflow(name: string, imageName: string | undefined, dispatchable = true): string {
  return `name: ${name}
on:
  push:
    tags: ['v*']
${dispatchable ? '  workflow_dispatch:\n' : ''}jobs:
  build_and_release:
    uses: Cray-HPE/hms-build-image-workflows/.github/workflows/build_and_release_image.yaml@v2
    with:
${imageName === undefined ? '' : `      image-name: ${imageName}\n`}      docker-build-file: Dockerfile
    secrets: inherit
`;
}

export function manifest(name: string, chartSourceUrl: string, charts: Record<string, unknown>[]): string {
  return toYaml({
    apiVersion: 'manifests/v1beta1',
    metadata: { name },
    spec: { sources: { charts: [{ name: 'csm-algol60', type: 'repo', location: chartSourceUrl }] }, charts }
  });
}

export function dockerIndex(images: Record<string, string[]>): string {
  return `# docker index (test copy)\n${REGISTRY}:\n  images:\n${Object.entries(images)
    .map(([name, tags]) => `    ${name}:\n${tags.map((t) => `      - ${t}`).join('\n')}`)
    .join('\n')}\n`;
}

/** Service and test workflows of an HMS repo, at every ref. */
export function hmsRepo(name: string, image: string, tags: Record<string, string>, extra: Partial<EmulatedRepo> = {}): EmulatedRepo {
  return {
    name,
    tags,
    branches: { main: 'f'.repeat(40) },
    workflows: [
      {
        id: 1000 + name.length * 10 + 1,
        name: 'Build and Publish Service Docker Images',
        path: '.github/workflows/build_and_release_image.yaml'
      },
      {
        id: 1000 + name.length * 10 + 2,
        name: 'Build and Publish CT Docker Images',
        path: '.github/workflows/build_and_release_ct_image.yaml'
      },
      { id: 1000 + name.length * 10 + 3, name: 'Lint', path: '.github/workflows/lint.yaml' }
    ],
    files: {
      '*': {
        '.github/workflows/build_and_release_image.yaml': buildWorkflow('Build and Publish Service Docker Images', image),
        '.github/workflows/build_and_release_ct_image.yaml': buildWorkflow('Build and Publish CT Docker Images', `${image}-test`),
        '.github/workflows/lint.yaml':
          'name: Lint\non: [push, pull_request]\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps: [{ run: "true" }]\n'
      }
    },
    ...extra
  };
}

/**
 * The `.env` that `npm run local-action` (GitHub's @github/local-action) reads for a dry run of the
 * sample stream against these servers: the inputs and the runner's variables.
 */
export function localActionEnv(parts: LocalParts): string {
  return [
    `INPUT_CONFIG=${parts.configFile}`,
    'INPUT_DRY-RUN=true',
    // the emulator takes this token as GitHub takes a personal token
    'INPUT_TOKEN=test-token',
    `INPUT_CHART-REPO-USERNAME=${CHART_USER}`,
    `INPUT_CHART-REPO-PASSWORD=${CHART_PASSWORD}`,
    `INPUT_PLAN-FILE=${join(parts.workDir, 'plan.json')}`,
    `GITHUB_API_URL=${parts.github.url}`,
    `GITHUB_SERVER_URL=${parts.git.url}`,
    `GITHUB_REPOSITORY=${ORG}/hms-build-workflow-dispatcher`,
    `GITHUB_WORKSPACE=${parts.workDir}`,
    `RUNNER_TEMP=${parts.workDir}`
  ].join('\n');
}

/** The product stream repo as GitHub knows it (its branches are on the git server): a token may be limited to it. */
export function productStreamOnGitHub(name = 'csm'): EmulatedRepo {
  return { name, tags: {}, workflows: [], files: {} };
}

export function commitOf(text: string): string {
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(5);
}

/** The action's inputs for the sample stream: its configuration, the App, the chart credentials; `extra` adds or replaces. */
export function sampleInputs(parts: LocalParts, extra: Record<string, string> = {}): Record<string, string> {
  return {
    config: parts.configFile,
    'app-id': parts.github.appId,
    'private-key': parts.github.privateKey,
    'chart-repo-username': CHART_USER,
    'chart-repo-password': CHART_PASSWORD,
    ...extra
  };
}

export interface LocalParts {
  git: GitServer;
  charts: ChartRepoServer;
  github: GitHubEmulator;
  workDir: string;
  configFile: string;
  /** Environment for running the built action as the runner does. */
  actionEnv(inputs: Record<string, string>): NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export interface SampleOptions {
  emulator?: Partial<EmulatorOptions>;
  /** Change the product stream branches before they are pushed. */
  branches?: (branches: Record<string, Tree>, chartUrl: string) => void;
  /** Change the configuration before it is written. */
  config?: (config: Record<string, unknown>) => void;
  gitToken?: string;
}

export const SAMPLE_CHARTS: (HmsChartSpec & { path: string })[] = [
  { name: 'cray-hms-bss', version: '3.2.4', githubRepo: 'hms-bss', image: 'cray-bss', appVersion: '1.28.0', path: 'stable/cray-hms-bss' },
  { name: 'cray-hms-bss', version: '3.1.5', githubRepo: 'hms-bss', image: 'cray-bss', appVersion: '1.26.0', path: 'stable/cray-hms-bss' },
  { name: 'cray-hms-smd', version: '7.1.18', githubRepo: 'hms-smd', image: 'cray-smd', appVersion: '2.23.0', path: 'stable/cray-hms-smd' },
  {
    name: 'cray-hms-rts',
    version: '5.0.0',
    githubRepo: 'hms-rts',
    image: 'cray-hms-rts',
    appVersion: '3.1.0',
    path: 'stable/cray-hms-rts',
    style: 'plain',
    withTests: false
  }
];

/**
 * The sample product stream of the end-to-end tests and the demo: release/1.6 and release/1.5 of
 * `Cray-HPE/csm` (docker index + loftsman manifests), release/1.7 generating its index with
 * render_templates.sh, HMS charts in a chart repository with basic auth, and the HMS repos in the
 * GitHub emulator.
 */
export async function startSampleStream(options: SampleOptions = {}): Promise<LocalParts> {
  const git = await startGitServer({ token: options.gitToken });
  const charts = await startChartRepo({ username: CHART_USER, password: CHART_PASSWORD });
  const chartUrl = `${charts.url}/artifactory/csm-helm-charts/`;
  const chartSrc = mkdtempSync(join(tmpdir(), 'sample-charts-'));
  for (const spec of SAMPLE_CHARTS) {
    const dir = writeHmsChart(spec, mkdtempSync(join(chartSrc, 'c-')));
    charts.addChart(`artifactory/csm-helm-charts/${spec.path}`, dir);
  }
  rmSync(chartSrc, { recursive: true, force: true });

  const sysmgmt16 = manifest('sysmgmt', chartUrl, [
    { name: 'cray-hms-bss', source: 'csm-algol60', version: '3.2.4', namespace: 'services' },
    { name: 'cray-hms-rts', source: 'csm-algol60', version: '5.0.0', namespace: 'services' },
    {
      name: 'cray-hms-rts',
      releaseName: 'cray-hms-rts-snmp',
      source: 'csm-algol60',
      version: '5.0.0',
      namespace: 'services',
      values: { rtsDoInit: false, global: { appVersion: '3.1.1' } }
    },
    { name: 'cray-cfs-api', source: 'csm-algol60', version: '1.0.0', namespace: 'services' }
  ]);
  const core16 = manifest('core-services', chartUrl, [
    {
      name: 'cray-hms-smd',
      source: 'csm-algol60',
      version: '7.1.18',
      namespace: 'services',
      values: { global: { appVersion: '2.24.0' }, 'cray-service': { sqlCluster: { resources: { requests: { cpu: '4' } } } } }
    }
  ]);
  const branches: Record<string, Tree> = {
    'release/1.6': {
      'docker/index.yaml': dockerIndex({ 'hms-shcd-parser': ['1.9.0'], 'hardware-topology-assistant': ['0.3.1'], 'cray-sat': ['3.32.6'] }),
      'manifests/sysmgmt.yaml': sysmgmt16,
      'manifests/core-services.yaml': core16,
      'README.md': '# csm\n'
    },
    'release/1.5': {
      'docker/index.yaml': dockerIndex({ 'hms-shcd-parser': ['1.9.0'], 'hardware-topology-assistant': ['0.2.0'] }),
      'manifests/sysmgmt.yaml': manifest('sysmgmt', chartUrl, [
        { name: 'cray-hms-bss', source: 'csm-algol60', version: '3.1.5', namespace: 'services' }
      ])
    },
    'release/1.7': {
      'docker/index.yaml.in': dockerIndex({ 'hms-shcd-parser': ['@SHCD_VERSION@'] }),
      'render_templates.sh': {
        content: '#!/usr/bin/env bash\nset -euo pipefail\nsed "s/@SHCD_VERSION@/1.10.0/" docker/index.yaml.in > docker/index.yaml\n',
        executable: true
      },
      'manifests/sysmgmt.yaml': manifest('sysmgmt', chartUrl, [
        { name: 'cray-hms-bss', source: 'csm-algol60', version: '3.2.4', namespace: 'services' }
      ])
    },
    'feature/not-targeted': { 'docker/index.yaml': dockerIndex({ 'hms-shcd-parser': ['0.0.1'] }) }
  };
  options.branches?.(branches, chartUrl);
  git.createRepo(ORG, 'csm', branches);

  const repos: EmulatedRepo[] = [
    hmsRepo(
      'hms-bss',
      'cray-bss',
      { 'v1.28.0': commitOf('bss-1.28.0'), 'v1.26.0': commitOf('bss-1.26.0') },
      { annotatedTags: ['v1.28.0'] }
    ),
    hmsRepo('hms-smd', 'cray-smd', { 'v2.24.0': commitOf('smd-2.24.0'), 'v2.23.0': commitOf('smd-2.23.0') }),
    hmsRepo('hms-rts', 'cray-hms-rts', { 'v3.1.0': commitOf('rts-3.1.0'), 'v3.1.1': commitOf('rts-3.1.1') }),
    hmsRepo('hms-shcd-parser', 'hms-shcd-parser', { 'v1.9.0': commitOf('shcd-1.9.0'), 'v1.10.0': commitOf('shcd-1.10.0') }),
    hmsRepo('hardware-topology-assistant', 'hardware-topology-assistant', { 'v0.2.0': commitOf('hta-0.2.0') }),
    // the repository running the dispatcher: where the failure issue lives
    { name: 'hms-build-workflow-dispatcher', tags: {}, workflows: [], files: {} },
    productStreamOnGitHub(),
    hmsRepo('hms-test', 'hms-test', {
      'v2.9.0': commitOf('test-2.9.0'),
      'v3.0.0': commitOf('test-3.0.0'),
      'v3.1.0': commitOf('test-3.1.0')
    })
  ];
  const github = await new GitHubEmulator({ org: ORG, repos, ...options.emulator }).start();

  const config: Record<string, unknown> = {
    'helm-repo-lookup': [...new Map(SAMPLE_CHARTS.map((c) => [c.name, { chart: c.name, path: c.path }])).values()],
    'github-repo-image-lookup': [
      { 'github-repo': 'hms-shcd-parser', image: 'hms-shcd-parser' },
      { 'github-repo': 'hardware-topology-assistant', image: 'hardware-topology-assistant' }
    ],
    'docker-image-compare': { [REGISTRY]: { images: { 'hms-shcd-parser': ['find_me'], 'hardware-topology-assistant': ['find_me'] } } },
    'non-manifest-images': [{ 'github-repo': 'hms-test', 'tag-regex': 'v[3-9]\\.[0-9]+\\.[0-9]+', image_repo: `${REGISTRY}/hms-test` }],
    // release/1.6 ships hardware-topology-assistant 0.3.1, a tag its repo never had: a gap a person looked at
    acknowledged: [ACKNOWLEDGED_GAP],
    configuration: {
      'product-stream-repo': 'csm',
      // release/1.7 generates its docker/index.yaml with render_templates.sh: run it in this machine's sandbox, or,
      // where there is none (a laptop without sudo -n nor unprivileged namespaces), as the user: the script is the world's own
      'render-script': findRenderSandbox([]) ? 'run' : 'run-unisolated',
      'targeted-branches': ['release/1.6', 'release/1.5', 'release/9.9'],
      'targeted-branch-regexes': ['release/1\\.7'],
      'docker-image-manifest': 'docker/index.yaml',
      'helm-manifest-directory': 'manifests',
      'target-chart-regex': 'cray-hms-.*',
      'sleep-duration-seconds': 1,
      'time-limit-minutes': 1,
      'webhook-sleep-seconds': 2,
      'log-level': 'INFO'
    }
  };
  options.config?.(config);
  const workDir = mkdtempSync(join(tmpdir(), 'sample-work-'));
  const configFile = join(workDir, 'configuration.yaml');
  writeFileSync(configFile, toYaml(config));

  return {
    git,
    charts,
    github,
    workDir,
    configFile,
    actionEnv(inputs) {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GITHUB_API_URL: github.url,
        GITHUB_SERVER_URL: git.url,
        GITHUB_REPOSITORY: `${ORG}/hms-build-workflow-dispatcher`,
        GITHUB_WORKSPACE: workDir,
        GITHUB_STEP_SUMMARY: join(workDir, 'step-summary.md'),
        GITHUB_OUTPUT: join(workDir, 'output.txt'),
        RUNNER_TEMP: workDir,
        RUNNER_TOOL_CACHE: join(workDir, 'tool-cache')
      };
      writeFileSync(env.GITHUB_STEP_SUMMARY ?? '', '');
      writeFileSync(env.GITHUB_OUTPUT ?? '', '');
      for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
      return env;
    },
    async stop() {
      await Promise.all([git.close(), charts.close(), github.stop()]);
      rmSync(workDir, { recursive: true, force: true });
    }
  };
}
