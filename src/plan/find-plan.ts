import type { Configuration } from '../config/configuration.js';
import type { PhaseLog } from '../log.js';
import { findBranchImages, selectTargetBranches } from './branch-images.js';
import { BuildChooser } from './choose-builds.js';
import { mergeFoundImages, PLAN_VERSION, type Plan, type PlannedRepo } from './plan.js';
import type { PlanningApi } from './planning-api.js';
import type { PlanningBudget } from './planning-budget.js';
import type { PlanningPorts } from './planning-ports.js';
import { findTagImages, lookUpTags, NO_TAG_FACTS, type TagFacts } from './tag-facts.js';
import { counted, inNumber } from '../words.js';

export interface FindPlanContext {
  config: Configuration;
  org: string;
  ports: PlanningPorts;
  chartRewrites: readonly { from: string; to: string }[];
  renderCharts: boolean;
  budget: PlanningBudget;
  log: PhaseLog;
  /** The job's clock: the plan's `createdAt`. */
  now: () => number;
}

/** A plan, what was learnt of its tags, the GitHub reader of its repos, and why it is not whole (empty when it is). */
export interface FoundPlan {
  plan: Plan;
  facts: TagFacts;
  github: PlanningApi;
  partial: string[];
}

/**
 * Planning as a pipeline of values: the targeted branches, then the images they ship (docker index,
 * charts) and those of git tags, then what each tag is (commit, workflow files, Dockerfile), then the
 * builds. Each step returns its values and why it is partial; none reads another's state.
 */
export async function findPlan(ctx: FindPlanContext): Promise<FoundPlan> {
  const { config, log } = ctx;
  const branches = await log.group('Product stream branches', () => selectTargetBranches(ctx));
  const fromBranches = await log.group('Images per branch', () => findBranchImages(ctx, branches));
  const partial = new Set(fromBranches.partial);
  // GitHub is asked once the branches have named every image repo: its token holds no other repository
  const imageRepos = [...fromBranches.found.map((f) => f.githubRepo), ...config['non-manifest-images'].map((e) => e['github-repo'])];
  const github = ctx.ports.github([...new Set(imageRepos)].sort());
  const tagImages = await log.group('Images from git tags', () => findTagImages(github, config['non-manifest-images'], log));
  const merged = mergeFoundImages([...fromBranches.found, ...tagImages]);
  // past the deadline nothing more is looked up: the images are named, and the plan is partial
  const late = ctx.budget.deadlinePassed();
  let looked: { repos: PlannedRepo[]; facts: TagFacts };
  if (late) {
    partial.add(late);
    const unresolved = merged.map((repo) => ({
      ...repo,
      images: repo.images.map((image) => ({ ...image, state: 'unresolved' as const, reason: `not looked up: ${late}` }))
    }));
    looked = { repos: unresolved, facts: NO_TAG_FACTS };
  } else looked = await log.group('Git tags', () => lookUpTags(github, merged, ctx.org, log));
  const repos = await log.group('Workflows', () => chooseBuilds(ctx, github, looked));
  const plan: Plan = {
    version: PLAN_VERSION,
    createdAt: new Date(ctx.now()).toISOString(),
    org: ctx.org,
    productStreamRepo: config.configuration['product-stream-repo'],
    branches: fromBranches.branches,
    repos
  };
  return { plan, facts: looked.facts, github, partial: [...partial] };
}

/** The workflow of each image at its tag, and the builds they make; an image no workflow can build is a gap. */
async function chooseBuilds(
  ctx: FindPlanContext,
  github: PlanningApi,
  looked: { repos: PlannedRepo[]; facts: TagFacts }
): Promise<PlannedRepo[]> {
  const { config, log } = ctx;
  const chooser = new BuildChooser(github, config['workflow-overrides'], looked.facts.workflowFiles);
  const chosen = await chooser.choose(looked.repos);
  // an image without a build is a gap: the job reports it, the same way in a dry run and a night (report/gaps.ts)
  if (chosen.noBuilds.length > 0)
    log.info(
      `${counted(chosen.noBuilds.length, 'image')} ${inNumber(chosen.noBuilds.length, 'has', 'have')} no workflow to dispatch at their tag`
    );
  const builds = chosen.repos.reduce((n, r) => n + r.builds.length, 0);
  const images = chosen.repos.reduce((n, r) => n + r.images.filter((i) => i.state === 'resolved').length, 0);
  log.info(
    `${counted(images, 'image')} ${inNumber(images, 'has', 'have')} a workflow to dispatch: ${counted(builds, 'build')} (a workflow at a tag builds once)`
  );
  for (const repo of chosen.repos)
    for (const build of repo.builds)
      log.debug(`${repo.githubRepo} ${build.gitTag}: ${build.workflow.path} (by ${build.chosenBy}) builds ${build.images.join(', ')}`);
  return chosen.repos;
}
