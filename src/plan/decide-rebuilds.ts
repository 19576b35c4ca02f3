import { errorMessage, rethrowIfFatal } from '../errors.js';
import type { PhaseLog } from '../log.js';
import { formatImageReference, parseImageReference, shortImageName, type ImageReference } from '../registry/image-reference.js';
import type { ImageFacts } from '../registry/registry-client.js';
import { dockerfileBases } from './dockerfile.js';
import type { Plan, PlannedBuild } from './plan.js';
import type { PlanningBudget } from './planning-budget.js';
import { decideRebuild, staleBases, type RebuildDecision, type RegistryAnswer } from './rebuild-decision.js';
import { counted, inNumber } from '../words.js';
import { packageEvidence, type PackageEvidence, type PackageReading } from '../packages/package-evidence.js';

/** The registry as deciding a rebuild reads it; src/registry implements it. */
export interface ImageRegistry {
  /** What the registry holds of an image; throws when the registry cannot be read (the message names image and registry). */
  imageFacts(ref: ImageReference): Promise<ImageFacts>;
}

export interface RebuildContext {
  registry: ImageRegistry;
  /** A file at a tag (the Dockerfile); undefined when it is not there. */
  readFile(repo: string, path: string, tag: string): Promise<string | undefined>;
  now: number;
  maxAgeMs: number;
  staleBaseDays: number;
  /** External bases read per Dockerfile (configuration.limits.dockerfile-bases). */
  maxBases: number;
  /** Planning's budget: a build not decided by its deadline is rebuilt, and said so once. */
  budget?: Pick<PlanningBudget, 'deadlinePassed'>;
  /** Package indexes and image layers: what a rebuild would install. Without them, dates alone decide. */
  packages?: PackageReading;
  log: PhaseLog;
}

/**
 * `rebuild: when-outdated`: each build of the plan gets its decision, with the registry's evidence:
 * its Dockerfile at the tag gives the bases, the registry the images' and the bases' digests and
 * dates. What cannot be read is rebuilt, with a warning naming it; a base not republished for
 * `staleBaseDays` is one warning naming the images built on it.
 */
export async function decideRebuilds(plan: Plan, ctx: RebuildContext): Promise<Plan> {
  const warned = new Set<string>();
  const warn = (message: string, where: { repo?: string; tag?: string; image?: string } = {}): void => {
    if (warned.has(message)) return;
    warned.add(message);
    ctx.log.problem({ severity: 'warning', kind: 'Builds rebuilt because whether they are up to date cannot be known', message, where });
  };
  const answerOf = async (ref: ImageReference, where: { repo: string; tag: string }): Promise<RegistryAnswer> => {
    try {
      return await ctx.registry.imageFacts(ref);
    } catch (error) {
      rethrowIfFatal(error);
      warn(`${errorMessage(error)}: rebuilt, since whether it is up to date cannot be known`, where);
      return { found: 'unknown', error: errorMessage(error) };
    }
  };
  // images whose packages cannot be read: one warning for the run, naming each
  const unreadable: { image: string; why: string }[] = [];
  const late = (): boolean => ctx.budget?.deadlinePassed() !== undefined;
  const undecided = (build: PlannedBuild): PlannedBuild => {
    warn(
      'the planning deadline passed (configuration.limits.planning-minutes) before every rebuild was decided: the builds left are rebuilt'
    );
    const images = build.images.map((reference) => ({ reference }));
    return { ...build, decision: { rebuild: true, why: 'not decided: the planning deadline passed', images, bases: [] } };
  };
  const decideBuild = async (build: PlannedBuild): Promise<PlannedBuild> => {
    if (late()) return undecided(build);
    const where = { repo: build.githubRepo, tag: build.gitTag };
    const bases = await basesOf(build, ctx, (message) => warn(message, where));
    const images = await Promise.all(
      build.images.map(async (image) => {
        const ref = parseImageReference(image);
        const name = ref ? shortImageName(ref) : image;
        return {
          reference: image,
          name,
          answer: ref ? await answerOf(ref, where) : ({ found: 'unknown', error: 'not an image reference' } as const)
        };
      })
    );
    const baseAnswers = await Promise.all(
      bases.refs.map(async (ref) => ({
        reference: formatImageReference(ref),
        name: shortImageName(ref),
        answer: await answerOf(ref, where)
      }))
    );
    const packages = await packagesOf(
      images,
      bases.text,
      ctx,
      (message) => warn(message, where),
      (why) => unreadable.push({ image: images[0]?.name ?? build.githubRepo, why })
    );
    // a registry that drips may have taken the planning's time: what is decided past the deadline is not trusted to wait
    if (late()) return undecided(build);
    const decision = decideRebuild({
      images,
      bases: baseAnswers,
      ...(bases.unknown ? { basesUnknown: bases.unknown } : {}),
      now: ctx.now,
      maxAgeMs: ctx.maxAgeMs,
      ...(packages ? { packages } : {})
    });
    for (const reason of decision.reasons ?? [decision.why])
      if (reason.includes('cannot be believed')) warn(`${reason}: rebuilt, since whether it is up to date cannot be known`, where);
    return { ...build, decision };
  };
  const repos = await Promise.all(plan.repos.map(async (repo) => ({ ...repo, builds: await Promise.all(repo.builds.map(decideBuild)) })));
  const decided: Plan = { ...plan, repos };
  warnOfStaleBases(decided, ctx);
  if (unreadable.length > 0)
    ctx.log.problem({
      severity: 'warning',
      kind: 'Images whose packages cannot be read: max-age decides them',
      message:
        `${counted(unreadable.length, 'image')} ${inNumber(unreadable.length, 'is', 'are')} not modelled, since what ${inNumber(unreadable.length, 'it holds', 'they hold')} cannot be read, ` +
        `so max-age decides ${inNumber(unreadable.length, 'it', 'them')}: ` +
        unreadable
          .slice(0, 10)
          .map((u) => `${u.image} (${u.why})`)
          .join('; ') +
        (unreadable.length > 10 ? `; and ${unreadable.length - 10} more (in the plan file)` : '')
    });
  const builds = repos.flatMap((r) => r.builds);
  const upToDate = builds.filter((b) => b.decision && !b.decision.rebuild).length;
  ctx.log.info(
    `rebuild when outdated: ${builds.length - upToDate} of ${counted(builds.length, 'build')} to dispatch, ${upToDate} up to date`
  );
  return decided;
}

