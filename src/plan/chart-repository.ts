import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseYaml, isMapping } from '../yaml.js';
import { errorMessage, firstLine, NoAnswerError } from '../errors.js';
import { ArchiveRefused, extractChartArchive, type ArchiveLimits } from './chart-archive.js';
import { basicAuthorization, HttpTooLarge, type OriginBoundFetch } from '../http/origin-bound-fetch.js';
import { formatMegabytes, MEGABYTE } from '../bytes.js';

export interface ChartCredentials {
  username: string;
  password: string;
}

export interface DownloadedChart {
  url: string;
  /** Folder holding Chart.yaml, values.yaml, templates/ and vendored charts/. */
  dir: string;
  chartYaml: unknown;
  values: Record<string, unknown>;
}

export type ChartDownload = { ok: true; chart: DownloadedChart } | { ok: false; reason: string };

/** What one chart may take (configuration.limits), in bytes. */
export interface ChartLimits extends ArchiveLimits {
  maxDownloadBytes: number;
}

export const DEFAULT_CHART_LIMITS: ChartLimits = {
  maxDownloadBytes: 20 * MEGABYTE,
  maxUnpackedBytes: 50 * MEGABYTE,
  maxFileBytes: 20 * MEGABYTE
};

/**
 * Downloads chart archives, each URL once per run, and extracts them with the action's own bounded
 * reader, through the job's network policy: Basic auth goes only to the origin of the chart URL,
 * and redirects are followed only within it (a redirect to another origin fails the download,
 * naming both).
 */
export class ChartRepository {
  private readonly downloads = new Map<string, Promise<ChartDownload>>();
  private workDir: Promise<string> | undefined;
  private extracted = 0;

  private readonly timeoutMs: number;
  /** URLs downloaded whole: their hosts are the chart repository's (registry credentials may default to its). */
  private readonly served = new Set<string>();
  /** Origins that gave no answer: the job ends, later downloads from them are not even tried. */
  private readonly silent = new Map<string, NoAnswerError>();

  constructor(
    private readonly credentials: ChartCredentials | undefined,
    private readonly http: OriginBoundFetch,
    private readonly options: { timeoutMs?: number; tempRoot?: string; limits?: ChartLimits } = {}
  ) {
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  /** The same URL asked for twice (two branches, two releases of one chart) is downloaded once. */
  download(url: string): Promise<ChartDownload> {
    let pending = this.downloads.get(url);
    if (!pending) {
      pending = this.fetchAndExtract(url).catch((error: unknown) => {
        // a silent chart repository ends the job; any other failure is this chart's problem
        if (error instanceof NoAnswerError) throw error;
        return { ok: false as const, reason: errorMessage(error) };
      });
      this.downloads.set(url, pending);
    }
    return pending;
  }

  /** The archive at `url`, the whole download (redirects and body) within the deadline and the download bound. */
  private async fetchArchive(url: string): Promise<Buffer> {
    const origin = new URL(url).origin;
    const earlier = this.silent.get(origin);
    if (earlier) throw earlier;
    const limit = this.limits.maxDownloadBytes;
    let answer;
    try {
      answer = await this.http.request(
        url,
        { service: `chart repository ${origin}`, timeoutMs: this.timeoutMs, maxBytes: limit, redirects: 'same-origin' },
        {
          headers: { accept: 'application/gzip, application/octet-stream, */*' },
          ...(this.credentials
            ? { credential: { origin, authorization: basicAuthorization(this.credentials.username, this.credentials.password) } }
            : {})
        }
      );
    } catch (error) {
      if (error instanceof NoAnswerError) this.silent.set(origin, error);
      if (error instanceof HttpTooLarge)
        throw new Error(`the archive is larger than ${formatMegabytes(limit)} (configuration.limits.chart-download-megabytes)`, {
          cause: error
        });
      throw error;
    }
    const { status } = answer;
    if (status === 401 || status === 403) {
      throw new Error(
        `download answered ${status}: ${this.credentials ? 'the chart repository refused chart-repo-username/chart-repo-password' : 'the chart repository needs chart-repo-username and chart-repo-password'}`
      );
    }
    if (status === 404) throw new Error('download answered 404: no such chart version in the chart repository');
    if (status < 200 || status > 299) throw new Error(`download answered ${status} ${answer.statusText}`);
    this.served.add(url);
    return answer.body;
  }

  private get limits(): ChartLimits {
    return this.options.limits ?? DEFAULT_CHART_LIMITS;
  }

  private async fetchAndExtract(url: string): Promise<ChartDownload> {
    const archive = await this.fetchArchive(url);
    this.workDir ??= mkdtemp(join(this.options.tempRoot ?? tmpdir(), 'charts-'));
    const slot = String(this.extracted++);
    const dir = join(await this.workDir, slot, 'chart');
    await mkdir(dir, { recursive: true });
    // helm packages put everything under one top folder named after the chart: it is taken off
    try {
      await extractChartArchive(archive, dir, this.limits);
    } catch (error) {
      if (!(error instanceof ArchiveRefused)) throw error;
      await rm(join(dir, '..'), { recursive: true, force: true });
      return { ok: false, reason: `${error.invalid ? 'not a valid chart archive' : 'chart archive refused'}: ${error.message}` };
    }
    const chartText = await readFile(join(dir, 'Chart.yaml'), 'utf8').catch(() => undefined);
    if (chartText === undefined) return { ok: false, reason: 'not a valid chart archive: no Chart.yaml at its top' };
    let chartYaml: unknown;
    let values: unknown;
    try {
      chartYaml = parseYaml(chartText, 'Chart.yaml');
      values = parseYaml(await readFile(join(dir, 'values.yaml'), 'utf8').catch(() => ''), 'values.yaml');
    } catch (error) {
      return { ok: false, reason: `chart has invalid YAML: ${firstLine(errorMessage(error))}` };
    }
    return { ok: true, chart: { url, dir, chartYaml, values: isMapping(values) ? values : {} } };
  }

  /** The URLs downloaded whole so far. */
  downloaded(): string[] {
    return [...this.served];
  }

  async dispose(): Promise<void> {
    if (this.workDir) await rm(await this.workDir, { recursive: true, force: true });
  }
}
