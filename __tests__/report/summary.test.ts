import type { BuildResult } from '../../src/dispatch/build-result.js';
import type { Plan } from '../../src/plan/plan.js';
import { OUTCOME_NAMES, resultProblems } from '../../src/report/outcomes.js';
import { acknowledgeBases, staleBaseAcknowledgements } from '../../src/report/gaps.js';
import type { Problem } from '../../src/log.js';
import { acknowledgedSection } from '../../src/report/gap-summary.js';
import { renderProblemList } from '../../src/report/problem-list.js';
import { counted, cutAtWord } from '../../src/words.js';
import { gitTagLink, imageCell, renderPlanSummary, renderPlanText } from '../../src/report/plan-summary.js';
import { renderResultsSummary, renderResultsText } from '../../src/report/results-summary.js';
import { commonRegistryPath, rollupByRelease } from '../../src/report/release-rollup.js';
import { checkSummary, summaryProblems } from '../support/summary-checks.js';

const plan: Plan = {
  version: 3,
  createdAt: '2026-11-26T06:00:00.000Z',
  org: 'Cray-HPE',
  productStreamRepo: 'csm',
  branches: [{ branch: 'release/1.6', commit: 'c'.repeat(40), images: 2 }],
  repos: [
    {
      githubRepo: 'hms-smd',
      images: [
        {
          githubRepo: 'hms-smd',
          fullImage: 'reg/cray-smd:2.24.0',
          repository: 'reg/cray-smd',
          name: 'cray-smd',
          tag: '2.24.0',
          gitTag: 'v2.24.0',
          commit: 'a'.repeat(40),
          branches: ['release/1.6'],
          sources: [
            {
              kind: 'chart',
              branch: 'release/1.6',
              file: 'manifests/core-services.yaml',
              chart: 'cray-hms-smd',
              version: '7.1.18',
              releaseName: 'cray-hms-smd'
            }
          ],
          state: 'resolved'
        },
        {
          githubRepo: 'hms-smd',
          fullImage: 'reg/cray-smd-test:2.23.0',
          repository: 'reg/cray-smd-test',
          name: 'cray-smd-test',
          tag: '2.23.0',
          gitTag: 'v2.23.0',
          branches: ['release/1.6'],
          sources: [{ kind: 'docker-index', branch: 'release/1.6', file: 'docker/index.yaml' }],
          state: 'unresolved',
          reason: 'tag v2.23.0 does not exist in Cray-HPE/hms-smd'
        }
      ],
      builds: [
        {
          githubRepo: 'hms-smd',
          gitTag: 'v2.24.0',
          commit: 'a'.repeat(40),
          workflow: { id: 11, name: 'Build and Publish Service Docker Images', path: '.github/workflows/build_and_release_image.yaml' },
          chosenBy: 'image-name',
          images: ['reg/cray-smd:2.24.0']
        }
      ]
    }
  ]
};

const results: BuildResult[] = [
  {
    githubRepo: 'hms-smd',
    image: 'cray-smd',
    fullImage: 'reg/cray-smd:2.24.0',
    tag: '2.24.0',
    gitTag: 'v2.24.0',
    branches: ['release/1.6'],
    outcome: 'failed',
    conclusion: 'failure',
    status: 'completed',
    runId: 7,
    runUrl: 'https://github.com/Cray-HPE/hms-smd/actions/runs/7',
    via: 'dispatched'
  },
  {
    githubRepo: 'hms-smd',
    image: 'cray-smd-test',
    fullImage: 'reg/cray-smd-test:2.23.0',
    tag: '2.23.0',
    gitTag: 'v2.23.0',
    branches: ['release/1.6'],
    outcome: 'not-dispatched',
    reason: 'tag v2.23.0 does not exist in Cray-HPE/hms-smd'
  },
  {
    githubRepo: 'hms-bss',
    image: 'cray-bss',
    fullImage: 'reg/cray-bss:1.0.0',
    tag: '1.0.0',
    gitTag: 'v1.0.0',
    branches: [],
    outcome: 'skipped',
    conclusion: 'neutral',
    runId: 8,
    runUrl: 'https://github.com/Cray-HPE/hms-bss/actions/runs/8',
    via: 'attached'
  }
];

