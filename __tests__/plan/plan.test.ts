import type { FoundImage } from '../../src/plan/found-image.js';
import { splitImageReference } from '../../src/plan/found-image.js';
import { applyTagResolutions, gitTagFor, mergeFoundImages, tagKey, tagsToResolve } from '../../src/plan/plan.js';

const chart = (branch: string, releaseName = 'cray-hms-smd'): FoundImage['source'] => ({
  kind: 'chart',
  branch,
  file: 'manifests/core-services.yaml',
  chart: 'cray-hms-smd',
  version: '7.1.18',
  releaseName
});

describe('plan', () => {
  const found: FoundImage[] = [
    { repository: 'reg/cray-smd', tag: '2.23.0', githubRepo: 'hms-smd', source: chart('release/1.6') },
    { repository: 'reg/cray-smd', tag: '2.23.0', githubRepo: 'hms-smd', source: chart('release/1.5') },
    { repository: 'reg/cray-smd', tag: '2.23.0', githubRepo: 'hms-smd', source: chart('release/1.5') },
    { repository: 'reg/cray-smd-test', tag: '2.23.0', githubRepo: 'hms-smd', source: chart('release/1.6') },
    {
      repository: 'reg/hms-shcd-parser',
      tag: '1.9.0',
      githubRepo: 'hms-shcd-parser',
      source: { kind: 'docker-index', branch: 'release/1.6', file: 'docker/index.yaml' }
    },
    {
      repository: 'reg/hms-test',
      tag: '3.1.0',
      githubRepo: 'hms-test',
      commit: 'c'.repeat(40),
      source: { kind: 'git-tag', repo: 'hms-test' }
    }
  ];

  it('makes one entry per image, listing every branch and source once', () => {
    const repos = mergeFoundImages(found);
    expect(repos.map((r) => r.githubRepo)).toEqual(['hms-shcd-parser', 'hms-smd', 'hms-test']);
    const smd = repos[1]?.images ?? [];
    expect(smd.map((i) => [i.name, i.fullImage, i.gitTag, i.branches])).toEqual([
      ['cray-smd', 'reg/cray-smd:2.23.0', 'v2.23.0', ['release/1.6', 'release/1.5']],
      ['cray-smd-test', 'reg/cray-smd-test:2.23.0', 'v2.23.0', ['release/1.6']]
    ]);
    expect(smd[0]?.sources).toHaveLength(2);
    expect(repos[2]?.images[0]?.commit).toBe('c'.repeat(40));
  });

  it('looks up each (repo, tag) once, and none that a tag listing already resolved', () => {
    expect(tagsToResolve(mergeFoundImages(found))).toEqual([
      { githubRepo: 'hms-shcd-parser', gitTag: 'v1.9.0' },
      { githubRepo: 'hms-smd', gitTag: 'v2.23.0' }
    ]);
  });

  it('marks images whose tag is missing as unresolved', () => {
    const resolutions = new Map([
      [tagKey('hms-smd', 'v2.23.0'), { ok: true as const, commit: 'a'.repeat(40) }],
      [tagKey('hms-shcd-parser', 'v1.9.0'), { ok: false as const, reason: 'tag v1.9.0 does not exist' }]
    ]);
    const repos = applyTagResolutions(mergeFoundImages(found), resolutions);
    expect(repos[0]?.images[0]).toMatchObject({ state: 'unresolved', reason: 'tag v1.9.0 does not exist' });
    expect(repos[1]?.images.every((i) => i.state === 'resolved' && i.commit === 'a'.repeat(40))).toBe(true);
  });

  it('derives git tags and splits image references', () => {
    expect(gitTagFor('1.9.0')).toBe('v1.9.0');
    expect(gitTagFor('v0.1.12')).toBe('v0.1.12');
    expect(splitImageReference('reg:5000/a/b:1.0')).toEqual({ repository: 'reg:5000/a/b', tag: '1.0' });
    expect(splitImageReference('reg:5000/a/b')).toBeUndefined();
    expect(splitImageReference('a/b:1.0@sha256:ff')).toEqual({ repository: 'a/b', tag: '1.0' });
  });
});
