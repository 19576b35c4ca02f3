import { formatDuration } from '../duration.js';
import type { ImageFacts } from '../registry/registry-client.js';
import type { PlannedBuild } from './plan.js';
import { describeUpgrades, type PackageEvidence } from '../packages/package-evidence.js';

/** `always` rebuilds every planned build (the default, as the original tool did); `when-outdated` only those upstream changed. */
export const REBUILD_POLICIES = ['always', 'when-outdated'] as const;
export type RebuildPolicy = (typeof REBUILD_POLICIES)[number];

/** What the registry said of an image or a base, or why it could not say. */
export type RegistryAnswer = ImageFacts | { found: 'unknown'; error: string };

/**
 * A build's decision (plan.schema.json): whether to dispatch it, one line for a person saying why
 * ("built 2026-11-28; golang:1.23-alpine 2026-11-20"), and the evidence it rests on, kept in the
 * plan so every shard dispatches what the plan decided.
 */
export type RebuildDecision = NonNullable<PlannedBuild['decision']>;
/** An image's or a base's evidence: its reference, digest, date, and the base digest it records. */
export type ImageEvidence = RebuildDecision['images'][number];

export interface DecisionInput {
  images: { reference: string; name: string; answer: RegistryAnswer }[];
  /** The external stages of the Dockerfile at the tag, in order; the last is the final stage's base. */
  bases: { reference: string; name: string; answer: RegistryAnswer }[];
  /** Why the bases are not known (no Dockerfile at the tag, a `FROM` with an `ARG` without default); the build is rebuilt. */
  basesUnknown?: string;
  now: number;
  maxAgeMs: number;
  /** What a rebuild would install (package indexes read): upgrades rebuild it; fully modelled and none, max-age does not. */
  packages?: PackageEvidence;
}

const day = (iso: string | undefined): string => (iso ? iso.slice(0, 10) : 'an unknown day');

/** A date a registry gave, as docker writes it (RFC 3339); anything else (`last tuesday`) is no date. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** Dates more than this far ahead of the job's clock are not believed. */
const FUTURE_SLACK_MS = 86_400_000;

/**
 * The time of a registry date, or why it cannot be used. Distroless, ko and bazel images are built
 * reproducibly with `created` at the epoch: that is no date (not a base last published in 1970).
 */
export function registryDate(
  text: string | undefined,
  now: number
): { ok: true; ms: number } | { ok: false; why: 'none' | 'unparseable' | 'future' } {
  if (text === undefined || text === '') return { ok: false, why: 'none' };
  if (!RFC3339.test(text)) return { ok: false, why: 'unparseable' };
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return { ok: false, why: 'unparseable' };
  if (ms <= 0) return { ok: false, why: 'none' };
  if (ms > now + FUTURE_SLACK_MS) return { ok: false, why: 'future' };
  return { ok: true, ms };
}
/** `7 days`, or `36 h` for what is not whole days. */
const age = (ms: number): string => (ms % 86_400_000 === 0 ? `${ms / 86_400_000} days` : formatDuration(ms));

function evidence(reference: string, answer: RegistryAnswer): ImageEvidence {
  if (answer.found !== true) return { reference };
  return {
    reference,
    digest: answer.digest,
    ...(answer.created ? { created: answer.created } : {}),
    ...(answer.baseDigest ? { baseDigest: answer.baseDigest } : {})
  };
}

/**
 * Rebuild when any of these holds: an image is missing; a base was published after an image, or is
 * not the digest the image recorded as its base; an image is older than `max-age`; what the decision
 * needs could not be read (fail open: rebuild). Otherwise the build is up to date.
 */