describe('report rendering', () => {
  it('renders the dry-run plan: builds per repo with the workflow file at the tag, and why an image gets no build', () => {
    const gaps: BuildResult[] = [{ ...(results[1] as BuildResult), outcome: 'not-dispatched' }];
    const summary = renderPlanSummary(plan, { serverUrl: 'https://github.com' }, gaps);
    expect(summary).toContain('## Rebuild plan for Cray-HPE/csm');
    expect(summary).toContain('**1 build to dispatch, 1 image that cannot be rebuilt**');
    expect(summary).toContain('1 build of 2 images in 1 repo, from 1 branch (release/1.6).');
    expect(summary).toContain('Images are under `reg/`.');
    expect(summary).toContain('### hms-smd: 1 build to dispatch, 1 image that cannot be rebuilt');
    expect(summary).toContain(
      '| [v2.24.0](https://github.com/Cray-HPE/hms-smd/tree/v2.24.0) | `cray-smd:2.24.0` | release/1.6 | [build\\_and\\_release\\_image.yaml](https://github.com/Cray-HPE/hms-smd/blob/v2.24.0/.github/workflows/build_and_release_image.yaml) (by image-name) | 🔁 dispatch: rebuild: always | chart cray-hms-smd |'
    );
    expect(summary).toContain(
      '| `cray-smd-test:2.23.0` | release/1.6 | — | ⚠️ no build: tag v2.23.0 does not exist in Cray-HPE/hms-smd | docker index |'
    );
    checkSummary(summary);
    expect(renderPlanText(plan).split('\n')[1]).toMatch(
      /^hms-smd +v2\.24\.0 +reg\/cray-smd:2\.24\.0 +release\/1\.6 +chart cray-hms-smd +\.github\/workflows\/build_and_release_image\.yaml$/
    );
  });

  it('renders the results: totals, conclusions as emoji, links to runs', () => {
    const summary = renderResultsSummary(plan, results, { serverUrl: 'https://github.com' });
    expect(summary).toContain('**3 images, 2 dispatched: 0 succeeded, 1 skipped by GitHub, 1 failed, 1 not rebuilt**');
    expect(summary).toContain(
      '| ❌ failed<br>[re-run failed jobs](https://github.com/Cray-HPE/hms-smd/actions/runs/7) | [#7](https://github.com/Cray-HPE/hms-smd/actions/runs/7) |'
    );
    expect(summary).toContain('| ⛔ not rebuilt<br>tag v2.23.0 does not exist in Cray-HPE/hms-smd | — |');
    expect(summary).toContain('[#8 (attached)](https://github.com/Cray-HPE/hms-bss/actions/runs/8)');
    // a repo that needs attention is open and first; one whose builds went well is folded
    expect(summary).toContain('### hms-smd');
    expect(summary).toContain('<details><summary>hms-bss: 1 skipped by GitHub</summary>');
    expect(summary.indexOf('### hms-smd')).toBeLessThan(summary.indexOf('hms-bss: 1 skipped by GitHub'));
    checkSummary(summary);
    expect(renderResultsText(results)).toMatch(/^hms-smd +v2\.24\.0 +cray-smd +failed +https:/m);
  });

  it('makes an error annotation per image that did not succeed, a warning per skipped one', () => {
    expect(resultProblems(results).map((p) => [p.severity, p.message])).toEqual([
      ['error', 'build failed: conclusion failure (https://github.com/Cray-HPE/hms-smd/actions/runs/7)'],
      ['error', 'not rebuilt: tag v2.23.0 does not exist in Cray-HPE/hms-smd (branches: release/1.6)'],
      ['warning', 'build skipped by GitHub: conclusion neutral (https://github.com/Cray-HPE/hms-bss/actions/runs/8)']
    ]);
    // a build found built within skip-succeeded-within is no warning: it is already built
    const recent = { ...results[0]!, outcome: 'already-built' as const, via: 'recent' as const, conclusion: 'success' };
    expect(resultProblems([recent])).toEqual([]);
  });
});

