import type { AnchoredPattern } from '../config/configuration.js';
import { isMapping, parseYaml, yamlProblem } from '../yaml.js';

/** One chart entry of a loftsman manifest (`spec.charts[i]`) with the location of its source. */
export interface ManifestChart {
  file: string;
  yamlPath: string;
  name: string;
  version: string;
  releaseName: string;
  namespace?: string;
  /** `spec.sources.charts[].location` of the entry's `source`, when the manifest names it. */
  sourceLocation?: string;
  sourceName?: string;
  values: Record<string, unknown>;
}

export interface ManifestProblem {
  file: string;
  yamlPath?: string;
  message: string;
}

export interface ParsedManifest {
  charts: ManifestChart[];
  problems: ManifestProblem[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined);

/** Read the charts of one loftsman manifest (`apiVersion: manifests/v1beta1`). */
export function parseLoftsmanManifest(text: string, file: string): ParsedManifest {
  const result: ParsedManifest = { charts: [], problems: [] };
  let document: unknown;
  try {
    document = parseYaml(text, file);
  } catch (error) {
    result.problems.push({ file, message: yamlProblem(text, error) });
    return result;
  }
  if (document === undefined) return result;
  if (!isMapping(document) || !isMapping(document.spec)) {
    result.problems.push({ file, yamlPath: 'spec', message: 'not a loftsman manifest: no spec mapping' });
    return result;
  }
  const spec = document.spec;
  const sources = new Map<string, string>();
  const sourceCharts = isMapping(spec.sources) ? spec.sources.charts : undefined;
  if (Array.isArray(sourceCharts)) {
    sourceCharts.forEach((source, i) => {
      const name = isMapping(source) ? str(source.name) : undefined;
      const location = isMapping(source) ? str(source.location) : undefined;
      if (name && location) sources.set(name, location);
      else result.problems.push({ file, yamlPath: `spec.sources.charts[${i}]`, message: 'a chart source needs a name and a location' });
    });
  }
  if (spec.charts === undefined || spec.charts === null) return result;
  if (!Array.isArray(spec.charts)) {
    result.problems.push({ file, yamlPath: 'spec.charts', message: 'must be a list' });
    return result;
  }
  spec.charts.forEach((entry, i) => {
    const yamlPath = `spec.charts[${i}]`;
    if (!isMapping(entry)) {
      result.problems.push({ file, yamlPath, message: 'must be a mapping' });
      return;
    }
    const name = str(entry.name);
    const version = str(entry.version);
    if (!name || !version) {
      result.problems.push({ file, yamlPath, message: `a chart entry needs a name and a version${name ? ` (chart ${name})` : ''}` });
      return;
    }
    if (entry.values !== undefined && entry.values !== null && !isMapping(entry.values)) {
      result.problems.push({ file, yamlPath: `${yamlPath}.values`, message: `values of chart ${name} must be a mapping` });
      return;
    }
    const sourceName = str(entry.source);
    result.charts.push({
      file,
      yamlPath,
      name,
      version,
      releaseName: str(entry.releaseName) ?? name,
      namespace: str(entry.namespace),
      sourceName,
      sourceLocation: sourceName ? sources.get(sourceName) : undefined,
      values: isMapping(entry.values) ? entry.values : {}
    });
  });
  return result;
}

/** Charts whose name matches the configured regex (anchored at the start). */
export function selectCharts(charts: ManifestChart[], chartPattern: AnchoredPattern): ManifestChart[] {
  return charts.filter((c) => chartPattern.test(c.name));
}

/** `<base>/<path>/<chart>-<version>.tgz`, with exactly one slash at each joint. */
export function chartDownloadUrl(base: string, path: string, chart: string, version: string): string {
  const parts = [base.replace(/\/+$/, ''), path.replace(/^\/+|\/+$/g, ''), `${chart}-${version}.tgz`].filter((p) => p.length > 0);
  return parts.join('/');
}

/** Apply `FROM=TO` prefix rewrites (a chart repository mirror); first match wins. */
export function rewriteUrl(url: string, rewrites: readonly { from: string; to: string }[]): string {
  for (const { from, to } of rewrites) if (url.startsWith(from)) return to + url.slice(from.length);
  return url;
}
