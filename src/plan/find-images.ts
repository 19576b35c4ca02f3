import pLimit from 'p-limit';
import type { Configuration } from '../config/configuration.js';
import { compileAnchored } from '../config/configuration.js';
import type { Log } from '../log.js';
import { parseYaml, parseYamlDocuments, yamlProblem, YamlBudgetError } from '../yaml.js';
import type { PlanningApi } from './planning-api.js';
import { BuildChooser } from './choose-builds.js';
import type { ChartRepository } from './chart-repository.js';
import { chartGithubRepo, findChartImages, mergeValues } from './chart-images.js';
import { matchDockerIndex } from './docker-index.js';
import type { FoundImage } from './found-image.js';
import { shortName } from './found-image.js';
import type { GitRepository, RemoteBranch } from './git.js';
import type { Helm } from './helm.js';
import { chartDownloadUrl, parseLoftsmanManifest, rewriteUrl, selectCharts, type ManifestChart } from './manifests.js';
import {
  applyReleaseUrls,
  applyTagResolutions,
  mergeFoundImages,
  tagKey,
  tagsOfRepos,
  tagsToResolve,
  PLAN_VERSION,
  type BranchReport,
  type Plan,
  type PlannedRepo,
  type TagResolution
} from './plan.js';
import { openBranch, RENDER_SCRIPT, selectBranches, type BranchFiles } from './product-stream.js';
import type { RenderSandbox, RenderScriptMode } from './render-script.js';
import { errorMessage, firstLine, rethrowIfFatal } from '../errors.js';

/**
 * Work of planning in flight at once, on the 2 cores of a hosted runner: branches read side by
 * side, helm renders (each a process), and GitHub requests (well under GitHub's 100 concurrent).
 */
const CONCURRENCY = { branches: 4, renders: 4, api: 8 } as const;

export interface PlanningContext {
  config: Configuration;
  org: string;
  repo: GitRepository;
  /**
   * GitHub, as planning reads it, for these repositories only: asked once the product stream's
   * branches have named every image repo, so its credentials need hold no other repository.
   */
  githubFor: (repos: readonly string[]) => PlanningApi;
  /** What to do with a branch's render_templates.sh (configuration.render-script), and where it runs. */
  renderScript?: { mode: RenderScriptMode; sandbox: RenderSandbox | undefined };
  /** None when charts are skipped. */
  helm: Helm | undefined;
  charts: ChartRepository;
  chartRewrites: readonly { from: string; to: string }[];
  log: Log;
  /** The job's clock: when planning ends (the plan's `createdAt`), and its deadline. */
  now: () => number;
  /** Where branch checkouts go (the job's temp folder). */
  tempRoot?: string;
  /** false: the manifests' charts are not downloaded nor rendered (no chart credentials); said once. */
  renderCharts?: boolean;
  /** Bounds on concurrent work. */
  limits?: { branches?: number; renders?: number; api?: number };
  /**
   * Bounds on planning as a whole: helm renders in one run, and when planning must stop (epoch ms,
   * on `now`). Past either, what is left is named and skipped, and the plan is partial.
   */
  bounds?: { maxRenders?: number; deadline?: number };
}

type RenderResult = { ok: true; images: { repository: string; tag: string }[]; githubRepo: string } | { ok: false; reason: string };

/** Finds every image to rebuild on every targeted branch, plus the git-tag images; resolves each git tag once. */
export class ImageFinder {
  private readonly renders = new Map<string, Promise<RenderResult>>();
  private rendered = 0;
  private rendersStarted = 0;
  private githubApi: PlanningApi | undefined;
  /** Why the plan is not whole (the render cap, the deadline); empty when it is. */
  readonly partial = new Set<string>();
  private readonly branchLimit;
  private readonly renderLimit;
  private readonly apiLimit;
  private readonly imageRepos: Map<string, string>;
  /** Workflow files at each planned tag, as the tag snapshots read them: choosing workflows needs no more requests. */
  private readonly filesAtTags = new Map<string, Map<string, string>>();
  /** The root Dockerfile at each planned tag, as the tag snapshots read it (null: none there). */
  private readonly dockerfilesAtTags = new Map<string, string | null>();