describe('the view by release', () => {
  const result = (image: string, branches: string[], outcome: BuildResult['outcome']): BuildResult => ({
    githubRepo: 'hms-x',
    image,
    fullImage: `artifactory.algol60.net/csm-docker/stable/${image}:1.0.0`,
    tag: '1.0.0',
    gitTag: 'v1.0.0',
    branches,
    outcome
  });
  const twoReleases: Plan = {
    ...plan,
    branches: [
      { branch: 'release/1.6', commit: 'c'.repeat(40), images: 3 },
      { branch: 'release/1.5', commit: 'd'.repeat(40), images: 2 }
    ]
  };
  const mixed = [
    result('a', ['release/1.6', 'release/1.5'], 'succeeded'),
    result('b', ['release/1.6'], 'succeeded-on-retry'),
    result('c', ['release/1.6'], 'failed'),
    result('d', ['release/1.5'], 'not-dispatched'),
    result('e', [], 'succeeded')
  ];

  it('counts each branch’s images by what became of them (an image shipped twice counts in both)', () => {
    expect(rollupByRelease(twoReleases, mixed)).toEqual([
      {
        branch: 'release/1.6',
        images: 3,
        rebuilt: 1,
        rebuiltOnRetry: 1,
        alreadyBuilt: 0,
        upToDate: 0,
        acknowledged: 0,
        failed: 1,
        notDispatched: 0,
        skipped: 0
      },
      {
        branch: 'release/1.5',
        images: 2,
        rebuilt: 1,
        rebuiltOnRetry: 0,
        alreadyBuilt: 0,
        upToDate: 0,
        acknowledged: 0,
        failed: 0,
        notDispatched: 1,
        skipped: 0
      }
    ]);
  });

  it('finds the registry path the images share, or none', () => {
    expect(commonRegistryPath(mixed.map((r) => r.fullImage))).toBe('artifactory.algol60.net/csm-docker/stable/');
    expect(commonRegistryPath(['reg/a/x:1', 'reg/b/y:1'])).toBe('reg/');
    expect(commonRegistryPath(['x:1', 'reg/y:1'])).toBe('');
    expect(commonRegistryPath([])).toBe('');
  });

  it('opens the summary with one linked row per release, then repo tables without a Repository column', () => {
    const summary = renderResultsSummary(twoReleases, mixed, { serverUrl: 'https://github.com' });
    expect(summary).toContain(
      '| [release/1.6](https://github.com/Cray-HPE/csm/tree/release/1.6) | 3 | 2 | — | ❌ 1 |\n| [release/1.5](https://github.com/Cray-HPE/csm/tree/release/1.5) | 2 | 1 | — | ❌ 1 |'
    );
    expect(summary).toContain('Images are under `artifactory.algol60.net/csm-docker/stable/`.');
    expect(summary).toContain('| Git tag | Image | Branches | Conclusion | Run |');
    expect(summary).toContain('| `b:1.0.0` | release/1.6 | 🔁 succeeded on retry | — |');
  });
});

