import type { CompareTree } from '../config/configuration.js';
import { isMapping } from '../yaml.js';

export const FIND_ME = 'find_me';

/** One image selected from a docker index: its repository (registry path + name) and its tags. */
export interface IndexImage {
  repository: string;
  tags: string[];
  /** YAML path of the tag list in the index, for messages. */
  yamlPath: string;
}

export type IndexMatch = { images: IndexImage[]; problems: { yamlPath: string; message: string }[] };

function yamlPathOf(keys: string[]): string {
  return keys.map((k) => (/^[\w-]+$/.test(k) ? k : JSON.stringify(k))).join('.');
}

/**
 * Walk the `docker-image-compare` partial tree against a parsed docker index, at any depth: every
 * leaf list holding `find_me` selects the tag list at the same path. The image repository is the
 * path's keys joined by `/`, leaving out the structural key `images`.
 */
export function matchDockerIndex(compare: CompareTree, index: unknown): IndexMatch {
  const result: IndexMatch = { images: [], problems: [] };
  const walk = (pattern: CompareTree, node: unknown, keys: string[]): void => {
    for (const [key, want] of Object.entries(pattern)) {
      const path = [...keys, key];
      const have = isMapping(node) ? node[key] : undefined;
      if (Array.isArray(want)) {
        if (!want.includes(FIND_ME)) continue;
        if (have === undefined || have === null) continue; // not shipped on this branch
        if (!Array.isArray(have)) {
          result.problems.push({ yamlPath: yamlPathOf(path), message: 'expected a list of image tags' });
          continue;
        }
        const tags = have.filter((t): t is string | number => typeof t === 'string' || typeof t === 'number').map(String);
        if (tags.length !== have.length) {
          result.problems.push({ yamlPath: yamlPathOf(path), message: 'some tags are not strings; they were left out' });
        }
        const repository = path.filter((k) => k !== 'images').join('/');
        result.images.push({ repository, tags, yamlPath: yamlPathOf(path) });
      } else if (have !== undefined && have !== null) {
        if (!isMapping(have)) {
          result.problems.push({ yamlPath: yamlPathOf(path), message: 'expected a mapping' });
          continue;
        }
        walk(want, have, path);
      }
    }
  };
  walk(compare, index, []);
  return result;
}
