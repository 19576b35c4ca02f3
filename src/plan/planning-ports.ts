import type { PackageReading } from '../packages/package-evidence.js';
import type { LayerSource } from '../packages/image-packages.js';
import type { ChartDownload } from './chart-repository.js';
import type { RemoteBranch } from './git.js';
import type { OpenedBranch } from './product-stream.js';
import type { PlanningApi } from './planning-api.js';
import type { ImageRegistry } from './decide-rebuilds.js';

/** The product stream repo as planning reads it (src/plan/git.ts and product-stream.ts implement it). */
export interface ProductStreamPort {
  listBranches(): Promise<RemoteBranch[]>;
  fetchTips(branches: readonly string[]): Promise<void>;
  /** A branch's files, its render script run or not as the run says. */
  openBranch(branch: RemoteBranch): Promise<OpenedBranch>;
}

/** The chart repository (chart-repository.ts implements it). */
export interface ChartSourcePort {
  download(url: string): Promise<ChartDownload>;
  /** The URLs downloaded whole so far: their hosts are the chart repository's. */
  downloaded(): string[];
}

/** helm (helm.ts implements it). */
export interface ChartRendererPort {
  template(chartDir: string, releaseName: string, namespace: string | undefined, values: Record<string, unknown>): Promise<string>;
}

/**
 * Everything planning reaches outside the process, built by the composition root from the effective
 * run and passed in: a test can plan through the real adapters or through a table.
 */
export interface PlanningPorts {
  productStream: ProductStreamPort;
  charts: ChartSourcePort;
  /** None when charts are skipped. */
  helm: ChartRendererPort | undefined;
  /** GitHub for these image repos only (asked once the branches named them). */
  github(repos: readonly string[]): PlanningApi;
  /** The registry of the rebuild decisions (rebuild: when-outdated), made once the chart hosts are known: images' facts and layers. */
  registry(chartHosts: ReadonlySet<string>): ImageRegistry & LayerSource;
  /** Package indexes, security databases and releases.json (rebuild: when-outdated); none: dates alone decide. */
  packageIndexes?(): PackageReading['indexes'];
}
