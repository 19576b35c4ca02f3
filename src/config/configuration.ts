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
  'chart-credentials-required': boolean;
  'retry-failed-builds': number;
  'image-link-template'?: string;
}

/** Deadlines of network operations, in seconds. */
export interface Timeouts {
  'github-api-seconds': number;
  'git-stall-seconds': number;
  'chart-download-seconds': number;
  'helm-template-seconds': number;
}

export interface Configuration {
  'helm-repo-lookup': ChartLookup[];
  'github-repo-image-lookup': RepoImageLookup[];
  'docker-image-compare': CompareTree;
  'non-manifest-images': NonManifestImages[];
  'workflow-overrides': WorkflowOverride[];
  configuration: RunSettings;
}

/** `re.match` semantics of the original tool: anchored at the start, not at the end. */
export function compileAnchored(source: string): RegExp {
  return new RegExp(`^(?:${source})`);
}
