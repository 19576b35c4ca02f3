import { Writable } from 'node:stream';
import { parseConfiguration } from '../../src/config/load.js';
import type { Configuration } from '../../src/config/configuration.js';
import { ConsoleLog, PhaseLog } from '../../src/log.js';
import type { ImageFacts } from '../../src/registry/registry-client.js';
import { formatImageReference, type ImageReference } from '../../src/registry/image-reference.js';
import { runPlanning, type PlanningInputs } from '../../src/plan/plan-rebuilds.js';
import type { PlanningApi, TagSnapshot } from '../../src/plan/planning-api.js';
import type { PlanningPorts } from '../../src/plan/planning-ports.js';
import { planBuilds } from '../../src/plan/plan.js';
import { fakeClock } from '../support/fake-clock.js';
import { buildWorkflow } from '../support/sample-stream.js';
import { toYaml } from '../../src/yaml.js';

const REGISTRY = 'artifactory.algol60.net/csm-docker/stable';
const WORKFLOW = '.github/workflows/build_and_release_image.yaml';

/** Planning through ports given as tables: no git, helm, chart repository, GitHub or registry runs. */
describe('planning over its ports, as tables', () => {
  const config = (): Configuration => {
    const parsed = parseConfiguration(
      toYaml({
        'github-repo-image-lookup': [{ image: 'cray-smd', 'github-repo': 'hms-smd' }],
        'docker-image-compare': { [REGISTRY]: { images: { 'cray-smd': ['find_me'] } } },
        configuration: { 'product-stream-repo': 'csm', 'targeted-branches': ['release/1.6'], rebuild: 'when-outdated' }
      }),
      'configuration.yaml'
    );
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    return parsed.config;
  };
  const inputs: PlanningInputs = {
    edge: 'command-line',
    org: 'Cray-HPE',
    serverUrl: 'https://github.example',
    skipCharts: true,
    helmDownload: false,
    chartCredentials: undefined,
    chartRewrites: [],
    rebuild: 'when-outdated',
    maxAgeMs: 7 * 86_400_000,
    registryCredentials: undefined,
    registryRewrites: [],
    registryHosts: [],
    runnerFolders: []
  };
  const files: Record<string, string> = { 'docker/index.yaml': toYaml({ [REGISTRY]: { images: { 'cray-smd': ['2.24.0', '2.23.0'] } } }) };
  const github: PlanningApi = {
    listTags: () => Promise.resolve([]),
    resolveTag: () => Promise.resolve({ ok: false, reason: 'not asked' }),
    readTagSnapshots: (batch) =>
      Promise.resolve(
        batch.map(({ repo, tag }): TagSnapshot => ({
          repo,
          tag,
          // 2.23.0 was never tagged: a gap
          commit: tag === 'v2.24.0' ? 'c'.repeat(40) : undefined,
          workflowFiles: new Map([[WORKFLOW, buildWorkflow('Build and Publish Service Docker Images', 'cray-smd')]]),
          releaseUrl: undefined,
          dockerfile: 'FROM artifactory.algol60.net/docker.io/alpine:3.20\nRUN apk -U upgrade\n'
        }))
      ),
    listWorkflows: () => Promise.resolve([{ id: 7, name: 'Build and Publish Service Docker Images', path: WORKFLOW, state: 'active' }]),
    readFile: () => Promise.reject(new Error('every file is in the snapshots'))
  };
  const registry = new Map<string, ImageFacts>([
    [`${REGISTRY}/cray-smd:2.24.0`, { found: true, digest: 'sha256:' + 'a'.repeat(64), created: '2026-12-05T00:00:00Z' }],
    ['artifactory.algol60.net/docker.io/alpine:3.20', { found: true, digest: 'sha256:' + 'b'.repeat(64), created: '2026-11-01T00:00:00Z' }]
  ]);
  const ports: PlanningPorts = {
    productStream: {
      listBranches: () => Promise.resolve([{ name: 'release/1.6', commit: '1'.repeat(40) }]),
      fetchTips: () => Promise.resolve(),
      openBranch: () =>
        Promise.resolve({
          scriptNotRun: false,
          files: {
            read: (path) => Promise.resolve(files[path]),
            readMany: (paths) => Promise.resolve(new Map(paths.map((p) => [p, files[p]]))),
            list: () => Promise.resolve([]),
            dispose: () => Promise.resolve()
          }
        })
    },
    charts: { download: () => Promise.reject(new Error('charts are skipped')), downloaded: () => [] },
    helm: undefined,
    github: () => github,
    // facts only: without packageIndexes, no layer is asked for
    registry: () => ({
      imageFacts: (ref: ImageReference) =>
        Promise.resolve(registry.get(formatImageReference(ref)) ?? { found: false, reason: 'not there' }),
      imageLayers: () => Promise.reject(new Error('no layers in this test')),
      blobInto: () => Promise.reject(new Error('no layers in this test'))
    })
  };

  it('plans a branch, looks up its tags, chooses the workflow and decides the rebuild, all from values', async () => {
    const log = new PhaseLog(new ConsoleLog(false, new Writable({ write: (_c, _e, cb) => cb() })));
    const planned = await runPlanning(
      config(),
      inputs,
      ports,
      log,
      fakeClock('2026-12-07T07:00:00Z', () => undefined)
    );
    expect(planned.partial).toBeUndefined();
    expect(planned.plan.branches).toEqual([{ branch: 'release/1.6', commit: '1'.repeat(40), images: 2 }]);
    const images = planned.plan.repos.flatMap((r) => r.images.map((i) => [i.name, i.tag, i.state, i.reason ?? '']));
    expect(images).toEqual([
      ['cray-smd', '2.23.0', 'unresolved', 'tag v2.23.0 does not exist in Cray-HPE/hms-smd'],
      ['cray-smd', '2.24.0', 'resolved', '']
    ]);
    const builds = planBuilds(planned.plan);
    expect(builds.map((b) => [b.gitTag, b.workflow.id, b.chosenBy, b.decision?.rebuild, b.decision?.why])).toEqual([
      ['v2.24.0', 7, 'image-name', false, 'built 2026-12-05; alpine:3.20 2026-11-01']
    ]);
  });
});
