import type { Plan, PlannedRepo, Shard } from './plan.js';

/** `K/N` with 1 ≤ K ≤ N, or an error naming the input. */
export function parseShard(text: string, name: string): Shard | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const match = /^(\d+)\s*\/\s*(\d+)$/.exec(t);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || index < 1 || count < 1 || index > count) throw new Error(`${name} must be K/N with 1 ≤ K ≤ N (say 2/3), not "${text}"`);
  return { index, count };
}

/**
 * Which shard (1…N) each repo of the plan goes to: whole repos together (one repo's builds share
 * its run listings), balanced by build count. Repos are taken largest first (ties by name) and each
 * goes to the shard with the fewest builds so far (ties: the lowest number), so every job that reads
 * the same plan computes the same split.
 */
export function assignShards(repos: readonly Pick<PlannedRepo, 'githubRepo' | 'builds'>[], count: number): Map<string, number> {
  const loads = Array.from({ length: count }, () => 0);
  const assignment = new Map<string, number>();
  const order = [...repos].sort(
    (a, b) => b.builds.length - a.builds.length || (a.githubRepo < b.githubRepo ? -1 : a.githubRepo > b.githubRepo ? 1 : 0)
  );
  for (const repo of order) {
    let best = 0;
    for (let i = 1; i < count; i++) if ((loads[i] ?? 0) < (loads[best] ?? 0)) best = i;
    loads[best] = (loads[best] ?? 0) + repo.builds.length;
    assignment.set(repo.githubRepo, best + 1);
  }
  return assignment;
}

/** Shard K of N of a plan: the repos assigned to it, with their images and builds; branches stay (the report counts per release). */
export function shardOf(plan: Plan, shard: Shard): Plan {
  const assignment = assignShards(plan.repos, shard.count);
  return { ...plan, shard, repos: plan.repos.filter((r) => assignment.get(r.githubRepo) === shard.index) };
}
