import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, TOOLS_BIN } from '../support/run-action.js';
import { localActionEnv, startSampleStream, type LocalParts } from '../support/sample-stream.js';

/** `npm run local-action -- <env>` (scripts/local-action.mjs around `local-action run . src/action.ts <env>`): its exit code and what it printed. */
function runLocalAction(envFile: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/local-action.mjs'), envFile], {
      cwd: ROOT,
      env: { PATH: `${TOOLS_BIN}:${process.env.PATH ?? ''}`, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe("GitHub's @github/local-action running the action from its TypeScript sources", () => {
  let parts: LocalParts;
  afterAll(async () => {
    await parts?.stop();
  });

  it('dry-runs the sample stream against the demo servers with the .env that `npm run demo -- --serve` writes', async () => {
    parts = await startSampleStream();
    const envFile = join(parts.workDir, '.env');
    writeFileSync(envFile, `${localActionEnv(parts)}\n`);
    const run = await runLocalAction(envFile);
    expect(run.code).toBe(0);
    expect(run.out).toContain('## Rebuild plan for Cray-HPE/csm');
    expect(run.out).toMatch(/13 builds of 14 images in 6 repos/);
    const plan = JSON.parse(readFileSync(join(parts.workDir, 'plan.json'), 'utf8')) as { org: string; repos: unknown[] };
    expect(plan).toMatchObject({ org: 'Cray-HPE' });
    expect(plan.repos).toHaveLength(6);
    // a dry run dispatches nothing
    expect(parts.github.dispatches).toEqual([]);
    // the committed example names the same variables
    const names = (text: string) =>
      text
        .split('\n')
        .filter((l) => /^[A-Z_-]+=/.test(l))
        .map((l) => l.split('=')[0]);
    expect(names(readFileSync(join(ROOT, '.env.example'), 'utf8'))).toEqual(names(localActionEnv(parts)));
  }, 180_000);

  it('exits 1 when the action fails, and says in one line how to make a missing .env', async () => {
    const bad = join(parts.workDir, 'bad.env');
    writeFileSync(bad, `INPUT_CONFIG=${join(parts.workDir, 'no-such.yaml')}\nINPUT_DRY-RUN=true\nINPUT_TOKEN=test-token\n`);
    const failed = await runLocalAction(bad);
    expect(failed.code).toBe(1);
    expect(failed.out).toContain('local-action: the action failed');
    const missing = await runLocalAction(join(parts.workDir, 'none.env'));
    expect(missing.code).toBe(1);
    expect(missing.out.trim().split('\n')).toEqual([
      `local-action: ${join(parts.workDir, 'none.env')} not found: start the demo servers with \`npm run demo -- --serve\` in another terminal (it writes .env.demo), or copy .env.example to .env and fill it in`
    ]);
  }, 180_000);
});
