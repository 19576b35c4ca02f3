import type { Configuration } from '../config/configuration.js';
import { optionName, switchOn, type Edge } from '../options.js';
import type { Clock } from '../dispatch/clock.js';
import { MEGABYTE } from '../bytes.js';
import type { GitHubPorts } from '../job-ports.js';
import type { JobOutput } from '../job-output.js';
import { PhaseLog, type Problem } from '../log.js';
import { countPlan } from '../report/plan-summary.js';
import { ChartRepository } from './chart-repository.js';
import { findPlan } from './find-plan.js';
import type { Plan } from './plan.js';
import { PlanningBudget } from './planning-budget.js';
import type { PlanningPorts } from './planning-ports.js';
import { openBranch } from './product-stream.js';
import { fileAtTag } from './tag-facts.js';
import { GitRepository } from './git.js';
import { Helm } from './helm.js';
import { locateHelm } from './helm-install.js';
import { decideRebuilds } from './decide-rebuilds.js';
import { readImagePackages, type LayerCache, type LayerSource } from '../packages/image-packages.js';
import type { ReadRebuilt } from '../packages/verify-upgrades.js';
import { parseImageReference } from '../registry/image-reference.js';
import type { PackageReading } from '../packages/package-evidence.js';
import { PackageIndexes } from '../packages/package-indexes.js';
import type { RebuildPolicy } from './rebuild-decision.js';
import { RegistryClient } from '../registry/registry-client.js';
import { BadInputError } from '../errors.js';
import { findRenderSandbox, noSandboxMessage, RENDER_SCRIPT, type RenderSandbox, type RenderScriptMode } from './render-script.js';
import type { OriginBoundFetch } from '../http/origin-bound-fetch.js';
import { counted } from '../words.js';

/** What planning needs from the settings. */
export interface PlanningInputs {
  /** Where the settings came from: messages name options as that edge spells them. */
  edge: Edge;
  org: string;
  serverUrl: string;
  skipCharts: boolean;
  helmDownload: boolean;
  chartCredentials: { username: string; password: string } | undefined;
  chartRewrites: readonly { from: string; to: string }[];
  /** `rebuild` and `max-age`, settled (modes/effective-run.ts). */
  rebuild: RebuildPolicy;
  maxAgeMs: number;
  /** Registry credentials, and whether they are the chart repository's (then for its host only). */
  registryCredentials: { username: string; password: string; chartHostOnly: boolean } | undefined;
  registryRewrites: readonly { from: string; to: string }[];
  registryHosts: readonly string[];
  /** `package-index-rewrite`: where package indexes are read (a mirror). */
  packageIndexRewrites?: readonly { from: string; to: string }[];
  /** `package-index-username`/`-password`: only to the targets of those rewrites. */
  packageIndexCredentials?: { username: string; password: string } | undefined;
  runnerFolders: readonly string[];
}

/** A plan and what planning reported; `partial` says why the plan is not whole (bounds passed), when it is not. */
export interface Planned {
  plan: Plan;
  problems: Problem[];
  partial?: string;
}

export function chartsSkippedNote(skipCharts: boolean, edge: Edge): string[] {
  return skipCharts
    ? [
        `charts were not downloaded nor rendered (${optionName(edge, 'skipCharts')}): the images of the manifests' charts are not in this plan` +
          (edge === 'action' ? " (a run without the chart secret, such as a fork's or Dependabot's pull request, plans this way)" : '')
      ]
    : [];
}

/**
 * The hosts of the chart repository: those charts were downloaded from, and, for a mirror, the hosts
 * its chart-repo-rewrite lines stand for.
 */
function chartHostsOf(downloaded: readonly string[], rewrites: readonly { from: string; to: string }[]): Set<string> {
  const hosts = new Set<string>();
  const hostOf = (url: string): string | undefined => {
    try {
      return new URL(url).host;
    } catch {
      return undefined;
    }
  };
  for (const url of downloaded) {
    hosts.add(hostOf(url) ?? '');
    for (const rewrite of rewrites) if (url.startsWith(rewrite.to)) hosts.add(hostOf(rewrite.from) ?? '');
  }
  hosts.delete('');
  return hosts;
}

/**
 * The registry client of a run. Credentials go only to hosts a person named: registry-username and
 * registry-password to registry-hosts, registry-rewrite sources and the chart repository's host; the
 * chart repository's credentials, when no registry credentials are given, to its own host only.
 * Every other registry, named only by content, is read anonymously.
 */
