import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseYaml, isMapping } from '../../src/yaml.js';
import { startChartRepo, type ChartRepoServer } from './chart-repo.js';
import { REGISTRY, writeHmsChart } from './charts.js';
import { GitHubEmulator, type EmulatedRepo } from './github-emulator.js';
import { startGitServer, type GitServer, type Tree } from './git-server.js';
import { buildWorkflow, commitOf, ORG, productStreamOnGitHub } from './sample-stream.js';
import { REAL_WORLD, realWorldBranches } from './shared.js';

export const REAL_CHART_PATTERN = /^(?:cray-hms-.*|cray-power-control|csm-redfish-interface-emulator)/;
export const REAL_CHART_HOST = 'https://artifactory.algol60.net/';

/** The GitHub repo and image a real HMS chart builds (the test charts are generated, the names follow HMS). */
export function hmsNames(chart: string): { githubRepo: string; image: string } {
  if (chart === 'cray-power-control') return { githubRepo: 'hms-power-control', image: 'cray-power-control' };
  if (chart === 'cray-hms-hmcollector') return { githubRepo: 'hms-hmcollector', image: 'hms-hmcollector' };
  if (chart.startsWith('cray-hms-')) return { githubRepo: `hms-${chart.slice(9)}`, image: `cray-${chart.slice(9)}` };
  return { githubRepo: chart, image: chart };
}

interface RealEntry {
  branch: string;
  name: string;
  version: string;
  releaseName: string;
  appVersionOverride?: string;
  testVersionOverride?: string;
  swaggerTag?: string;
}

const scalar = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

