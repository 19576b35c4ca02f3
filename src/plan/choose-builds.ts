import pLimit from 'p-limit';
import type { WorkflowOverride } from '../config/configuration.js';
import { errorMessage, rethrowIfFatal } from '../errors.js';
import type { PlannedBuild, PlannedImage, PlannedRepo } from './plan.js';
import { tagKey } from './plan.js';
import { FileTooLarge, type PlanningApi } from './planning-api.js';
import type { WorkflowChoice, WorkflowFileFacts, WorkflowInfo } from './workflow-choice.js';
import { chooseWorkflow, findOverride, inspectWorkflowFile } from './workflow-choice.js';

/** Workflow listings and file reads in flight at once: 8 repos' listings side by side, well under GitHub's 100 concurrent. */
const CONCURRENT_REQUESTS = 8;

/** Why one resolved image gets no build (the caller reports it where the image is named). */
export interface NoBuild {
  image: PlannedImage;
  reason: string;
}

/**
 * Choose the workflow of every resolved image, at its git tag, and group the images into builds
 * (a workflow at a tag builds once, however many images it builds). Workflow files come from the
 * tag snapshots planning already read; a file they lack is read with `api.readFile`.
 */
export class BuildChooser {
  private readonly workflowLists = new Map<string, Promise<WorkflowInfo[]>>();
  private readonly facts = new Map<string, Promise<WorkflowFileFacts | undefined>>();
  private readonly limit = pLimit(CONCURRENT_REQUESTS);

  constructor(
    private readonly api: Pick<PlanningApi, 'listWorkflows' | 'readFile'>,
    private readonly overrides: readonly WorkflowOverride[],
    /** Workflow files at each tag, by `tagKey(repo, tag)`, as the tag snapshots read them. */
    private readonly filesAtTags: ReadonlyMap<string, ReadonlyMap<string, string>>
  ) {}

  async choose(repos: readonly PlannedRepo[]): Promise<{ repos: PlannedRepo[]; noBuilds: NoBuild[] }> {
    const noBuilds: NoBuild[] = [];
    const chosen = await Promise.all(
      repos.map(async (repo) => {
        // the requests (workflow listings, the rare file read) are bounded, not the choices: an image waiting
        // for its repo's listing must not hold a slot another repo's listing needs
        const choices = await Promise.all(repo.images.map(async (image) => ({ image, choice: await this.chooseFor(image) })));
        const builds = new Map<string, PlannedBuild>();
        const images = choices.map(({ image, choice }): PlannedImage => {
          if (choice === undefined) return image;
          if (!choice.ok) {
            noBuilds.push({ image, reason: choice.reason });
            return { ...image, state: 'unresolved', reason: choice.reason };
          }
          const key = `${choice.workflow.id}\u0000${image.gitTag}`;
          const build = builds.get(key);
          if (build) build.images.push(image.fullImage);
          else
            builds.set(key, {
              githubRepo: repo.githubRepo,
              gitTag: image.gitTag,
              commit: image.commit ?? '',
              workflow: { id: choice.workflow.id, name: choice.workflow.name, path: choice.workflow.path },
              chosenBy: choice.how,
              images: [image.fullImage],
              ...(choice.dockerfile ? { dockerfile: choice.dockerfile } : {})
            });
          return image;
        });
        return { ...repo, images, builds: [...builds.values()] };
      })
    );
    return { repos: chosen, noBuilds };
  }

  /** The workflow of one image; undefined for an image already unresolved (its tag is missing). */
  private async chooseFor(image: PlannedImage): Promise<WorkflowChoice | undefined> {
    if (image.state !== 'resolved') return undefined;
    try {
      const workflows = await this.workflowsOf(image.githubRepo);
      const override = findOverride(this.overrides, image.githubRepo, image.name);
      return await chooseWorkflow(workflows, image.name, override, (w) => this.factsAt(image.githubRepo, w, image.gitTag));
    } catch (error) {
      rethrowIfFatal(error);
      return { ok: false, reason: `cannot read the workflows of ${image.githubRepo}: ${errorMessage(error)}` };
    }
  }

  private workflowsOf(repo: string): Promise<WorkflowInfo[]> {
    let pending = this.workflowLists.get(repo);
    if (!pending) {
      pending = this.limit(() => this.api.listWorkflows(repo));
      this.workflowLists.set(repo, pending);
    }
    return pending;
  }

  private factsAt(repo: string, workflow: WorkflowInfo, tag: string): Promise<WorkflowFileFacts | undefined> {
    const key = `${repo}\u0000${workflow.path}\u0000${tag}`;
    let pending = this.facts.get(key);
    if (!pending) {
      pending = this.readAt(repo, workflow.path, tag).then(
        (text) => (text === undefined ? undefined : inspectWorkflowFile(text, workflow.path)),
        (error: unknown) => {
          if (error instanceof FileTooLarge) return { imageNames: [], dispatchable: false, unreadable: error.message };
          throw error;
        }
      );
      this.facts.set(key, pending);
    }
    return pending;
  }

  /** A workflow file at a tag: from the snapshot when the tag's workflow folder came back (absent there: absent), else read. */
  private async readAt(repo: string, path: string, tag: string): Promise<string | undefined> {
    const files = this.filesAtTags.get(tagKey(repo, tag));
    if (files) return files.get(path);
    return this.limit(() => this.api.readFile(repo, path, tag));
  }
}