  constructor(private readonly ctx: PlanningContext) {
    this.branchLimit = pLimit(ctx.limits?.branches ?? CONCURRENCY.branches);
    this.renderLimit = pLimit(ctx.limits?.renders ?? CONCURRENCY.renders);
    this.apiLimit = pLimit(ctx.limits?.api ?? CONCURRENCY.api);
    this.imageRepos = new Map(ctx.config['github-repo-image-lookup'].map((e) => [e.image, e['github-repo']]));
  }

  async buildPlan(): Promise<Plan> {
    const { config, log } = this.ctx;
    const settings = config.configuration;
    const branches = await log.group('Product stream branches', () => this.selectTargetBranches());
    // each branch's images in branch order, so every image lists its branches in the configured order
    const perBranch = await log.group('Images per branch', () =>
      Promise.all(
        branches.map((branch) =>
          this.branchLimit(async () => {
            const images = await this.findBranchImages(branch);
            log.info(`${branch.name}: ${images.length} image references`);
            return images;
          })
        )
      )
    );
    const reports: BranchReport[] = branches.map((b, i) => ({ branch: b.name, commit: b.commit, images: perBranch[i]?.length ?? 0 }));
    const found: FoundImage[] = perBranch.flat();
    const imageRepos = [...found.map((f) => f.githubRepo), ...config['non-manifest-images'].map((e) => e['github-repo'])];
    this.githubApi = this.ctx.githubFor([...new Set(imageRepos)].sort());
    const tagImages = await log.group('Images from git tags', () => this.findTagImages());
    found.push(...tagImages);
    const merged = mergeFoundImages(found);
    // past the deadline nothing more is looked up: the images are named, and the plan is partial
    const late = this.deadlinePassed();
    const resolved = late
      ? merged.map((repo) => ({
          ...repo,
          images: repo.images.map((image) => ({ ...image, state: 'unresolved' as const, reason: `not looked up: ${late}` }))
        }))
      : await log.group('Git tags', () => this.resolveTags(merged));
    const repos = await log.group('Workflows', () => this.chooseBuilds(resolved));
    return {
      version: PLAN_VERSION,
      createdAt: new Date(this.ctx.now()).toISOString(),
      org: this.ctx.org,
      productStreamRepo: settings['product-stream-repo'],
      branches: reports,
      repos
    };
  }

  /** A file at a planned tag: the root Dockerfile from the tag snapshots when they read it, anything else with REST. */
  async readFileAtTag(repo: string, path: string, tag: string): Promise<string | undefined> {
    const read = path === 'Dockerfile' ? this.dockerfilesAtTags.get(tagKey(repo, tag)) : undefined;
    if (read !== undefined) return read ?? undefined;
    return this.github().readFile(repo, path, tag);
  }

  /** The planning bound that has passed, if one has: the plan is then partial. */
  private boundPassed(): string | undefined {
    const { bounds } = this.ctx;
    let passed = this.deadlinePassed();
    if (!passed && bounds?.maxRenders !== undefined && this.rendersStarted >= bounds.maxRenders) {
      passed = `the run's ${bounds.maxRenders} chart renders are spent (configuration.limits.chart-renders)`;
      this.partial.add(passed);
    }
    return passed;
  }

  /** Whether planning has passed its deadline (then the plan is partial). */
  private deadlinePassed(): string | undefined {
    const { bounds, now } = this.ctx;
    if (bounds?.deadline === undefined || now() <= bounds.deadline) return undefined;
    const passed = 'planning passed its deadline (configuration.limits.planning-minutes)';
    this.partial.add(passed);
    return passed;
  }

  /** GitHub for the image repos (made once the branches named them). */
  private github(): PlanningApi {
    if (!this.githubApi) throw new Error('planning read GitHub before the image repos were known');
    return this.githubApi;
  }

  /** The workflow of each image at its tag, and the builds they make; an image no workflow can build is a gap. */
  private async chooseBuilds(repos: PlannedRepo[]): Promise<PlannedRepo[]> {
    const { config, log } = this.ctx;
    const chooser = new BuildChooser(this.github(), config['workflow-overrides'], this.filesAtTags);
    const chosen = await chooser.choose(repos);
    // an image without a build is a gap: the job reports it, the same way in a dry run and a night (report/gaps.ts)
    if (chosen.noBuilds.length > 0) log.info(`${chosen.noBuilds.length} images have no workflow to dispatch at their tag`);
    const builds = chosen.repos.reduce((n, r) => n + r.builds.length, 0);
    const images = chosen.repos.reduce((n, r) => n + r.images.filter((i) => i.state === 'resolved').length, 0);
    log.info(`${images} images have a workflow to dispatch: ${builds} builds (a workflow at a tag builds once)`);
    for (const repo of chosen.repos)
      for (const build of repo.builds)
        log.debug(`${repo.githubRepo} ${build.gitTag}: ${build.workflow.path} (by ${build.chosenBy}) builds ${build.images.join(', ')}`);
    return chosen.repos;
  }

