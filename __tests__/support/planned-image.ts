import type { PlannedImage } from '../../src/plan/plan.js';
import { commitOf, ORG } from './sample-stream.js';

/** An image of a plan, shipped by release/1.6: resolved at its tag's commit, or unresolved because the tag is missing. */
export function plannedImage(githubRepo: string, name: string, tag: string, state: PlannedImage['state'] = 'resolved'): PlannedImage {
  return {
    githubRepo,
    fullImage: `reg/${name}:${tag}`,
    repository: `reg/${name}`,
    name,
    tag,
    gitTag: `v${tag}`,
    ...(state === 'resolved'
      ? { commit: commitOf(`${githubRepo}-${tag}`) }
      : { reason: `tag v${tag} does not exist in ${ORG}/${githubRepo}` }),
    branches: ['release/1.6'],
    sources: [],
    state
  };
}