function registryFor(
  chartHosts: ReadonlySet<string>,
  config: Configuration,
  inputs: PlanningInputs,
  http: OriginBoundFetch
): RegistryClient {
  const named = new Set([...inputs.registryHosts, ...chartHosts]);
  const rewritten = new Set(inputs.registryRewrites.map((r) => r.from));
  const given = inputs.registryCredentials;
  const credentials = given ? { username: given.username, password: given.password } : undefined;
  return new RegistryClient({
    http,
    credentialsFor: (registry) => {
      if (!credentials) return undefined;
      if (given?.chartHostOnly) return chartHosts.has(registry) ? credentials : undefined;
      return named.has(registry) || rewritten.has(registry) ? credentials : undefined;
    },
    rewrites: inputs.registryRewrites,
    namedHosts: named,
    timeoutMs: config.configuration.timeouts['registry-seconds'] * 1000
  });
}

/**
 * Where the branches' render scripts run: with `run`, the sandbox this machine offers, or the run
 * stops here, before any branch is read.
 */
function renderScriptOf(
  mode: RenderScriptMode,
  runnerFolders: readonly string[],
  log: PhaseLog
): { mode: RenderScriptMode; sandbox: RenderSandbox | undefined } {
  if (mode !== 'run') return { mode, sandbox: undefined };
  // the runner's own folders (its temp folder, the file commands') are hidden from a script in namespaces
  const sandbox = findRenderSandbox(runnerFolders);
  if (!sandbox) throw new BadInputError(noSandboxMessage('(any)').replace('branch (any) has render_templates.sh, and ', ''));
  log.info(`${RENDER_SCRIPT}: run ${sandbox.describe}`);
  return { mode, sandbox };
}

/** What the decisions read packages with: the run's registry client for layers, the indexes, the bounds, the job's day. */
function packageReadingOf(
  layers: LayerSource,
  indexes: PackageReading['indexes'],
  limits: Configuration['configuration']['limits'],
  clock: { now(): number }
): PackageReading {
  const bytes = limits['layer-megabytes'] * MEGABYTE;
  return {
    layers,
    indexes,
    limits: { layerBytes: bytes, imageBytes: 2 * bytes },
    layerCache: new Map(),
    today: new Date(clock.now()).toISOString().slice(0, 10)
  };
}

/**
 * How a rebuilt image is read again to verify its upgrades: a registry client of its own (so no
 * digest resolved while planning is reused), with the credential rules of registryFor, chart hosts
 * not known (credentials limited to chart hosts are not sent).
 */
export function rebuiltImageReader(config: Configuration, inputs: PlanningInputs, http: OriginBoundFetch): ReadRebuilt {
  const client = registryFor(new Set(), config, inputs, http);
  const bytes = config.configuration.limits['layer-megabytes'] * MEGABYTE;
  // the rebuilt images' layers, by digest: layers they share with each other are read once
  const cache: LayerCache = new Map();
  return async (fullImage) => {
    const ref = parseImageReference(fullImage);
    if (!ref) return { kind: 'unmodelled', reason: `${fullImage} is not an image reference`, bytesRead: 0 };
    return readImagePackages(client, ref, { layerBytes: bytes, imageBytes: 2 * bytes }, cache);
  };
}

/** The adapters of planning, opened from the run, and how to close them. */
interface OpenedPorts {
  ports: PlanningPorts;
  close(): Promise<void>;
}

/**
 * The composition of planning's ports from the run: helm (found or downloaded), git on the product
 * stream with its token, the chart repository, GitHub per image repos, and the registry of the
 * rebuild decisions with the credential rules of registryFor.
 */
