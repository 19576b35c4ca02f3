import type { Configuration } from '../config/configuration.js';
import { errorMessage, rethrowIfFatal } from '../errors.js';
import type { Problem } from '../log.js';
import { BuildChooser } from './choose-builds.js';
import type { Plan, PlannedBuild, PlannedRepo } from './plan.js';
import { tagKey } from './plan.js';
import type { PlanningApi } from './planning-api.js';

/** The repos the configuration maps images to, and the charts it names (a chart's images are its repo's). */
export function configuredRepos(config: Configuration): { repos: Set<string>; charts: Set<string> } {
  return {
    repos: new Set([
      ...config['github-repo-image-lookup'].map((e) => e['github-repo']),
      ...config['non-manifest-images'].map((e) => e['github-repo']),
      ...config['workflow-overrides'].flatMap((e) => (e['github-repo'] ? [e['github-repo']] : []))
    ]),
    charts: new Set(config['helm-repo-lookup'].map((e) => e.chart))
  };
}

/** Why a build of a plan file breaks the configuration's rules, or undefined (the pure part of the check). */
export function repoRuleBroken(
  repo: PlannedRepo,
  build: PlannedBuild,
  allowed: { repos: ReadonlySet<string>; charts: ReadonlySet<string> }
): string | undefined {
  if (allowed.repos.has(build.githubRepo)) return undefined;
  // a repo found through a chart: every image it builds came from a chart the configuration names
  const fromCharts = build.images.every((reference) => {
    const image = repo.images.find((i) => i.fullImage === reference);
    return image?.sources.some((s) => s.kind === 'chart' && allowed.charts.has(s.chart)) ?? false;
  });
  return fromCharts ? undefined : `${build.githubRepo} is not a repo the configuration maps an image to`;
}

/**
 * A plan file is a proposal, never an authority (it travels as an artifact that a pull request can
 * write). Before `from-plan` dispatches, every build is checked against the configuration the job
 * runs with: its repo is one the configuration maps an image to; its ref is a tag of that repo, at
 * the commit the plan recorded; and its workflow is the one the configuration's rules choose for its
 * images at that tag (the workflow files read at the tag, one GraphQL snapshot per repo and tag).
 * A build that fails is an error naming it and the rule, and is left out; the rest go on.
 */
export async function verifyPlan(plan: Plan, config: Configuration, api: PlanningApi): Promise<{ plan: Plan; problems: Problem[] }> {
  const allowed = configuredRepos(config);
  const problems: Problem[] = [];
  const refuse = (build: PlannedBuild, rule: string): void => {
    problems.push({
      severity: 'error',
      kind: 'Builds of the plan file refused: this configuration would not dispatch them',
      message: `from-plan: build ${build.githubRepo} ${build.gitTag} (${build.workflow.path}) is not dispatched: ${rule}`,
      where: { repo: build.githubRepo, tag: build.gitTag }
    });
  };
  const candidates = plan.repos.flatMap((repo) =>
    repo.builds.filter((build) => {
      const broken = repoRuleBroken(repo, build, allowed);
      if (broken) refuse(build, broken);
      return !broken;
    })
  );
  const pairs = [...new Map(candidates.map((b) => [tagKey(b.githubRepo, b.gitTag), { repo: b.githubRepo, tag: b.gitTag }])).values()];
  const snapshots = new Map<string, { commit: string | undefined; files: Map<string, string> | undefined }>();
  try {
    for (const s of pairs.length > 0 ? await api.readTagSnapshots(pairs) : [])
      snapshots.set(tagKey(s.repo, s.tag), { commit: s.commit, files: s.workflowFiles });
  } catch (error) {
    rethrowIfFatal(error);
    for (const build of candidates) refuse(build, `its tag and workflow cannot be checked (${errorMessage(error)})`);
    return { plan: { ...plan, repos: plan.repos.map((r) => ({ ...r, builds: [] })) }, problems };
  }
  const filesAtTags = new Map<string, Map<string, string>>();
  for (const [key, s] of snapshots) if (s.files) filesAtTags.set(key, s.files);
  const kept = new Set<PlannedBuild>();
  const tagged = candidates.filter((build) => {
    const snapshot = snapshots.get(tagKey(build.githubRepo, build.gitTag));
    if (!snapshot?.commit) {
      refuse(build, `${build.gitTag} is not a tag of ${build.githubRepo} (a plan dispatches tags, never branches)`);
      return false;
    }
    if (build.commit && snapshot.commit !== build.commit) {
      refuse(
        build,
        `tag ${build.gitTag} is now at ${snapshot.commit.slice(0, 12)}, not the ${build.commit.slice(0, 12)} the plan recorded`
      );
      return false;
    }
    return true;
  });
  // the configuration's rules, run again on the plan's images at their tags
  const chooser = new BuildChooser(api, config['workflow-overrides'], filesAtTags);
  const again = await chooser.choose(
    plan.repos.map((repo) => ({
      ...repo,
      images: repo.images.filter(
        (i) => i.state === 'resolved' && tagged.some((b) => b.githubRepo === repo.githubRepo && b.images.includes(i.fullImage))
      ),
      builds: []
    }))
  );
  const chosen = new Map<string, number>();
  for (const repo of again.repos) for (const build of repo.builds) for (const image of build.images) chosen.set(image, build.workflow.id);
  for (const build of tagged) {
    const wrong = build.images.find((image) => chosen.get(image) !== build.workflow.id);
    if (wrong === undefined) kept.add(build);
    else {
      const id = chosen.get(wrong);
      refuse(
        build,
        id === undefined
          ? `the configuration's rules choose no workflow for ${wrong} at ${build.gitTag}`
          : `the configuration's rules choose workflow ${id} for ${wrong} at ${build.gitTag}, not ${build.workflow.id}`
      );
    }
  }
  const repos = plan.repos.map((repo) => {
    const builds = repo.builds.filter((b) => kept.has(b));
    const dropped = new Set(repo.builds.filter((b) => !kept.has(b)).flatMap((b) => b.images));
    return { ...repo, builds, images: repo.images.filter((i) => !dropped.has(i.fullImage)) };
  });
  return { plan: { ...plan, repos }, problems };
}
