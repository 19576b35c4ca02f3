import type { Configuration } from '../config/configuration.js';
import { parseDuration } from '../duration.js';
import { optionName, type OptionKey } from '../options.js';
import type { RebuildPolicy } from '../plan/rebuild-decision.js';
import type { Settings } from '../settings.js';

/** A value and where it came from: an input or flag (as the edge spells it), the configuration, or a default. */
export interface Sourced<T> {
  value: T;
  /** `input max-parallel`, `--max-age`, `configuration.rebuild`, `GITHUB_REPOSITORY`, `default` */
  from: string;
}

/**
 * The run as every mode sees it: every default and every "input or configuration" settled here,
 * once, each with where it came from. Modes read this, never `Settings` and `Configuration` side by
 * side (the configuration is here with the command line's overrides applied, as data).
 */
export interface EffectiveRun extends Omit<
  Settings,
  'org' | 'defaultOrg' | 'maxParallel' | 'rebuild' | 'maxAgeMs' | 'configOverrides' | 'registryCredentials'
> {
  config: Readonly<Configuration>;
  org: Sourced<string>;
  maxParallel: Sourced<number>;
  rebuild: Sourced<RebuildPolicy>;
  /** `max-age` in milliseconds. */
  maxAgeMs: Sourced<number>;
  /**
   * Credentials for registries, when any: given as such (`registry-username`), they go to every host
   * a person named; taken from the chart repository's (`chart-repo-username`), to its host only.
   */
  registryCredentials: (Sourced<{ username: string; password: string }> & { chartHostOnly: boolean }) | undefined;
}

/** `max-age` when neither the input nor the configuration can say (the schema's default is the same). */
const DEFAULT_MAX_AGE_MS = 7 * 86_400_000;

/** The first of the candidates that has a value, with its source. */
function first<T>(...candidates: [T | undefined, string][]): Sourced<T> | undefined {
  for (const [value, from] of candidates) if (value !== undefined) return { value, from };
  return undefined;
}

/** Settle the run: the input or flag wins over the configuration, which wins over the default. */
export function effectiveRun(settings: Settings, config: Readonly<Configuration>): EffectiveRun | { error: string } {
  const {
    org: orgInput,
    defaultOrg,
    maxParallel: parallelInput,
    rebuild: rebuildInput,
    maxAgeMs: maxAgeInput,
    configOverrides: _overrides,
    registryCredentials: registryInput,
    ...rest
  } = settings;
  const name = (key: OptionKey): string => optionName(settings.edge, key);
  const c = config.configuration;
  const org = first([orgInput, name('org')], [c.org, 'configuration.org'], [defaultOrg, 'GITHUB_REPOSITORY']);
  if (!org) return { error: `no GitHub organization: set configuration.org, ${name('org')}, or GITHUB_REPOSITORY` };
  const chartCredentials = settings.chartCredentials;
  return {
    ...rest,
    config,
    org,
    maxParallel: first([parallelInput, name('maxParallel')], [c['max-parallel'], 'configuration.max-parallel']) ?? {
      value: 1,
      from: 'default'
    },
    rebuild: first([rebuildInput, name('rebuild')], [c.rebuild, 'configuration.rebuild']) ?? { value: 'always', from: 'default' },
    maxAgeMs: first([maxAgeInput, name('maxAge')], [parseDuration(c['max-age']), 'configuration.max-age']) ?? {
      value: DEFAULT_MAX_AGE_MS,
      from: 'default'
    },
    registryCredentials: registryInput
      ? { value: registryInput, from: name('registryUsername'), chartHostOnly: false }
      : chartCredentials
        ? { value: chartCredentials, from: name('chartRepoUsername'), chartHostOnly: true }
        : undefined
  };
}

/** One line for the log: what the run settled on, and from where. */
export function describeRun(run: EffectiveRun): string {
  const days = (ms: number): string => (ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : `${Math.round(ms / 3_600_000)}h`);
  return [
    `org ${run.org.value} (from ${run.org.from})`,
    `max-parallel ${run.maxParallel.value} (from ${run.maxParallel.from})`,
    `rebuild ${run.rebuild.value} (from ${run.rebuild.from})`,
    ...(run.rebuild.value === 'when-outdated' ? [`max-age ${days(run.maxAgeMs.value)} (from ${run.maxAgeMs.from})`] : [])
  ].join(', ');
}