/**
 * What a rebuild would install for a build, read from its first image (the images of one build
 * share a Dockerfile's final chain); undefined without package reading, or when the image is not
 * there. An index that cannot be read is one warning naming it; the build falls back to dates.
 */
async function packagesOf(
  images: readonly { reference: string; answer: RegistryAnswer }[],
  dockerfile: string | undefined,
  ctx: RebuildContext,
  warn: (message: string) => void,
  cannotRead: (why: string) => void
): Promise<PackageEvidence | undefined> {
  const reading = ctx.packages;
  const first = images[0];
  const ref = first ? parseImageReference(first.reference) : undefined;
  if (!reading || !ref || first?.answer.found !== true) return undefined;
  try {
    const { evidence, warnings, unreadable } = await packageEvidence(reading, ref, dockerfile);
    for (const message of warnings) warn(message);
    if (unreadable) cannotRead(unreadable);
    return evidence;
  } catch (error) {
    rethrowIfFatal(error);
    return { modelled: false, why: errorMessage(error), upgrades: [], unmodelled: [] };
  }
}

/** The bases of a build's Dockerfile at its tag, or why they are not known (then it is rebuilt). */
async function basesOf(
  build: PlannedBuild,
  ctx: RebuildContext,
  warn: (message: string) => void
): Promise<{ refs: ImageReference[]; unknown?: string; text?: string }> {
  const path = build.dockerfile ?? 'Dockerfile';
  let text: string | undefined;
  try {
    text = await ctx.readFile(build.githubRepo, path, build.gitTag);
  } catch (error) {
    rethrowIfFatal(error);
    const unknown = `${path} at ${build.gitTag} cannot be read (${errorMessage(error)})`;
    warn(`${unknown}: rebuilt`);
    return { refs: [], unknown };
  }
  if (text === undefined) {
    const unknown = `no ${path} at ${build.gitTag}, so its bases are not known`;
    warn(`${unknown}: rebuilt`);
    return { refs: [], unknown };
  }
  const found = dockerfileBases(text, ctx.maxBases);
  if (found.truncated) {
    const unknown = `${path} at ${build.gitTag} names more than ${ctx.maxBases} bases (configuration.limits.dockerfile-bases)`;
    warn(`${unknown}: its bases are not read, and it is rebuilt`);
    return { refs: [], unknown };
  }
  for (const line of found.unresolved) warn(`${path}: "${line}" names an ARG without a default: its base is not known, so it is rebuilt`);
  const refs: ImageReference[] = [];
  for (const base of found.bases) {
    const ref = parseImageReference(base);
    if (ref) refs.push(ref);
    else warn(`${path}: "${base}" is not an image reference: rebuilt`);
  }
  const unknown =
    found.unresolved.length > 0 || refs.length < found.bases.length ? `${path} names a base that cannot be resolved` : undefined;
  return unknown ? { refs, unknown, text } : { refs, text };
}

/**
 * One warning per base not republished for `staleBaseDays`, naming the images built on it; the
 * failure issue follows it. The final base of an image on a frozen distribution branch is left out:
 * the Frozen section says it, with what only a new base fixes.
 */
function warnOfStaleBases(plan: Plan, ctx: RebuildContext): void {
  const decided = plan.repos.flatMap((repo) =>
    repo.builds
      .filter((b): b is PlannedBuild & { decision: RebuildDecision } => b.decision !== undefined)
      .flatMap((b) =>
        b.images.map((image) => {
          const ref = parseImageReference(image);
          const names = new Map(b.decision.bases.map((base) => [base.reference, nameOf(base.reference)]));
          // an image on a frozen distribution branch is said in the Frozen section: its final base is not a stale-base warning too
          const bases = b.decision.packages?.frozen ? b.decision.bases.slice(0, -1) : b.decision.bases;
          return { image: ref ? shortImageName(ref) : image, bases, names };
        })
      )
  );
  for (const stale of staleBases(decided, ctx.now, ctx.staleBaseDays))
    ctx.log.problem({
      severity: 'warning',
      followUp: true,
      kind: 'Base images no longer republished: rebuilding on them picks up no fixes from them',
      message: `last published ${stale.published}: rebuilding on it picks up no fixes from it (built on it: ${stale.images.join(', ')})`,
      where: { image: stale.base }
    });
}

function nameOf(reference: string): string {
  const ref = parseImageReference(reference);
  return ref ? shortImageName(ref) : reference;
}
