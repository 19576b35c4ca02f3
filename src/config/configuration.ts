import type { RenderScriptMode } from '../plan/render-script.js';
import { RE2JS } from 're2js';

/** The configuration file after validation and defaults: what every other module reads. */
export interface ChartLookup {
  chart: string;
  path: string;
  source_override?: string;
}

export interface RepoImageLookup {
  'github-repo': string;
  image: string;
}

export interface NonManifestImages {
  'github-repo': string;
  'tag-regex': string;
  image_repo: string;
}

export interface WorkflowOverride {
  'github-repo'?: string;
  image?: string;
  workflow: string;
}

/** A gap a person has looked at: an image that cannot be rebuilt at its tag, accepted until a day. */
export interface Acknowledgement {
  /** `cray-smd:1.20.10`: the image's name and tag, without the registry path. */
  image: string;
  'github-repo'?: string;
  reason: string;
  /** The last day (UTC, `YYYY-MM-DD`) it holds. */
  until: string;
}

/** A partial docker index: leaves are lists holding `find_me`. */
export type CompareTree = { [key: string]: CompareTree | string[] };

export interface RunSettings {
  org?: string;
  'product-stream-repo': string;
  'targeted-branches': string[];
  'targeted-branch-regexes': string[];
  'docker-image-manifest': string;
  'helm-manifest-directory': string;
  'target-chart-regex': string;
  'sleep-duration-seconds': number;
  'time-limit-minutes': number;
  'webhook-sleep-seconds': number;
  'log-level': string;
  'max-parallel': number;
  'attach-to-running-builds': boolean;
  'cancel-on-timeout': boolean;
  timeouts: Timeouts;
  limits: Limits;
  'chart-credentials-required': boolean;
  'retry-failed-builds': number;
  rebuild: 'always' | 'when-outdated';
  'max-age': string;
  'render-script': RenderScriptMode;
  'stale-base-days': number;
  'image-link-template'?: string;
}

/** Deadlines of network operations, in seconds. */
export interface Timeouts {
  'github-api-seconds': number;
  'git-stall-seconds': number;
  'chart-download-seconds': number;
  'helm-template-seconds': number;
  'registry-seconds': number;
}

/** Bounds on what repositories and servers hold (configuration.limits). */
export interface Limits {
  'chart-download-megabytes': number;
  'chart-unpacked-megabytes': number;
  'chart-file-megabytes': number;
  'helm-memory-megabytes': number;
  'helm-output-megabytes': number;
  'plan-megabytes': number;
  'dockerfile-bases': number;
  'chart-renders': number;
  'planning-minutes': number;
}

export interface Configuration {
  'helm-repo-lookup': ChartLookup[];
  'github-repo-image-lookup': RepoImageLookup[];
  'docker-image-compare': CompareTree;
  'non-manifest-images': NonManifestImages[];
  'workflow-overrides': WorkflowOverride[];
  acknowledged: Acknowledgement[];
  configuration: RunSettings;
}

/** A pattern of the configuration, matched as the original tool's `re.match` does: at the start, not the end. */
export interface AnchoredPattern {
  readonly source: string;
  test(name: string): boolean;
}

/** Names longer than this (branch names, tags, chart names) match no pattern. */
export const MAX_MATCHED_NAME = 1024;

/**
 * Compile a pattern of the configuration with RE2 (re2js, pure JavaScript), which matches in time
 * linear in the name: a pattern such as `^(a+)+$` cannot hang the job on a hostile branch name, as
 * a backtracking engine would. RE2 has no backreferences nor lookaround: such a pattern throws.
 */
export function compileAnchored(source: string): AnchoredPattern {
  const pattern = RE2JS.compile(source);
  return {
    source,
    test: (name) => name.length <= MAX_MATCHED_NAME && pattern.matcher(name).lookingAt()
  };
}
