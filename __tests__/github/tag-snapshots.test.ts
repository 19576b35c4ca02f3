import { connect } from '../../src/github/client.js';
import { batchTags, readTagSnapshots, tagSnapshotQuery } from '../../src/github/tag-snapshots.js';
import { ConsoleLog } from '../../src/log.js';
import { GitHubEmulator } from '../support/github-emulator.js';
import { buildWorkflow, commitOf, hmsRepo, ORG } from '../support/sample-stream.js';
import { testHttp } from '../support/network.js';

describe('tag snapshots over GraphQL (real Octokit, emulator running graphql-js)', () => {
  let github: GitHubEmulator;
  beforeAll(async () => {
    const bss = hmsRepo(
      'hms-bss',
      'cray-bss',
      { 'v1.28.0': commitOf('bss-1.28.0'), 'v1.0.0': commitOf('bss-1.0.0') },
      { annotatedTags: ['v1.28.0'], releases: ['v1.28.0', 'v9.9.9'] }
    );
    bss.files = {
      'v1.0.0': { 'README.md': 'old\n' },
      'v1.28.0': { '.github/workflows/build.yaml': buildWorkflow('Build', 'cray-bss'), '.github/workflows/sub/x.yaml': 'nested' }
    };
    github = await new GitHubEmulator({ org: ORG, repos: [bss, hmsRepo('hms-smd', 'cray-smd', { 'v2.23.0': commitOf('smd') })] }).start();
  });
  afterAll(() => github.stop());

  it('reads the commit and the workflow files of tags of several repos in one request', async () => {
    const { graphqlReads } = await connect({
      http: testHttp(),
      apiUrl: github.url,
      org: ORG,
      auth: { kind: 'token', token: 'test-token' },
      log: new ConsoleLog()
    });
    const { snapshots, points } = await readTagSnapshots(graphqlReads, ORG, [
      { repo: 'hms-bss', tag: 'v1.28.0' },
      { repo: 'hms-smd', tag: 'v2.23.0' },
      { repo: 'hms-bss', tag: 'v1.0.0' },
      { repo: 'hms-bss', tag: 'v9.9.9' }
    ]);
    expect(github.requests.filter((r) => r.path === '/graphql')).toHaveLength(1);
    // the query reads its own cost and the points left (GitHub's GraphQL budget)
    expect(points).toEqual({ cost: 1, remaining: 4999, resetAt: expect.any(String) });
    expect(snapshots.map((s) => [s.repo, s.tag, s.commit, s.workflowFiles ? [...s.workflowFiles.keys()] : undefined])).toEqual([
      // the annotated tag resolves to its commit; a folder inside .github/workflows is no workflow
      ['hms-bss', 'v1.28.0', commitOf('bss-1.28.0'), ['.github/workflows/build.yaml']],
      [
        'hms-smd',
        'v2.23.0',
        commitOf('smd'),
        [
          '.github/workflows/build_and_release_image.yaml',
          '.github/workflows/build_and_release_ct_image.yaml',
          '.github/workflows/lint.yaml'
        ]
      ],
      // no .github/workflows at that tag: left for a REST read, which will answer 404
      ['hms-bss', 'v1.0.0', commitOf('bss-1.0.0'), undefined],
      ['hms-bss', 'v9.9.9', undefined, undefined]
    ]);
    expect(snapshots[0]?.workflowFiles?.get('.github/workflows/build.yaml')).toBe(buildWorkflow('Build', 'cray-bss'));
    // the release of a tag comes in the same request; a tag without one (or without a commit) has none
    expect(snapshots.map((s) => s.releaseUrl)).toEqual([
      `https://github.example/${ORG}/hms-bss/releases/tag/v1.28.0`,
      undefined,
      undefined,
      undefined
    ]);
  });

  it('passes tag names as variables, never inside the query text, 50 tags per query', () => {
    const { query, variables } = tagSnapshotQuery(ORG, [{ repo: 'r', tag: 'v1"){ evil }' }]);
    expect(query).not.toContain('evil');
    expect(variables).toMatchObject({ owner: ORG, n0: 'r', r0: 'refs/tags/v1"){ evil }', e0: 'v1"){ evil }:.github/workflows' });
    expect(batchTags(Array.from({ length: 120 }, (_, i) => ({ repo: 'r', tag: `v${i}` }))).map((b) => b.length)).toEqual([50, 50, 20]);
  });
});