/** Every HMS chart entry of the real manifests, read straight from the files. */
export function realChartEntries(): RealEntry[] {
  const entries: RealEntry[] = [];
  for (const { branch, dir } of realWorldBranches()) {
    for (const file of readdirSync(join(dir, 'manifests')).sort()) {
      const doc = parseYaml(readFileSync(join(dir, 'manifests', file), 'utf8'), file);
      const charts = isMapping(doc) && isMapping(doc.spec) && Array.isArray(doc.spec.charts) ? doc.spec.charts : [];
      for (const c of charts) {
        if (!isMapping(c) || typeof c.name !== 'string' || !REAL_CHART_PATTERN.test(c.name)) continue;
        const global = isMapping(c.values) && isMapping(c.values.global) ? c.values.global : {};
        const swaggerUrl: unknown = Array.isArray(c.swagger) && isMapping(c.swagger[0]) ? c.swagger[0].url : undefined;
        const swagger = typeof swaggerUrl === 'string' ? swaggerUrl : '';
        entries.push({
          branch,
          name: c.name,
          version: String(c.version),
          releaseName: typeof c.releaseName === 'string' ? c.releaseName : c.name,
          appVersionOverride: scalar(global.appVersion),
          testVersionOverride: scalar(global.testVersion),
          swaggerTag: swagger.match(/\/v(\d+\.\d+\.\d+)\//)?.[1]
        });
      }
    }
  }
  return entries;
}

/** The app version a generated chart carries: the swagger tag when the manifest names one, else one derived from the chart version. */
export function chartAppVersion(entries: RealEntry[], name: string, version: string): string {
  const tagged = entries.find((e) => e.name === name && e.version === version && e.swaggerTag && !e.appVersionOverride);
  return tagged?.swaggerTag ?? `${version.split('.')[0]}.99.${version.split('.').slice(1).join('')}`;
}

export interface RealWorldParts {
  git: GitServer;
  charts: ChartRepoServer;
  github: GitHubEmulator;
  entries: RealEntry[];
  /** Image `name:tag` expected per branch from the charts, computed from the manifests alone. */
  expectedChartImages: Map<string, Set<string>>;
  stop(): Promise<void>;
}

/** The seven real CSM branches (and main as a copy of release/1.6) served locally, with generated charts for every HMS chart version they name. */
export async function startRealWorldStream(chartPaths: Map<string, string>): Promise<RealWorldParts> {
  const git = await startGitServer();
  const charts = await startChartRepo({ username: 'reader', password: 'real-world-pw' });
  const entries = realChartEntries();
  const src = mkdtempSync(join(tmpdir(), 'real-charts-'));
  const versions = new Map<string, { name: string; version: string }>();
  for (const e of entries) versions.set(`${e.name}@${e.version}`, { name: e.name, version: e.version });
  for (const { name, version } of versions.values()) {
    const names = hmsNames(name);
    const dir = writeHmsChart(
      {
        name,
        version,
        ...names,
        appVersion: chartAppVersion(entries, name, version),
        style: name === 'cray-hms-rts' ? 'plain' : 'cray-service',
        withTests: name !== 'cray-hms-rts'
      },
      mkdtempSync(join(src, 'c-'))
    );
    charts.addChart(`artifactory/csm-helm-charts/${chartPaths.get(name) ?? `stable/${name}`}`, dir);
  }
  rmSync(src, { recursive: true, force: true });

  const trees: Record<string, Tree> = {};
  for (const { branch, dir } of realWorldBranches()) {
    const tree: Tree = { 'docker/index.yaml': readFileSync(join(dir, 'docker', 'index.yaml'), 'utf8') };
    for (const file of readdirSync(join(dir, 'manifests'))) tree[`manifests/${file}`] = readFileSync(join(dir, 'manifests', file), 'utf8');
    trees[branch] = tree;
  }
  if (trees['release/1.6']) trees.main = trees['release/1.6'];
  git.createRepo(ORG, 'csm', trees);

  const expectedChartImages = new Map<string, Set<string>>();
  const tagsByRepo = new Map<string, Set<string>>();
  /** The service image a repo's charts name: its workflows pass it (and its -test image) as image-name. */
  const imagesByRepo = new Map<string, string>();
  const addTag = (repo: string, tag: string): void => {
    const set = tagsByRepo.get(repo) ?? new Set<string>();
    set.add(`v${tag}`);
    tagsByRepo.set(repo, set);
  };
  for (const e of [...entries, ...entries.filter((x) => x.branch === 'release/1.6').map((x) => ({ ...x, branch: 'main' }))]) {
    const { githubRepo, image } = hmsNames(e.name);
    imagesByRepo.set(githubRepo, image);
    const app = e.appVersionOverride ?? chartAppVersion(entries, e.name, e.version);
    const test = e.testVersionOverride ?? chartAppVersion(entries, e.name, e.version);
    const set = expectedChartImages.get(e.branch) ?? new Set<string>();
    set.add(`${image}:${app}`);
    addTag(githubRepo, app);
    if (e.name !== 'cray-hms-rts') {
      set.add(`${image}-test:${test}`);
      addTag(githubRepo, test);
    }
    expectedChartImages.set(e.branch, set);
  }
  for (const [repo, tags] of [
    ['hms-shcd-parser', ['1.9.0', '1.8.0']],
    ['hms-trs-worker-http-v1', ['1.8.0', '1.6.1']],
    ['hms-capmc', ['2.7.0']],
    ['hardware-topology-assistant', ['0.3.1', '0.2.0', '0.1.0']],
    ['hms-test', ['2.1.0', '3.0.0', '3.1.0', '4.0.0', '5.0.0']],
    ['hms-build-environment', ['1.1.0', '1.2.3', '2.0.0']]
  ] as const)
    for (const t of tags) addTag(repo, t);
  const repos: EmulatedRepo[] = [...tagsByRepo.entries()].map(([name, tags]) => {
    const image = imagesByRepo.get(name);
    const workflows = [
      { id: 1, name: 'Build and Publish Service Docker Images', path: '.github/workflows/build_and_release_image.yaml' },
      { id: 2, name: 'Build and Publish CT Docker Images', path: '.github/workflows/build_and_release_ct_image.yaml' },
      ...(name === 'hms-test'
        ? [{ id: 3, name: 'Build and Publish hms-test Docker image', path: '.github/workflows/build_and_release_hms_test.yaml' }]
        : [])
    ];
    // repos whose charts name their image pass it as image-name (as HMS repos do); the others rely on the name rules
    const files = Object.fromEntries(
      workflows.map((w) => [w.path, buildWorkflow(w.name, image ? (w.id === 2 ? `${image}-test` : image) : undefined)])
    );
    return { name, tags: Object.fromEntries([...tags].map((t) => [t, commitOf(`${name}-${t}`)])), workflows, files: { '*': files } };
  });
  const github = await new GitHubEmulator({ org: ORG, repos: [...repos, productStreamOnGitHub()] }).start();
  return {
    git,
    charts,
    github,
    entries,
    expectedChartImages,
    stop: async () => {
      await Promise.all([git.close(), charts.close(), github.stop()]);
    }
  };
}

export { REGISTRY, REAL_WORLD };
