import { isMapping } from '../yaml.js';
import { splitImageReference } from './found-image.js';

/** Helm's merge of values: maps merge key by key, anything else is replaced by the override. */
export function mergeValues(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isMapping(current) && isMapping(value) ? mergeValues(current, value) : value;
  }
  return merged;
}

function at(values: unknown, ...keys: string[]): unknown {
  let node = values;
  for (const key of keys) node = isMapping(node) ? node[key] : undefined;
  return node;
}

/**
 * The image repositories a chart builds, as its values name them: `image.repository`,
 * `tests.image.repository` and `cray-service.containers.*.image.repository`.
 */
export function builtRepositories(values: Record<string, unknown>): Set<string> {
  const found = new Set<string>();
  const add = (v: unknown): void => {
    if (typeof v === 'string' && v.length > 0) found.add(v);
  };
  add(at(values, 'image', 'repository'));
  add(at(values, 'tests', 'image', 'repository'));
  const containers = at(values, 'cray-service', 'containers');
  if (isMapping(containers)) for (const container of Object.values(containers)) add(at(container, 'image', 'repository'));
  return found;
}

/** Every `image` of every container and initContainer in rendered Kubernetes documents, wherever it sits. */
export function findContainerImages(documents: unknown[]): string[] {
  const images = new Set<string>();
  const visit = (node: unknown, depth: number): void => {
    if (depth > 64) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1);
      return;
    }
    if (!isMapping(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
        for (const container of value) if (isMapping(container) && typeof container.image === 'string') images.add(container.image.trim());
      }
      visit(value, depth + 1);
    }
  };
  visit(documents, 0);
  return [...images];
}

export interface ChartImage {
  repository: string;
  tag: string;
}

/** The rendered images whose repository the chart builds (sidecars and third-party images are left out). */
export function findChartImages(documents: unknown[], values: Record<string, unknown>): ChartImage[] {
  const built = builtRepositories(values);
  const result: ChartImage[] = [];
  for (const image of findContainerImages(documents)) {
    const parts = splitImageReference(image);
    if (parts && built.has(parts.repository)) result.push(parts);
  }
  return result.sort((a, b) => compareText(a.repository, b.repository) || compareText(a.tag, b.tag));
}

/** The chart's GitHub repository: the last path segment of `sources[0]` in Chart.yaml. */
export function chartGithubRepo(chartYaml: unknown): string | undefined {
  const sources = isMapping(chartYaml) ? chartYaml.sources : undefined;
  const first: unknown = Array.isArray(sources) ? sources[0] : undefined;
  if (typeof first !== 'string') return undefined;
  const segment = first
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/')
    .pop();
  return segment || undefined;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
