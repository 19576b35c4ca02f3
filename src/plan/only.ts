import { minimatch } from 'minimatch';
import type { Plan, PlannedImage } from './plan.js';
import { planBuilds } from './plan.js';
import { counted } from '../words.js';

/**
 * One selector of `only`: what a person asks to rebuild now. `repo:hms-s*`, `image:cray-smd`,
 * `image:cray-smd:2.24.0`, `branch:release/1.6`. Patterns are globs as users know them from
 * actions/upload-artifact (minimatch: `*`, `?`, `[…]`, `{a,b}`, and a leading `!` to exclude).
 */
export type Selector =
  | { kind: 'repo'; text: string; pattern: string }
  | { kind: 'image'; text: string; pattern: string; tag?: string }
  | { kind: 'branch'; text: string; pattern: string };

const KINDS = ['repo', 'image', 'branch'] as const;

/**
 * The selectors of `only`: one per line, or several on a line separated by spaces (a
 * workflow_dispatch text input has one line); `#` starts a comment. An error names the selector.
 */
export function parseSelectors(text: string, name: string): Selector[] {
  const selectors: Selector[] = [];
  const words = text.split('\n').flatMap((l) => l.replace(/(^|\s)#.*$/, '').split(/\s+/));
  for (const line of words) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    const kind = colon > 0 ? line.slice(0, colon) : '';
    const pattern = line.slice(colon + 1).trim();
    if (!(KINDS as readonly string[]).includes(kind) || pattern === '')
      throw new Error(
        `${name}: "${line.slice(0, 100)}" is not a selector: write repo:<name>, image:<name>[:<tag>] or branch:<name>, one per line (globs allowed: repo:hms-s*)`
      );
    if (kind === 'image') {
      const [image = '', tag] = pattern.split(':', 2);
      selectors.push({ kind: 'image', text: line, pattern: image, ...(tag ? { tag } : {}) });
    } else selectors.push({ kind: kind as 'repo' | 'branch', text: line, pattern });
  }
  return selectors;
}

const glob = (name: string, pattern: string): boolean => minimatch(name, pattern, { nocomment: true, dot: true });

/** The images of one repo a selector picks. */
function picks(selector: Selector, repo: string, image: PlannedImage): boolean {
  switch (selector.kind) {
    case 'repo':
      return glob(repo, selector.pattern);
    case 'image':
      return glob(image.name, selector.pattern) && (selector.tag === undefined || glob(image.tag, selector.tag));
    case 'branch':
      return image.branches.some((b) => glob(b, selector.pattern));
  }
}

export interface Narrowed {
  plan: Plan;
  /** Selectors that pick no image of the plan: each is an error, and nothing is dispatched. */
  unmatched: Selector[];
  /** `only repo:hms-smd: 2 of 144 builds`: what the summary's headline says. */
  headline: string;
}

/**
 * The plan narrowed to what the selectors pick (any of them): the images picked, and the builds
 * that build one of them. Decisions are kept: with `rebuild: when-outdated`, an up-to-date build
 * stays up to date (`rebuild: always` dispatches it).
 */
export function narrowPlan(plan: Plan, selectors: readonly Selector[]): Narrowed {
  const used = new Set<Selector>();
  const repos = plan.repos.flatMap((repo) => {
    const images = repo.images.filter((image) => {
      let picked = false;
      for (const s of selectors)
        if (picks(s, repo.githubRepo, image)) {
          used.add(s);
          picked = true;
        }
      return picked;
    });
    if (images.length === 0) return [];
    const names = new Set(images.map((i) => i.fullImage));
    return [{ ...repo, images, builds: repo.builds.filter((b) => b.images.some((i) => names.has(i))) }];
  });
  const narrowed: Plan = { ...plan, repos };
  const before = planBuilds(plan).length;
  const after = planBuilds(narrowed).length;
  return {
    plan: narrowed,
    unmatched: selectors.filter((s) => !used.has(s)),
    headline: `only ${selectors.map((s) => s.text).join(', ')}: ${after.toLocaleString('en-US')} of ${counted(before, 'build')}`
  };
}
