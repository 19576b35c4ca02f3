import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