export function decideRebuild(input: DecisionInput): RebuildDecision {
  const images = input.images.map((i) => evidence(i.reference, i.answer));
  const bases = input.bases.map((b) => evidence(b.reference, b.answer));
  const packages = input.packages ? { packages: input.packages } : {};
  const rebuild = (why: string): RebuildDecision => ({ rebuild: true, why, images, bases, ...packages });
  const dateOf = (name: string, created: string | undefined): number | string => {
    const date = registryDate(created, input.now);
    if (date.ok) return date.ms;
    return date.why === 'none'
      ? `${name} has no build date`
      : `${name} has a build date that cannot be believed (${JSON.stringify((created ?? '').slice(0, 40))}${date.why === 'future' ? ', in the future' : ''})`;
  };
  const built = new Map<string, number>();
  for (const image of input.images) {
    if (image.answer.found === 'unknown') return rebuild(`${image.name} cannot be read from its registry`);
    if (!image.answer.found) return rebuild(`${image.name} is not in the registry`);
    const date = dateOf(image.name, image.answer.created);
    if (typeof date === 'string') return rebuild(date);
    built.set(image.reference, date);
  }
  // every reason that holds, in the order they are weighed: what a rebuild would install first, the reason the action exists
  const reasons: string[] = [];
  if (input.packages && input.packages.upgrades.length > 0) reasons.push(describeUpgrades(input.packages));
  const floating = input.packages?.floating;
  if (floating) reasons.push(`${floating.base} now resolves to ${floating.now}; the image was built on ${floating.built}`);
  if (input.basesUnknown) reasons.push(input.basesUnknown);
  const published = new Map<string, number | undefined>();
  for (const base of input.bases) {
    if (base.answer.found !== true) {
      reasons.push(`base ${base.name} cannot be read from its registry`);
      continue;
    }
    const date = registryDate(base.answer.created, input.now);
    // a base without a date (epoch-dated, reproducible builds) is judged by its digest alone
    if (!date.ok && date.why !== 'none') reasons.push(dateOf(`base ${base.name}`, base.answer.created) as string);
    else published.set(base.reference, date.ok ? date.ms : undefined);
  }
  for (const image of input.images) {
    if (image.answer.found !== true) continue;
    const builtAt = built.get(image.reference) ?? 0;
    for (const base of input.bases) {
      if (base.answer.found !== true) continue;
      const at = published.get(base.reference);
      if (at !== undefined && at > builtAt)
        reasons.push(`${base.name} was published ${day(base.answer.created)}, after ${image.name} was built ${day(image.answer.created)}`);
    }
    const final = input.bases.at(-1);
    const recorded = image.answer.baseDigest;
    if (recorded && final?.answer.found === true && final.answer.digest !== recorded)
      reasons.push(
        `${final.name} moved since ${image.name} was built on it (${recorded.slice(0, 19)}…, now ${final.answer.digest.slice(0, 19)}…)`
      );
    // a fully modelled build with nothing to upgrade is up to date whatever its age: max-age is for what is not modelled
    if (input.now - builtAt > input.maxAgeMs && !input.packages?.modelled)
      reasons.push(
        `${image.name} was built ${day(image.answer.created)}, more than ${age(input.maxAgeMs)} ago (max-age)` +
          (input.packages?.why ? `; not modelled: ${input.packages.why}` : '')
      );
  }
  const [first] = reasons;
  if (first !== undefined) return { ...rebuild(first), ...(reasons.length > 1 ? { reasons } : {}) };
  const builtOn = input.images.map((i) => (i.answer.found === true ? `built ${day(i.answer.created)}` : '')).find(Boolean) ?? '';
  const baseDays = input.bases.map((b) => `${b.name} ${b.answer.found === true ? day(b.answer.created) : '?'}`);
  const modelled = input.packages?.modelled ? ['no package would upgrade'] : [];
  return { rebuild: false, why: [builtOn, baseDays.join(', '), ...modelled].filter(Boolean).join('; '), images, bases, ...packages };
}

/** Bases not published for longer than `staleDays`: rebuilding on them picks up no fixes from them. */
export function staleBases(
  decided: readonly { image: string; bases: readonly ImageEvidence[]; names: ReadonlyMap<string, string> }[],
  now: number,
  staleDays: number
): { base: string; published: string; images: string[] }[] {
  const byBase = new Map<string, { base: string; published: string; images: string[] }>();
  for (const { image, bases, names } of decided)
    for (const base of bases) {
      const date = registryDate(base.created, now);
      if (!date.ok || now - date.ms <= staleDays * 86_400_000) continue;
      const entry = byBase.get(base.reference) ?? {
        base: names.get(base.reference) ?? base.reference,
        published: day(base.created),
        images: []
      };
      if (!entry.images.includes(image)) entry.images.push(image);
      byBase.set(base.reference, entry);
    }
  return [...byBase.values()];
}
