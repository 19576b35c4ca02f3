import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { basicAuthOf, listen, type RunningServer } from './http.js';

export const HELM = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '.tools', 'bin', 'helm');

export function helmAvailable(): boolean {
  return existsSync(HELM);
}

export interface ChartRepoServer extends RunningServer {
  root: string;
  /** Every request: path and whether it carried the right credentials. */
  requests: { path: string; authorized: boolean }[];
  /** Put raw bytes at a path (for corrupt archives). */
  put(path: string, bytes: Buffer | string): void;
  /** `helm package` a chart folder into `<path>/`. */
  addChart(path: string, chartDir: string): void;
}

/** A chart repository over HTTP with basic auth, serving files from a temp folder. */
export async function startChartRepo(credentials: { username: string; password: string }): Promise<ChartRepoServer> {
  const root = mkdtempSync(join(tmpdir(), 'chart-repo-'));
  const requests: ChartRepoServer['requests'] = [];
  const server = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const auth = basicAuthOf(req);
    const authorized = auth?.user === credentials.username && auth.password === credentials.password;
    requests.push({ path: url.pathname, authorized });
    if (!authorized) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="charts"' });
      res.end();
      return;
    }
    const file = join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/gzip' });
    res.end(readFileSync(file));
  });
  const helmHome = mkdtempSync(join(tmpdir(), 'helm-package-'));
  const helmEnv = {
    ...process.env,
    HELM_CACHE_HOME: join(helmHome, 'c'),
    HELM_CONFIG_HOME: join(helmHome, 'g'),
    HELM_DATA_HOME: join(helmHome, 'd')
  };
  return {
    ...server,
    root,
    requests,
    put(path, bytes) {
      const file = join(root, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, bytes);
    },
    addChart(path, chartDir) {
      const dest = join(root, path);
      mkdirSync(dest, { recursive: true });
      execFileSync(HELM, ['package', chartDir, '--destination', dest], { env: helmEnv, stdio: 'pipe' });
    },
    close: async () => {
      await server.close();
      rmSync(root, { recursive: true, force: true });
      rmSync(helmHome, { recursive: true, force: true });
    }
  };
}
