import type { Plan, PlannedRepo } from '../../src/plan/plan.js';
import { buildKey, planBuilds, planImages } from '../../src/plan/plan.js';
import { assignShards, parseShard, shardOf } from '../../src/plan/shard.js';

/** A plan whose repo i has `sizes[i]` builds, one image each, and one image without a build. */
function planWith(sizes: number[]): Plan {
  const repos: PlannedRepo[] = sizes.map((n, r) => {
    const githubRepo = `repo-${String(r).padStart(2, '0')}`;
    const images = Array.from({ length: n + 1 }, (_, i) => ({
      githubRepo,
      fullImage: `reg/${githubRepo}:1.${i}.0`,
      repository: `reg/${githubRepo}`,
      name: githubRepo,
      tag: `1.${i}.0`,
      gitTag: `v1.${i}.0`,
      branches: ['release/1.6'],
      sources: [],
      state: i < n ? ('resolved' as const) : ('unresolved' as const),
      ...(i < n ? { commit: 'a'.repeat(40) } : { reason: 'tag missing' })
    }));
    const builds = images
      .filter((i) => i.state === 'resolved')
      .map((i) => ({
        githubRepo,
        gitTag: i.gitTag,
        commit: 'a'.repeat(40),
        workflow: { id: 1, name: 'Build', path: '.github/workflows/build.yaml' },
        chosenBy: 'image-name' as const,
        images: [i.fullImage]
      }));
    return { githubRepo, images, builds };
  });
  return { version: 3, createdAt: '2026-11-26T06:00:00.000Z', org: 'Cray-HPE', productStreamRepo: 'csm', branches: [], repos };
}

describe('shards of a plan', () => {
  it('reads K/N and refuses anything else with the input named', () => {
    expect(parseShard('2/3', 'input shard')).toEqual({ index: 2, count: 3 });
    expect(parseShard(' 1 / 1 ', 'input shard')).toEqual({ index: 1, count: 1 });
    expect(parseShard('', 'input shard')).toBeUndefined();
    for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0', '-1/2'])
      expect(() => parseShard(bad, 'input shard')).toThrow(`input shard must be K/N with 1 ≤ K ≤ N (say 2/3), not "${bad}"`);
  });

  it('splits whole repos, balanced by build count, the same way every time', () => {
    const sizes = [9, 1, 4, 4, 3, 2, 2, 7, 1, 0, 5];
    const plan = planWith(sizes);
    const assignment = assignShards(plan.repos, 3);
    expect(assignShards([...plan.repos].reverse(), 3)).toEqual(assignment);
    const loads = [1, 2, 3].map((k) => planBuilds(shardOf(plan, { index: k, count: 3 })).length);
    expect(loads.reduce((a, b) => a + b, 0)).toBe(38);
    // greedy largest-first: no shard is more than the largest repo away from the others
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
  });

  it('gives every build and every image to exactly one shard, for N = 1 to 7', () => {
    const plan = planWith([12, 1, 1, 3, 8, 2, 2, 5, 1, 6, 0, 4, 2]);
    for (let n = 1; n <= 7; n++) {
      const shards = Array.from({ length: n }, (_, k) => shardOf(plan, { index: k + 1, count: n }));
      const builds = shards.flatMap((s) => planBuilds(s).map(buildKey));
      expect(builds.sort()).toEqual(planBuilds(plan).map(buildKey).sort());
      const images = shards.flatMap((s) => planImages(s).map((i) => i.fullImage));
      expect(images.sort()).toEqual(
        planImages(plan)
          .map((i) => i.fullImage)
          .sort()
      );
      for (const [k, shard] of shards.entries()) expect(shard.shard).toEqual({ index: k + 1, count: n });
    }
  });
});
