import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChartRepository } from '../../src/plan/chart-repository.js';
import { findChartImages, mergeValues, chartGithubRepo } from '../../src/plan/chart-images.js';
import { Helm } from '../../src/plan/helm.js';
import { parseYamlDocuments } from '../../src/yaml.js';
import { HELM, startChartRepo, type ChartRepoServer } from '../support/chart-repo.js';
import { REGISTRY, writeHmsChart } from '../support/charts.js';
import { testHttp } from '../support/network.js';

describe('chart repository and helm (real helm, local chart repository with basic auth)', () => {
  const credentials = { username: 'reader', password: 'pa55word-xyz' };
  let server: ChartRepoServer;
  let helm: Helm;
  const src = mkdtempSync(join(tmpdir(), 'chart-test-'));

  beforeAll(async () => {
    server = await startChartRepo(credentials);
    server.addChart(
      'stable/cray-hms-smd',
      writeHmsChart({ name: 'cray-hms-smd', version: '7.1.18', githubRepo: 'hms-smd', image: 'cray-smd', appVersion: '2.23.0' }, src)
    );
    server.addChart(
      'stable/cray-hms-rts',
      writeHmsChart(
        { name: 'cray-hms-rts', version: '5.0.0', githubRepo: 'hms-rts', image: 'cray-hms-rts', appVersion: '3.1.0', style: 'plain' },
        src
      )
    );
    server.put('stable/corrupt/corrupt-1.0.0.tgz', 'this is not a gzip archive');
    helm = await Helm.create(HELM);
  });
  afterAll(async () => {
    await Promise.all([server.close(), helm.dispose()]);
    rmSync(src, { recursive: true, force: true });
  });

  it('downloads a chart once with basic auth and renders it with the manifest values', async () => {
    const charts = new ChartRepository(credentials, testHttp());
    const url = `${server.url}/stable/cray-hms-smd/cray-hms-smd-7.1.18.tgz`;
    const [first, second] = await Promise.all([charts.download(url), charts.download(url)]);
    expect(first).toBe(second);
    expect(server.requests.filter((r) => r.path.endsWith('cray-hms-smd-7.1.18.tgz'))).toEqual([
      { path: '/stable/cray-hms-smd/cray-hms-smd-7.1.18.tgz', authorized: true }
    ]);
    if (!first.ok) throw new Error(first.reason);
    expect(chartGithubRepo(first.chart.chartYaml)).toBe('hms-smd');
    const overrides = { global: { appVersion: '2.24.0' } };
    const rendered = await helm.template(first.chart.dir, 'cray-hms-smd', 'services', overrides);
    const images = findChartImages(parseYamlDocuments(rendered, 'r'), mergeValues(first.chart.values, overrides));
    expect(images).toEqual([
      { repository: `${REGISTRY}/cray-smd`, tag: '2.24.0' },
      { repository: `${REGISTRY}/cray-smd-test`, tag: '2.23.0' }
    ]);
    await charts.dispose();
  });

  it('explains 401, 404 and corrupt archives', async () => {
    const anonymous = new ChartRepository(undefined, testHttp());
    const denied = await anonymous.download(`${server.url}/stable/cray-hms-smd/cray-hms-smd-7.1.18.tgz`);
    expect(denied).toEqual({
      ok: false,
      reason: 'download answered 401: the chart repository needs chart-repo-username and chart-repo-password'
    });
    const wrong = new ChartRepository({ username: 'reader', password: 'nope' }, testHttp());
    expect(await wrong.download(`${server.url}/stable/cray-hms-smd/cray-hms-smd-7.1.18.tgz`)).toEqual({
      ok: false,
      reason: 'download answered 401: the chart repository refused chart-repo-username/chart-repo-password'
    });
    const charts = new ChartRepository(credentials, testHttp());
    expect(await charts.download(`${server.url}/stable/cray-hms-smd/cray-hms-smd-9.9.9.tgz`)).toEqual({
      ok: false,
      reason: 'download answered 404: no such chart version in the chart repository'
    });
    const corrupt = await charts.download(`${server.url}/stable/corrupt/corrupt-1.0.0.tgz`);
    expect(corrupt.ok).toBe(false);
    if (!corrupt.ok) expect(corrupt.reason).toMatch(/^not a valid chart archive/);
    await Promise.all([anonymous.dispose(), wrong.dispose(), charts.dispose()]);
  });

  it("reports helm's stderr when a render fails", async () => {
    const charts = new ChartRepository(credentials, testHttp());
    const result = await charts.download(`${server.url}/stable/cray-hms-rts/cray-hms-rts-5.0.0.tgz`);
    if (!result.ok) throw new Error(result.reason);
    await expect(helm.template(result.chart.dir, 'Bad_Release_Name!', 'services', {})).rejects.toThrow(
      /^helm template failed: .*release name/i
    );
    await charts.dispose();
  });

  it('goes through the proxy that http_proxy names (a chart repository only reachable that way)', async () => {
    const tunnels: string[] = [];
    const proxy = createServer((_req, res) => {
      res.writeHead(405);
      res.end();
    });
    // a forward proxy that sends every tunnel to the local chart repository, whatever host was asked for
    proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const target = new URL(server.url);
      const upstream = connect(Number(target.port), target.hostname, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const saved = process.env.http_proxy;
    process.env.http_proxy = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const charts = new ChartRepository(credentials, testHttp());
      const result = await charts.download('http://charts.example.test/stable/cray-hms-smd/cray-hms-smd-7.1.18.tgz');
      expect(result.ok).toBe(true);
      expect(tunnels).toEqual(['charts.example.test:80']);
      await charts.dispose();
    } finally {
      if (saved === undefined) delete process.env.http_proxy;
      else process.env.http_proxy = saved;
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});
