import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseYaml, isMapping } from '../yaml.js';
import { errorMessage, firstLine, ForeignOriginError, NoAnswerError } from '../errors.js';
import { ArchiveRefused, extractChartArchive, type ArchiveLimits } from './chart-archive.js';
import { formatDuration } from '../duration.js';
import { createProxyFetch } from '../proxy-fetch.js';
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

/** The part of fetch the chart repository uses. */
export type ChartFetch = (
  url: string,
  init: { headers: Record<string, string>; redirect: 'manual'; signal: AbortSignal }
) => Promise<{
  status: number;
  statusText: string;
  ok: boolean;
  headers: { get(name: string): string | null };
  body: ReadableStream<Uint8Array> | null;
}>;

const MAX_REDIRECTS = 5;

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
 * reader. Basic auth goes only to the origin of the chart URL, and redirects are followed only
 * within it: a redirect to another origin fails the download, naming both.
 */
export class ChartRepository {
  private readonly downloads = new Map<string, Promise<ChartDownload>>();
  private workDir: Promise<string> | undefined;
  private extracted = 0;

  private readonly fetchImpl: ChartFetch;
  private readonly timeoutMs: number;
  /** Origins that gave no answer: the job ends, later downloads from them are not even tried. */
  private readonly silent = new Map<string, NoAnswerError>();

  constructor(
    private readonly credentials: ChartCredentials | undefined,
    private readonly options: { timeoutMs?: number; fetch?: ChartFetch; tempRoot?: string; limits?: ChartLimits } = {}
  ) {
    this.fetchImpl = options.fetch ?? createProxyFetch();
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

  /** The archive at `url`, the whole download (redirects and body) within the deadline. */
  private async fetchArchive(url: string): Promise<Buffer> {
    const origin = new URL(url).origin;
    const earlier = this.silent.get(origin);
    if (earlier) throw earlier;
    const deadline = AbortSignal.timeout(this.timeoutMs);
    try {
      return await this.fetchFollowingRedirects(url, deadline);
    } catch (error) {
      if (!deadline.aborted) throw error;
      const { pathname } = new URL(url);
      const silent = new NoAnswerError(`chart repository ${origin}: GET ${pathname} gave no answer in ${formatDuration(this.timeoutMs)}`);
      this.silent.set(origin, silent);
      throw silent;
    }
  }

  private async fetchFollowingRedirects(url: string, signal: AbortSignal): Promise<Buffer> {
    const origin = new URL(url).origin;
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = { accept: 'application/gzip, application/octet-stream, */*' };
      if (this.credentials) {
        headers.authorization = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
      }
      const response = await this.fetchImpl(current, { headers, redirect: 'manual', signal });
      if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
        await response.body?.cancel();
        const next = new URL(response.headers.get('location') ?? '', current);
        if (next.origin !== origin)
          throw new ForeignOriginError(`chart repository ${origin}`, `GET ${new URL(url).pathname}`, next.origin, 'was redirected to');
        current = next.toString();
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw new Error(
          `download answered ${response.status}: ${this.credentials ? 'the chart repository refused chart-repo-username/chart-repo-password' : 'the chart repository needs chart-repo-username and chart-repo-password'}`
        );
      }
      if (response.status === 404) throw new Error('download answered 404: no such chart version in the chart repository');
      if (!response.ok) throw new Error(`download answered ${response.status} ${response.statusText}`);
      return await this.readBounded(response);
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects`);
  }

  /** The body, read as it comes, up to the download bound (a Content-Length above it is refused before reading). */
  private async readBounded(response: Awaited<ReturnType<ChartFetch>>): Promise<Buffer> {
    const limit = this.limits.maxDownloadBytes;
    const tooLarge = `the archive is larger than ${formatMegabytes(limit)} (configuration.limits.chart-download-megabytes)`;
    if (Number(response.headers.get('content-length') ?? 0) > limit) {
      await response.body?.cancel();
      throw new Error(tooLarge);
    }
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    const reader = response.body?.getReader();
    for (;;) {
      const next = await reader?.read();
      if (!next || next.done) break;
      bytes += next.value.length;
      if (bytes > limit) {
        await reader?.cancel();
        throw new Error(tooLarge);
      }
      chunks.push(next.value);
    }
    return Buffer.concat(chunks);
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

  async dispose(): Promise<void> {
    if (this.workDir) await rm(await this.workDir, { recursive: true, force: true });
  }
}
