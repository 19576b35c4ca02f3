import type { WorkflowOverride } from '../config/configuration.js';
import { isMapping, parseYaml, yamlProblem } from '../yaml.js';

export interface WorkflowInfo {
  id: number;
  name: string;
  /** `.github/workflows/build_and_release_image.yaml` */
  path: string;
  state: string;
}

/** What a workflow file at a git tag says: the images it builds (`image-name` inputs) and whether it can be dispatched. */
export interface WorkflowFileFacts {
  imageNames: string[];
  dispatchable: boolean;
  /** The file is there but cannot be read: too large, over the YAML budget, or not valid YAML. */
  unreadable?: string;
  /** The Dockerfile it builds, from its `docker-build-file` or `docker-build-context` input (the root `Dockerfile` without them). */
  dockerfile?: string;
}

/** A repo path without `./` and `..`-free, or undefined for one that leaves the repo. */
function repoPath(path: string): string | undefined {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return undefined;
    parts.push(part);
  }
  return parts.length > 0 ? parts.join('/') : undefined;
}

/** The Dockerfile a workflow's `with:` names: `docker-build-file`, else `Dockerfile` in `docker-build-context`. */
export function dockerfileOf(withBlock: Record<string, unknown>): string | undefined {
  const file = withBlock['docker-build-file'];
  if (typeof file === 'string' && file.trim() !== '') return repoPath(file.trim());
  const context = withBlock['docker-build-context'];
  if (typeof context === 'string' && context.trim() !== '') return repoPath(`${context.trim()}/Dockerfile`);
  return undefined;
}

/** The original tool's rules: which workflow names build which kind of image. */
export function workflowNamesFor(image: string): string[] {
  if (image === 'hms-test') return ['Build and Publish hms-test Docker image'];
  if (image.endsWith('-test')) return ['Build and Publish CT Docker Images'];
  return ['Build and Publish Service Docker Images', 'Build and Publish Docker Images'];
}

function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A configured override for this image, if any (first match wins). */
export function findOverride(overrides: readonly WorkflowOverride[], repo: string, image: string): WorkflowOverride | undefined {
  return overrides.find(
    (o) => (o['github-repo'] === undefined || o['github-repo'] === repo) && (o.image === undefined || o.image === image)
  );
}

export function workflowMatches(workflow: WorkflowInfo, nameOrFile: string): boolean {
  return workflow.name === nameOrFile || workflow.path === nameOrFile || fileName(workflow.path) === nameOrFile;
}

/**
 * The order in which to read workflow files at the tag: the override alone when there is one;
 * otherwise the workflows the name rules expect first (usually the only read needed), then the rest.
 */
export function workflowsToInspect(
  workflows: readonly WorkflowInfo[],
  image: string,
  override: WorkflowOverride | undefined
): WorkflowInfo[] {
  const active = workflows.filter((w) => w.state === 'active');
  if (override) return active.filter((w) => workflowMatches(w, override.workflow));
  const names = workflowNamesFor(image);
  const expected = names.flatMap((n) => active.filter((w) => w.name === n));
  return [...expected, ...active.filter((w) => !expected.includes(w))];
}

function triggers(on: unknown): string[] {
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.filter((t): t is string => typeof t === 'string');
  if (isMapping(on)) return Object.keys(on);
  return [];
}

/** Read a workflow file: its `on:` triggers and every `image-name` input of its jobs and steps. */
export function inspectWorkflowFile(text: string, path: string): WorkflowFileFacts | undefined {
  let doc: unknown;
  try {
    doc = parseYaml(text, path);
  } catch (error) {
    return { imageNames: [], dispatchable: false, unreadable: yamlProblem(text, error) };
  }
  if (!isMapping(doc)) return { imageNames: [], dispatchable: false, unreadable: 'not a workflow: its top is not a mapping' };
  // YAML 1.1 readers turn the key `on` into `true`; accept both spellings
  const on = 'on' in doc ? doc.on : doc.true;
  const imageNames = new Set<string>();
  let dockerfile: string | undefined;
  const jobs = isMapping(doc.jobs) ? Object.values(doc.jobs) : [];
  const addFrom = (withBlock: unknown): void => {
    if (!isMapping(withBlock)) return;
    if (typeof withBlock['image-name'] === 'string') imageNames.add(withBlock['image-name']);
    dockerfile ??= dockerfileOf(withBlock);
  };
  for (const job of jobs) {
    if (!isMapping(job)) continue;
    addFrom(job.with);
    if (Array.isArray(job.steps)) for (const step of job.steps) if (isMapping(step)) addFrom(step.with);
  }
  return { imageNames: [...imageNames], dispatchable: triggers(on).includes('workflow_dispatch'), ...(dockerfile ? { dockerfile } : {}) };
}

export type WorkflowChoice =
  | { ok: true; workflow: WorkflowInfo; how: 'image-name' | 'workflow-name' | 'override'; dockerfile?: string }
  | { ok: false; reason: string; workflow?: WorkflowInfo };

/**
 * Pick the workflow that builds `image` at a tag. `readFacts` reads one workflow file at the tag
 * (cached by the caller); files are read in `workflowsToInspect` order and reading stops at the
 * first file whose `image-name` is the image.
 */
export async function chooseWorkflow(
  workflows: readonly WorkflowInfo[],
  image: string,
  override: WorkflowOverride | undefined,
  readFacts: (workflow: WorkflowInfo) => Promise<WorkflowFileFacts | undefined>
): Promise<WorkflowChoice> {
  const order = workflowsToInspect(workflows, image, override);
  if (override && order.length === 0)
    return { ok: false, reason: `workflow-overrides names "${override.workflow}", which is not an active workflow of the repo` };
  const byName = new Set(workflowNamesFor(image));
  let fallback: { workflow: WorkflowInfo; facts: WorkflowFileFacts | undefined } | undefined;
  for (const workflow of order) {
    const facts = await readFacts(workflow);
    if (override) return decide(workflow, facts, 'override');
    if (facts?.imageNames.includes(image)) return decide(workflow, facts, 'image-name');
    // a file naming other images builds those images: the name rule must not pick it
    if (!fallback && byName.has(workflow.name) && (facts === undefined || facts.imageNames.length === 0)) fallback = { workflow, facts };
  }
  if (fallback) return decide(fallback.workflow, fallback.facts, 'workflow-name');
  return {
    ok: false,
    reason: `no workflow builds image ${image}: none has image-name ${image} and none is named ${[...byName].map((n) => `"${n}"`).join(' or ')}`
  };
}

function decide(
  workflow: WorkflowInfo,
  facts: WorkflowFileFacts | undefined,
  how: 'image-name' | 'workflow-name' | 'override'
): WorkflowChoice {
  if (facts === undefined) return { ok: false, workflow, reason: `workflow ${workflow.path} does not exist at this tag` };
  if (facts.unreadable) return { ok: false, workflow, reason: `workflow ${workflow.path} at this tag cannot be read: ${facts.unreadable}` };
  if (!facts.dispatchable)
    return { ok: false, workflow, reason: `workflow "${workflow.name}" (${workflow.path}) has no workflow_dispatch trigger at this tag` };
  return { ok: true, workflow, how, ...(facts.dockerfile ? { dockerfile: facts.dockerfile } : {}) };
}
