import { formatDuration } from '../duration.js';
import type { ImageFacts } from '../registry/registry-client.js';

/** `always` rebuilds every planned build (the default, as the original tool did); `when-outdated` only those upstream changed. */
export const REBUILD_POLICIES = ['always', 'when-outdated'] as const;
export type RebuildPolicy = (typeof REBUILD_POLICIES)[number];

/** What the registry said of an image or a base, or why it could not say. */
export type RegistryAnswer = ImageFacts | { found: 'unknown'; error: string };

/** The evidence a decision rests on, kept in the plan so every shard dispatches what the plan decided. */
export interface ImageEvidence {
  /** `registry/path/name:tag` */
  reference: string;
  digest?: string;
  created?: string;
  /** The base digest the image records (`org.opencontainers.image.base.digest`). */
  baseDigest?: string;
}

export interface RebuildDecision {
  rebuild: boolean;
  /** One line for a person: why it is rebuilt, or why it is up to date ("built 2026-11-28; golang:1.23-alpine 2026-11-20"). */
  why: string;
  images: ImageEvidence[];
  bases: ImageEvidence[];
}

export interface DecisionInput {
  images: { reference: string; name: string; answer: RegistryAnswer }[];
  /** The external stages of the Dockerfile at the tag, in order; the last is the final stage's base. */
  bases: { reference: string; name: string; answer: RegistryAnswer }[];
  /** Why the bases are not known (no Dockerfile at the tag, a `FROM` with an `ARG` without default); the build is rebuilt. */
  basesUnknown?: string;
  now: number;
  maxAgeMs: number;
}

const day = (iso: string | undefined): string => (iso ? iso.slice(0, 10) : 'an unknown day');
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
  const rebuild = (why: string): RebuildDecision => ({ rebuild: true, why, images, bases });
  for (const image of input.images) {
    if (image.answer.found === 'unknown') return rebuild(`${image.name} cannot be read from its registry`);
    if (!image.answer.found) return rebuild(`${image.name} is not in the registry`);
    if (!image.answer.created) return rebuild(`${image.name} has no build date`);
  }
  if (input.basesUnknown) return rebuild(input.basesUnknown);
  for (const base of input.bases) if (base.answer.found !== true) return rebuild(`base ${base.name} cannot be read from its registry`);
  for (const image of input.images) {
    if (image.answer.found !== true) continue;
    const built = Date.parse(image.answer.created ?? '');
    for (const base of input.bases) {
      if (base.answer.found !== true) continue;
      const published = Date.parse(base.answer.created ?? '');
      if (published > built)
        return rebuild(
          `${base.name} was published ${day(base.answer.created)}, after ${image.name} was built ${day(image.answer.created)}`
        );
    }
    const final = input.bases.at(-1);
    const recorded = image.answer.baseDigest;
    if (recorded && final?.answer.found === true && final.answer.digest !== recorded)
      return rebuild(
        `${final.name} moved since ${image.name} was built on it (${recorded.slice(0, 19)}…, now ${final.answer.digest.slice(0, 19)}…)`
      );
    if (input.now - built > input.maxAgeMs)
      return rebuild(`${image.name} was built ${day(image.answer.created)}, more than ${age(input.maxAgeMs)} ago (max-age)`);
  }
  const builtOn = input.images.map((i) => (i.answer.found === true ? `built ${day(i.answer.created)}` : '')).find(Boolean) ?? '';
  const baseDays = input.bases.map((b) => `${b.name} ${b.answer.found === true ? day(b.answer.created) : '?'}`);
  return { rebuild: false, why: [builtOn, baseDays.join(', ')].filter(Boolean).join('; '), images, bases };
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
      if (!base.created || now - Date.parse(base.created) <= staleDays * 86_400_000) continue;
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