async function openPlanningPorts(
  config: Configuration,
  inputs: PlanningInputs,
  github: GitHubPorts,
  output: JobOutput,
  log: PhaseLog,
  job: { tempRoot: string; http: OriginBoundFetch; signal: AbortSignal | undefined }
): Promise<OpenedPorts> {
  const { timeouts, limits } = config.configuration;
  const { tempRoot, http, signal } = job;
  const gitToken = await github.productStreamToken();
  output.mask(gitToken);
  const helm = inputs.skipCharts
    ? undefined
    : await Helm.create(
        await locateHelm((m) => log.info(m), { download: inputs.helmDownload, http, skipCharts: switchOn(inputs.edge, 'skipCharts') }),
        {
          timeoutMs: timeouts['helm-template-seconds'] * 1000,
          tempRoot,
          memoryBytes: limits['helm-memory-megabytes'] * MEGABYTE,
          maxOutputBytes: limits['helm-output-megabytes'] * MEGABYTE,
          ...(signal ? { signal } : {})
        }
      );
  if (helm) log.info(`helm: ${helm.binary} (${await helm.version()})`);
  for (const note of chartsSkippedNote(inputs.skipCharts, inputs.edge)) log.problem({ severity: 'warning', message: note });
  const renderScript = renderScriptOf(config.configuration['render-script'], inputs.runnerFolders, log);
  const productStreamUrl = `${inputs.serverUrl.replace(/\/+$/, '')}/${inputs.org}/${config.configuration['product-stream-repo']}`;
  const repo = await GitRepository.open(productStreamUrl, gitToken, {
    stallSeconds: timeouts['git-stall-seconds'],
    tempRoot,
    ...(signal ? { signal } : {})
  });
  const charts = new ChartRepository(inputs.chartCredentials, http, {
    timeoutMs: timeouts['chart-download-seconds'] * 1000,
    tempRoot,
    limits: {
      maxDownloadBytes: limits['chart-download-megabytes'] * MEGABYTE,
      maxUnpackedBytes: limits['chart-unpacked-megabytes'] * MEGABYTE,
      maxFileBytes: limits['chart-file-megabytes'] * MEGABYTE
    }
  });
  return {
    ports: {
      productStream: {
        listBranches: () => repo.listBranches(),
        fetchTips: (branches) => repo.fetchTips([...branches]),
        openBranch: (branch) => openBranch(repo, branch, renderScript)
      },
      charts,
      helm,
      github: (repos) => github.planning(repos),
      registry: (chartHosts) => registryFor(chartHosts, config, inputs, http),
      packageIndexes: () =>
        new PackageIndexes({
          http,
          rewrites: inputs.packageIndexRewrites ?? [],
          ...(inputs.packageIndexCredentials ? { credentials: inputs.packageIndexCredentials } : {}),
          timeoutMs: config.configuration.timeouts['package-index-seconds'] * 1000,
          maxBytes: config.configuration.limits['package-index-megabytes'] * MEGABYTE
        })
    },
    close: async () => {
      await Promise.all([repo.remove(), charts.dispose(), helm?.dispose()]);
    }
  };
}

/** Every image to rebuild, from the product stream's branches, the chart repository and the image repos' tags. */
export async function planRebuilds(
  config: Configuration,
  inputs: PlanningInputs,
  github: GitHubPorts,
  output: JobOutput,
  /** Planning's log: the problems it finds are kept there, also when planning stops. */
  log: PhaseLog,
  job: { tempRoot: string; clock: Clock; http: OriginBoundFetch }
): Promise<Planned> {
  const { tempRoot, clock, http } = job;
  // helm and git in flight are killed when the job ends (the job's signal)
  const opened = await openPlanningPorts(config, inputs, github, output, log, { tempRoot, http, signal: http.signal });
  try {
    return await runPlanning(config, inputs, opened.ports, log, clock);
  } finally {
    await opened.close();
  }
}

/** Planning over its ports: the plan found, then, with `rebuild: when-outdated`, each build's decision. */
export async function runPlanning(
  config: Configuration,
  inputs: PlanningInputs,
  ports: PlanningPorts,
  log: PhaseLog,
  clock: Clock
): Promise<Planned> {
  const { limits } = config.configuration;
  // when planning must stop: the steps of the plan and the rebuild decisions alike
  const budget = new PlanningBudget(
    { maxRenders: limits['chart-renders'], deadline: clock.now() + limits['planning-minutes'] * 60_000 },
    () => clock.now()
  );
  const found = await findPlan({
    config,
    org: inputs.org,
    ports,
    chartRewrites: inputs.chartRewrites,
    renderCharts: !inputs.skipCharts,
    budget,
    log,
    now: () => clock.now()
  });
  let plan = found.plan;
  if (inputs.rebuild === 'when-outdated') {
    const decided = plan;
    const registry = ports.registry(chartHostsOf(ports.charts.downloaded(), inputs.chartRewrites));
    const packages = ports.packageIndexes ? packageReadingOf(registry, ports.packageIndexes(), limits, clock) : undefined;
    plan = await log.group('Rebuild decisions (rebuild: when-outdated)', () =>
      decideRebuilds(decided, {
        registry,
        ...(packages ? { packages } : {}),
        readFile: fileAtTag(found.facts, found.github),
        now: clock.now(),
        maxAgeMs: inputs.maxAgeMs,
        staleBaseDays: config.configuration['stale-base-days'],
        maxBases: limits['dockerfile-bases'],
        budget,
        log
      })
    );
  }
  const counts = countPlan(plan);
  log.info(
    `plan: ${counted(counts.images, 'image')} in ${counted(counts.repos, 'repo')}, ${counted(counts.builds, 'build')}, ${counted(counts.unresolved, 'image')} without a build`
  );
  const partial = found.partial.length > 0 ? found.partial.join('; ') : undefined;
  if (partial)
    log.problem({ severity: 'error', message: `the plan is partial: ${partial}; the chart releases not rendered are named above` });
  return { plan, problems: [...log.problems], ...(partial ? { partial } : {}) };
}