  private async selectTargetBranches(): Promise<RemoteBranch[]> {
    const { repo, config, log } = this.ctx;
    const settings = config.configuration;
    const remote = await repo.listBranches();
    const selection = selectBranches(remote, settings['targeted-branches'], settings['targeted-branch-regexes'].map(compileAnchored));
    for (const missing of selection.missing) {
      log.problem({
        severity: 'warning',
        message: `targeted branch does not exist in ${this.ctx.org}/${settings['product-stream-repo']}; skipped`,
        where: { branch: missing, yamlPath: 'configuration.targeted-branches' }
      });
    }
    log.info(`${selection.selected.length} branches: ${selection.selected.map((b) => b.name).join(', ') || '(none)'}`);
    await repo.fetchTips(selection.selected.map((b) => b.name));
    return selection.selected;
  }

  private async findBranchImages(branch: RemoteBranch): Promise<FoundImage[]> {
    const { log } = this.ctx;
    let files;
    try {
      const opened = await openBranch(this.ctx.repo, branch, this.ctx.renderScript ?? { mode: 'skip', sandbox: undefined });
      files = opened.files;
      if (opened.scriptNotRun)
        log.problem({
          severity: 'warning',
          message: `${RENDER_SCRIPT} was not run (configuration.render-script: skip): the branch is planned as checked out; set render-script: run if its docker/index.yaml or manifests are generated by it`,
          where: { branch: branch.name }
        });
    } catch (error) {
      rethrowIfFatal(error);
      log.problem({ severity: 'error', message: errorMessage(error), where: { branch: branch.name } });
      return [];
    }
    try {
      const [indexImages, chartImages] = await Promise.all([
        this.findIndexImages(branch.name, files),
        this.ctx.renderCharts === false ? Promise.resolve([]) : this.findManifestImages(branch.name, files)
      ]);
      return [...indexImages, ...chartImages];
    } finally {
      await files.dispose();
    }
  }

  private async findIndexImages(branch: string, files: BranchFiles): Promise<FoundImage[]> {
    const { config, log } = this.ctx;
    const file = config.configuration['docker-image-manifest'];
    const compare = config['docker-image-compare'];
    if (Object.keys(compare).length === 0) return [];
    const text = await files.read(file);
    if (text === undefined) {
      log.problem({ severity: 'warning', message: 'docker index not found; no images taken from it', where: { branch, file } });
      return [];
    }
    let index: unknown;
    try {
      index = parseYaml(text, file, { allStrings: true });
    } catch (error) {
      log.problem({ severity: 'error', message: yamlProblem(text, error), where: { branch, file } });
      return [];
    }
    const match = matchDockerIndex(compare, index);
    for (const problem of match.problems)
      log.problem({ severity: 'error', message: problem.message, where: { branch, file, yamlPath: problem.yamlPath } });
    const found: FoundImage[] = [];
    for (const image of match.images) {
      const name = shortName(image.repository);
      const githubRepo = this.imageRepos.get(name);
      if (!githubRepo) {
        log.problem({
          severity: 'error',
          message: `no GitHub repo for image ${name}: add it to github-repo-image-lookup`,
          where: { branch, file, yamlPath: image.yamlPath }
        });
        continue;
      }
      for (const tag of image.tags)
        found.push({ repository: image.repository, tag, githubRepo, source: { kind: 'docker-index', branch, file } });
    }
    return found;
  }

