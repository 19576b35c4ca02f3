import type { Acknowledgement } from '../config/configuration.js';
import type { BuildResult } from '../dispatch/build-result.js';
import { resultFor } from '../dispatch/build-result.js';
import type { Problem } from '../log.js';
import type { Plan, PlannedImage } from '../plan/plan.js';
import { planImages } from '../plan/plan.js';

/** `cray-smd:1.20.10`: how an acknowledgement names an image. */
export function acknowledgedName(image: Pick<PlannedImage, 'name' | 'tag'>): string {
  return `${image.name}:${image.tag}`;
}

function matches(entry: Acknowledgement, image: PlannedImage): boolean {
  return entry.image === acknowledgedName(image) && (entry['github-repo'] === undefined || entry['github-repo'] === image.githubRepo);
}

/**
 * The result of each gap of a plan: an image it ships that cannot be rebuilt at its tag (no tag,
 * no workflow, no `workflow_dispatch` there). A gap is `not-dispatched`, an error, in the dry run
 * and in the night alike; acknowledged (configuration `acknowledged`) it is `acknowledged`, a
 * notice, through its `until` day (UTC), and an error again from the day after.
 */
export function gapResults(plan: Plan, acknowledged: readonly Acknowledgement[], today: string): BuildResult[] {
  return planImages(plan)
    .filter((image) => image.state === 'unresolved')
    .map((image) => {
      const why = image.reason ?? 'no build';
      const entry = acknowledged.find((a) => matches(a, image));
      if (!entry) return resultFor(image, 'not-dispatched', why);
      if (entry.until < today)
        return resultFor(image, 'not-dispatched', `acknowledgement of ${entry.image} expired on ${entry.until}: ${why}`);
      return resultFor(image, 'acknowledged', `${why}; acknowledged until ${entry.until}: ${entry.reason}`);
    });
}

/** Acknowledgements that no gap of the whole plan needs any more: a warning each, naming the entry. */
export function staleAcknowledgements(plan: Plan, acknowledged: readonly Acknowledgement[], file: string): Problem[] {
  const images = planImages(plan);
  return acknowledged.flatMap((entry, i): Problem[] => {
    if (entry.image === undefined) return [];
    const named = images.filter((image) => matches(entry, image));
    if (named.some((image) => image.state === 'unresolved')) return [];
    const why = named.length === 0 ? 'matches no image of the plan' : 'is rebuilt now: its gap is gone';
    return [
      {
        severity: 'warning',
        kind: 'Acknowledgements no longer needed: remove them',
        message: `acknowledgement of ${entry.image} ${why}; remove it`,
        where: { file, yamlPath: `acknowledged[${i}]` }
      }
    ];
  });
}

/**
 * The follow-ups (a base image no longer republished) a person acknowledged (`acknowledged` with
 * `base`): a notice through `until`, and out of the failure issue; from the day after, the warning again.
 */
export function acknowledgeBases(problems: readonly Problem[], acknowledged: readonly Acknowledgement[], today: string): Problem[] {
  return problems.map((p): Problem => {
    const entry = p.followUp && p.where?.image ? acknowledged.find((a) => a.base === p.where?.image) : undefined;
    if (!entry) return p;
    if (entry.until < today) return { ...p, message: `${p.message}; its acknowledgement expired on ${entry.until}` };
    return {
      severity: 'notice',
      kind: 'Acknowledged base images',
      message: `${p.message}; acknowledged until ${entry.until}: ${entry.reason}`,
      ...(p.where ? { where: p.where } : {})
    };
  });
}

/** Base acknowledgements no stale base of this run needs (once rebuild decisions looked at bases): a warning each. */
export function staleBaseAcknowledgements(problems: readonly Problem[], acknowledged: readonly Acknowledgement[], file: string): Problem[] {
  const stale = new Set(problems.filter((p) => p.followUp || p.kind === 'Acknowledged base images').map((p) => p.where?.image));
  return acknowledged.flatMap((entry, i): Problem[] =>
    entry.base === undefined || stale.has(entry.base)
      ? []
      : [
          {
            severity: 'warning',
            kind: 'Acknowledgements no longer needed: remove them',
            message: `acknowledgement of base ${entry.base} matches no base image warned of as no longer republished; remove it`,
            where: { file, yamlPath: `acknowledged[${i}]` }
          }
        ]
  );
}

/** The builds `rebuild: when-outdated` found up to date: not dispatched, each image `up-to-date` with why. */
export function upToDateResults(plan: Plan): BuildResult[] {
  const images = new Map(planImages(plan).map((i) => [`${i.githubRepo}\u0000${i.fullImage}`, i]));
  return plan.repos.flatMap((repo) =>
    repo.builds
      .filter((b) => b.decision?.rebuild === false)
      .flatMap((b) =>
        b.images.flatMap((fullImage) => {
          const image = images.get(`${repo.githubRepo}\u0000${fullImage}`);
          return image
            ? [
                {
                  ...resultFor(image, 'up-to-date', b.decision?.why),
                  workflow: { id: b.workflow.id, name: b.workflow.name, path: b.workflow.path }
                }
              ]
            : [];
        })
      )
  );
}

/** The plan less the builds found up to date: what is dispatched. */
export function buildsToDispatch(plan: Plan): Plan {
  return { ...plan, repos: plan.repos.map((repo) => ({ ...repo, builds: repo.builds.filter((b) => b.decision?.rebuild !== false) })) };
}

/** Every result of a job in plan order: the builds' results and the gaps' results, one per image. */
export function inPlanOrder(plan: Plan, ...lists: readonly (readonly BuildResult[])[]): BuildResult[] {
  const byImage = new Map(lists.flat().map((r) => [`${r.githubRepo}\u0000${r.fullImage}`, r]));
  return planImages(plan).flatMap((image) => byImage.get(`${image.githubRepo}\u0000${image.fullImage}`) ?? []);
}
