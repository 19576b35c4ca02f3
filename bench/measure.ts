import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfiguration } from '../src/config/load.js';
import { REAL_CHART_HOST, startRealWorldStream, type RealWorldParts } from '../__tests__/support/real-world-stream.js';
import { REAL_WORLD } from '../__tests__/support/shared.js';
import { ROOT, runBundle, type ActionRun } from '../__tests__/support/run-action.js';
import { ORG } from '../__tests__/support/sample-stream.js';

export type Measured = ActionRun & { peakRssMb: number };

/** The built action, as the runner runs it, with its peak memory (printed on exit by report-peak-memory.mjs). */
export async function runMeasured(env: NodeJS.ProcessEnv): Promise<Measured> {
  const run = await runBundle('dist/index.js', env, 3_600_000, [], ['--import', join(ROOT, 'bench', 'report-peak-memory.mjs')]);
  return { ...run, peakRssMb: Number(run.stderr.match(/peak-rss-kb (\d+)/)?.[1] ?? 0) / 1024 };
}

export function runnerEnv(work: string, api: string, server: string, inputs: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_API_URL: api,
    GITHUB_SERVER_URL: server,
    GITHUB_REPOSITORY: `${ORG}/hms-build-workflow-dispatcher`,
    GITHUB_WORKSPACE: work,
    GITHUB_OUTPUT: join(work, 'output'),
    GITHUB_STEP_SUMMARY: join(work, 'summary.md')
  };
  writeFileSync(env.GITHUB_OUTPUT ?? '', '');
  writeFileSync(env.GITHUB_STEP_SUMMARY ?? '', '');
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return env;
}

/** The real CSM world a bench plans from: the configuration, the stream's servers, a work folder, and the dry run's inputs. */
export interface RealWorldBench {
  configFile: string;
  parts: RealWorldParts;
  work: string;
  /** A dry run of configuration_csm.yaml against the stream's servers, the chart repository rewritten to its local copy. */
  inputs: Record<string, string>;
  /** Stop the servers and remove the work folder. */
  close(): Promise<void>;
}

/** Open the real-world stream of configuration_csm.yaml (../shared/real-world must be there). */
export async function openRealWorldBench(prefix: string): Promise<RealWorldBench> {
  const configFile = join(REAL_WORLD, 'configs', 'configuration_csm.yaml');
  const config = await loadConfiguration(configFile);
  if (!config.ok) throw new Error(config.errors.join('\n'));
  const parts = await startRealWorldStream(new Map(config.config['helm-repo-lookup'].map((l) => [l.chart, l.path])));
  const work = mkdtempSync(join(tmpdir(), prefix));
  return {
    configFile,
    parts,
    work,
    inputs: {
      config: configFile,
      'dry-run': 'true',
      token: 'test-token',
      'chart-repo-username': 'reader',
      'chart-repo-password': 'real-world-pw',
      'chart-repo-rewrite': `${REAL_CHART_HOST}=${parts.charts.url}/`
    },
    close: async () => {
      await parts.stop();
      rmSync(work, { recursive: true, force: true });
    }
  };
}