  private async findManifestImages(branch: string, files: BranchFiles): Promise<FoundImage[]> {
    const { config, log } = this.ctx;
    const dir = config.configuration['helm-manifest-directory'].replace(/\/+$/, '');
    const names = (await files.list(dir)).filter((n) => /\.ya?ml$/.test(n));
    if (names.length === 0) {
      log.problem({
        severity: 'warning',
        message: 'no loftsman manifests found; no chart images taken',
        where: { branch, file: `${dir}/` }
      });
      return [];
    }
    const texts = await files.readMany(names.map((n) => `${dir}/${n}`));
    const pattern = compileAnchored(config.configuration['target-chart-regex']);
    const entries: ManifestChart[] = [];
    for (const [file, text] of texts) {
      if (text === undefined) continue;
      const parsed = parseLoftsmanManifest(text, file);
      for (const p of parsed.problems)
        log.problem({ severity: 'error', message: p.message, where: { branch, file: p.file, yamlPath: p.yamlPath } });
      entries.push(...selectCharts(parsed.charts, pattern));
    }
    const results = await Promise.all(entries.map((entry) => this.findEntryImages(branch, entry)));
    return results.flat();
  }

  private chartUrl(entry: ManifestChart): { ok: true; url: string } | { ok: false; reason: string } {
    const lookup = this.ctx.config['helm-repo-lookup'].find((l) => l.chart === entry.name);
    if (!lookup)
      return { ok: false, reason: `no helm-repo-lookup entry for chart ${entry.name}: add one with its path in the chart repository` };
    const base = lookup.source_override ?? entry.sourceLocation;
    if (!base) {
      return {
        ok: false,
        reason: entry.sourceName
          ? `chart source "${entry.sourceName}" is not in spec.sources.charts and helm-repo-lookup has no source_override`
          : 'chart entry names no source and helm-repo-lookup has no source_override'
      };
    }
    return { ok: true, url: rewriteUrl(chartDownloadUrl(base, lookup.path, entry.name, entry.version), this.ctx.chartRewrites) };
  }

  private async findEntryImages(branch: string, entry: ManifestChart): Promise<FoundImage[]> {
    const { log } = this.ctx;
    const where = { branch, file: entry.file, yamlPath: entry.yamlPath, chart: `${entry.name} ${entry.version}` };
    const url = this.chartUrl(entry);
    if (!url.ok) {
      log.problem({ severity: 'error', message: url.reason, where });
      return [];
    }
    const result = await this.render(url.url, entry);
    if (!result.ok) {
      log.problem({ severity: 'error', message: result.reason, where });
      return [];
    }
    if (result.images.length === 0) {
      log.problem({ severity: 'warning', message: `release ${entry.releaseName} renders no image that the chart builds`, where });
    }
    return result.images.map((image) => ({
      ...image,
      githubRepo: result.githubRepo,
      source: { kind: 'chart', branch, file: entry.file, chart: entry.name, version: entry.version, releaseName: entry.releaseName }
    }));
  }

  /** Render each (chart version, release, values) once per run, however many branches ship it. */
  private render(url: string, entry: ManifestChart): Promise<RenderResult> {
    const key = JSON.stringify([url, entry.releaseName, entry.namespace, entry.values]);
    let pending = this.renders.get(key);
    if (!pending) {
      pending = this.renderOnce(url, entry);
      this.renders.set(key, pending);
    }
    return pending;
  }

  private async renderOnce(url: string, entry: ManifestChart): Promise<RenderResult> {
    const download = await this.ctx.charts.download(url);
    if (!download.ok) return { ok: false, reason: `${url}: ${download.reason}` };
    const githubRepo = chartGithubRepo(download.chart.chartYaml);
    if (!githubRepo) return { ok: false, reason: 'Chart.yaml has no sources[0]: cannot tell which GitHub repo builds its images' };
    const helm = this.ctx.helm;
    if (!helm) return { ok: false, reason: 'charts are skipped in this run' };
    let rendered: string | undefined;
    try {
      const skipped = await this.renderLimit(async () => {
        const bound = this.boundPassed();
        if (bound) return bound;
        this.rendersStarted++;
        rendered = await helm.template(download.chart.dir, entry.releaseName, entry.namespace, entry.values);
        return undefined;
      });
      if (skipped) return { ok: false, reason: `not rendered: ${skipped}` };
    } catch (error) {
      rethrowIfFatal(error);
      return { ok: false, reason: errorMessage(error) };
    }
    let documents: unknown[];
    try {
      // its size is bounded where helm runs (configuration.limits.helm-output-megabytes)
      documents = parseYamlDocuments(rendered ?? '', `${entry.name} rendered`, { maxBytes: Number.MAX_SAFE_INTEGER });
    } catch (error) {
      if (error instanceof YamlBudgetError) return { ok: false, reason: `helm template output: ${error.message}` };
      return { ok: false, reason: `helm template output is not valid YAML: ${firstLine(errorMessage(error))}` };
    }
    this.rendered++;
    this.ctx.log.debug(`rendered ${entry.name} ${entry.version} as ${entry.releaseName}: ${documents.length} documents`);
    this.ctx.log.progress(`${this.rendered} chart releases rendered (last: ${entry.name} ${entry.version} as ${entry.releaseName})`);
    return { ok: true, githubRepo, images: findChartImages(documents, mergeValues(download.chart.values, entry.values)) };
  }

