import type { PlannedImage } from './plan.js';
/** Where an image was found in the product stream (or in a repo's tags). */
export type ImageSource = PlannedImage['sources'][number];

/** One image found by one finder, before images are merged across branches and sources. */
export interface FoundImage {
  /** Registry path and image name, without tag: artifactory.algol60.net/csm-docker/stable/cray-smd */
  repository: string;
  tag: string;
  /** GitHub repository (in the org) that builds the image. */
  githubRepo: string;
  source: ImageSource;
  /** The commit of the git tag, when the finder already knows it (git tag listings do). */
  commit?: string;
}

/** Split `registry/path/name:tag` (a digest is dropped); undefined when there is no tag. */
export function splitImageReference(reference: string): { repository: string; tag: string } | undefined {
  const withoutDigest = reference.split('@')[0] ?? '';
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon <= slash) return undefined;
  const repository = withoutDigest.slice(0, colon);
  const tag = withoutDigest.slice(colon + 1);
  return repository && tag ? { repository, tag } : undefined;
}

export function shortName(repository: string): string {
  return repository.slice(repository.lastIndexOf('/') + 1);
}
