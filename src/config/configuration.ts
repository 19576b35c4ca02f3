import type { FromSchema } from 'json-schema-to-ts';
import type { configurationSchema } from './configuration-schema.js';
import { RE2JS } from 're2js';

/** A partial docker index: leaves are lists holding `find_me`. Recursive, so typed here (the schema's `compareNode`). */
export type CompareTree = { [key: string]: CompareTree | string[] };

type Schema = typeof configurationSchema;
/** The schema with its one recursive part (`docker-image-compare`) left to `CompareTree`: json-schema-to-ts does not recurse. */
type SchemaWithoutTree = Omit<Schema, 'properties' | 'definitions'> & {
  properties: Omit<Schema['properties'], 'docker-image-compare'> & { 'docker-image-compare': { type: 'object' } };
};

/**
 * The configuration file after validation and defaults (ajv's `useDefaults` fills every key with a
 * default, so those are required here): what every other module reads. Typed from
 * configuration.schema.json, the one source of the contract.
 */
export type Configuration = Omit<FromSchema<SchemaWithoutTree>, 'docker-image-compare'> & { 'docker-image-compare': CompareTree };
export type ChartLookup = Configuration['helm-repo-lookup'][number];
export type RepoImageLookup = Configuration['github-repo-image-lookup'][number];
export type NonManifestImages = Configuration['non-manifest-images'][number];
export type WorkflowOverride = Configuration['workflow-overrides'][number];
/** A gap a person has looked at: an image (`cray-smd:1.20.10`) that cannot be rebuilt at its tag, accepted until a day (UTC, `YYYY-MM-DD`). */
export type Acknowledgement = Configuration['acknowledged'][number];
export type RunSettings = Configuration['configuration'];
/** Deadlines of network operations, in seconds. */
export type Timeouts = RunSettings['timeouts'];
/** Bounds on what repositories and servers hold (configuration.limits). */
export type Limits = RunSettings['limits'];

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