  private async findTagImages(): Promise<FoundImage[]> {
    const { config, log } = this.ctx;
    const github = this.github();
    const entries = config['non-manifest-images'];
    const results = await Promise.all(
      entries.map((entry, i) =>
        this.apiLimit(async (): Promise<FoundImage[]> => {
          const repo = entry['github-repo'];
          const pattern = compileAnchored(entry['tag-regex']);
          let tags;
          try {
            tags = await github.listTags(repo);
          } catch (error) {
            rethrowIfFatal(error);
            log.problem({
              severity: 'error',
              message: `cannot list tags: ${errorMessage(error)}`,
              where: { repo, yamlPath: `non-manifest-images[${i}]` }
            });
            return [];
          }
          const matching = tags.filter((t) => pattern.test(t.name));
          log.info(`${repo}: ${matching.length} of ${tags.length} tags match ${entry['tag-regex']}`);
          return matching.map((t) => ({
            repository: entry.image_repo,
            tag: t.name.replace(/^v/, ''),
            githubRepo: repo,
            commit: t.commit,
            source: { kind: 'git-tag', repo }
          }));
        })
      )
    );
    return results.flat();
  }

  private async resolveTags(repos: ReturnType<typeof mergeFoundImages>) {
    const { log } = this.ctx;
    const wanted = tagsToResolve(repos);
    const resolutions = new Map<string, TagResolution>();
    const releaseUrls = new Map<string, string>();
    const needed = new Set(wanted.map((w) => tagKey(w.githubRepo, w.gitTag)));
    const pairs = [...tagsOfRepos(repos).entries()].flatMap(([repo, tags]) => tags.map((tag) => ({ repo, tag })));
    await this.snapshotTags(pairs, needed, resolutions, releaseUrls);
    log.info(`${wanted.length} git tags looked up, ${[...resolutions.values()].filter((r) => !r.ok).length} missing`);
    const resolved = applyReleaseUrls(applyTagResolutions(repos, resolutions), releaseUrls);
    return resolved;
  }

  /**
   * Look up planned tags: their commits (for the tags no listing resolved), the workflow files at
   * each and their releases, in a few GraphQL requests; a tag they do not answer is looked up
   * with REST (a server without GraphQL, a query that failed).
   */
  private async snapshotTags(
    pairs: { repo: string; tag: string }[],
    needed: ReadonlySet<string>,
    resolutions: Map<string, TagResolution>,
    releaseUrls: Map<string, string>
  ): Promise<void> {
    const { org } = this.ctx;
    const github = this.github();
    const answered = new Set<string>();
    for (const snapshot of await github.readTagSnapshots(pairs)) {
      const key = tagKey(snapshot.repo, snapshot.tag);
      answered.add(key);
      if (snapshot.releaseUrl) releaseUrls.set(key, snapshot.releaseUrl);
      if (snapshot.workflowFiles) this.filesAtTags.set(key, snapshot.workflowFiles);
      if (snapshot.dockerfile !== undefined) this.dockerfilesAtTags.set(key, snapshot.dockerfile);
      if (!needed.has(key)) continue;
      resolutions.set(
        key,
        snapshot.commit
          ? { ok: true, commit: snapshot.commit }
          : { ok: false, reason: `tag ${snapshot.tag} does not exist in ${org}/${snapshot.repo}` }
      );
    }
    const rest = pairs.filter(({ repo, tag }) => needed.has(tagKey(repo, tag)) && !answered.has(tagKey(repo, tag)));
    await Promise.all(
      rest.map(({ repo, tag }) =>
        this.apiLimit(async () => {
          let resolution: TagResolution;
          try {
            resolution = await github.resolveTag(repo, tag);
          } catch (error) {
            rethrowIfFatal(error);
            resolution = { ok: false, reason: `cannot look up tag ${tag}: ${errorMessage(error)}` };
          }
          resolutions.set(tagKey(repo, tag), resolution);
        })
      )
    );
  }
}