describe('summary links', () => {
  const links = {
    serverUrl: 'https://github.com',
    imageLinkTemplate: 'https://artifactory.algol60.net/ui/repos/tree/General/{path}/{tag}'
  };

  it('links a git tag to its release page when there is one, else to its tree', () => {
    expect(gitTagLink(links, 'Cray-HPE', 'hms-bss', { gitTag: 'v1.0.0' })).toBe(
      '[v1.0.0](https://github.com/Cray-HPE/hms-bss/tree/v1.0.0)'
    );
    expect(
      gitTagLink(links, 'Cray-HPE', 'hms-bss', { gitTag: 'v1.0.0', releaseUrl: 'https://github.com/Cray-HPE/hms-bss/releases/tag/v1.0.0' })
    ).toBe('[v1.0.0](https://github.com/Cray-HPE/hms-bss/releases/tag/v1.0.0)');
  });

  it('links an image to its registry page when the configuration gives a template, else shows it as code', () => {
    const full = 'artifactory.algol60.net/csm-docker/stable/cray-bss:1.28.0';
    expect(imageCell(links, full, 'cray-bss:1.28.0')).toBe(
      '[cray-bss:1.28.0](https://artifactory.algol60.net/ui/repos/tree/General/csm-docker/stable/cray-bss/1.28.0)'
    );
    expect(imageCell({ serverUrl: 'https://github.com' }, full, 'cray-bss:1.28.0')).toBe('`cray-bss:1.28.0`');
    expect(imageCell({ ...links, imageLinkTemplate: 'https://r.example/{name}?t={tag}' }, 'reg/a b:1|2', 'x')).toBe(
      '[x](https://r.example/a%20b?t=1%7C2)'
    );
  });
});

describe('the report a person reads at 7 a.m.', () => {
  const scope = { org: 'Cray-HPE', productStreamRepo: 'csm', branches: [{ branch: 'release/1.6' }, { branch: 'release/1.5' }] };
  // one image per outcome of the outcome table, shipped by one or both branches
  const everyOutcome: BuildResult[] = OUTCOME_NAMES.map((outcome, i) => ({
    githubRepo: i % 2 === 0 ? 'hms-even' : 'hms-odd',
    image: `img-${outcome}`,
    fullImage: `reg.example/stable/img-${outcome}:1.0.${i}`,
    tag: `1.0.${i}`,
    gitTag: `v1.0.${i}`,
    branches: i % 3 === 0 ? ['release/1.6', 'release/1.5'] : ['release/1.6'],
    outcome,
    reason: `reason of ${outcome}, long enough to be cut somewhere in the middle of a word if the cut were careless`
  }));

  it('renders every outcome: the release rows add up, the headings read, an acknowledged gap is said once', () => {
    const summary = renderResultsSummary(scope, everyOutcome, { serverUrl: 'https://github.com' });
    checkSummary(
      summary +
        acknowledgedSection(everyOutcome) +
        renderProblemList(resultProblems(everyOutcome.filter((r) => r.outcome !== 'acknowledged')))
    );
    expect(summary).toContain(
      '| Release branch | Images | Rebuilt | Up to date | Already built | Skipped by GitHub | Acknowledged | Need a person |'
    );
    expect(summary).toContain('📝 acknowledged gap<br>see Acknowledged gaps below');
    expect(summary).not.toContain('reason of acknowledged');
  });

  it('fails the checks on the summaries of before: a row that does not add up, a shape as a heading, a gap said three times', () => {
    const before = [
      '| Release branch | Images | Rebuilt | Already built | Need a person | Acknowledged |',
      '| --- | --- | --- | --- | --- | --- |',
      '| [release/1.5](x) | 4 | — | — | — | — |',
      '',
      '| `hta:0.3.1` | tag v0.3.1 does not exist; acknowledged until 2027-12-07 |',
      '',
      '### 📝 Acknowledged gaps (1)',
      '',
      '| `hta:0.3.1` | hta | tag v0.3.1 does not exist; acknowledged until 2027-12-07 |',
      '<details><summary>Problems: 1 notice</summary>',
      '',
      '**⚠️ alpine:… last published #-#-#: rebuilding on it** (1)',
      '',
      '**ℹ️ not rebuilt, acknowledged: was built by hand before the repo was tagge…** (1)',
      '',
      '- image hta:0.3.1: tag v0.3.1 does not exist; acknowledged until 2027-12-07',
      '</details>'
    ].join('\n');
    expect(summaryProblems(before)).toEqual([
      expect.stringContaining('release row does not add up (0 ≠ 4)'),
      expect.stringContaining("a heading shows a message's shape"),
      expect.stringContaining('a heading is cut mid-word'),
      expect.stringContaining('its reason is said again outside its section')
    ]);
  });

  it('says counted nouns one way: 1 image, 2 images, 1 chart release, 3 branches; cuts at a word', () => {
    expect([counted(1, 'image'), counted(2, 'image'), counted(1, 'chart release'), counted(3, 'branch'), counted(2, 'repository')]).toEqual(
      ['1 image', '2 images', '1 chart release', '3 branches', '2 repositories']
    );
    expect(counted(1204, 'request')).toBe('1,204 requests');
    expect(cutAtWord('was built by hand before the repo was tagged', 40)).toBe('was built by hand before the repo was …');
    expect(cutAtWord('short', 40)).toBe('short');
  });

  it('names the failed job and step with a link to its log, and a link to re-run the failed jobs', () => {
    const failed: BuildResult = {
      ...(everyOutcome.find((r) => r.outcome === 'failed') as BuildResult),
      reason: undefined,
      why: 'golang:1.23-alpine was published after the image',
      runId: 9001,
      runUrl: 'https://github.com/Cray-HPE/hms-odd/actions/runs/9001',
      via: 'dispatched',
      failedJobs: [{ name: 'build', step: 'Build and push the image', url: 'https://github.com/Cray-HPE/hms-odd/actions/runs/9001/job/1' }]
    };
    const summary = renderResultsSummary(scope, [failed], { serverUrl: 'https://github.com' });
    expect(summary).toContain(
      '❌ failed<br>dispatched: golang:1.23-alpine was published after the image<br>[job build](https://github.com/Cray-HPE/hms-odd/actions/runs/9001/job/1): step Build and push the image<br>[re-run failed jobs](https://github.com/Cray-HPE/hms-odd/actions/runs/9001)'
    );
    expect(resultProblems([failed])[0]?.message).toBe(
      'build failed: job build, step "Build and push the image" (https://github.com/Cray-HPE/hms-odd/actions/runs/9001)'
    );
  });
});

describe('acknowledged base images', () => {
  const stale: Problem = {
    severity: 'warning',
    followUp: true,
    kind: 'Base images no longer republished: rebuilding on them picks up no fixes from them',
    message: 'last published 2023-08-07: rebuilding on it picks up no fixes from it (built on it: cray-smd:2.24.0)',
    where: { image: 'alpine:3.15' }
  };
  const entry = { base: 'alpine:3.15', reason: 'moving to 3.22 in CASMHMS-1', until: '2027-03-01' };

  it('are a notice through their day, out of the failure issue; the warning again from the day after', () => {
    const [held] = acknowledgeBases([stale], [entry], '2027-03-01');
    expect(held).toMatchObject({
      severity: 'notice',
      message: `${stale.message}; acknowledged until 2027-03-01: moving to 3.22 in CASMHMS-1`
    });
    expect(held?.followUp).toBeUndefined();
    const [expired] = acknowledgeBases([stale], [entry], '2027-03-02');
    expect(expired).toMatchObject({
      severity: 'warning',
      followUp: true,
      message: `${stale.message}; its acknowledgement expired on 2027-03-01`
    });
  });

  it('warn once no stale base needs them', () => {
    expect(staleBaseAcknowledgements([], [entry], 'c.yaml')).toEqual([
      expect.objectContaining({ severity: 'warning', where: { file: 'c.yaml', yamlPath: 'acknowledged[0]' } })
    ]);
    expect(staleBaseAcknowledgements([stale], [entry], 'c.yaml')).toEqual([]);
  });
});
