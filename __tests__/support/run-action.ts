import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summaryProblems } from './summary-checks.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TOOLS_BIN = join(ROOT, '.tools', 'bin');

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
  /** Workflow commands (::error ..., ::warning ...) the action printed. */
  annotations: { kind: string; properties: string; message: string }[];
  ms: number;
}

/** Read a GITHUB_OUTPUT file as the runner does (`name<<delimiter` blocks). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i]?.match(/^([^<=]+)<<(.+)$/);
    if (!m) continue;
    const [, name = '', delimiter] = m;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
    outputs[name] = value.join('\n');
  }
  return outputs;
}

function unescapeCommand(text: string): string {
  return text.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

/** Run a bundle as the Actions runner runs a JavaScript action: a node process with INPUT_* and GITHUB_* variables. */
export function runBundle(
  script: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 240_000,
  args: string[] = [],
  nodeArgs: string[] = [],
  control?: (child: ChildProcess, output: () => string) => void
): Promise<ActionRun> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, join(ROOT, script), ...args], {
      env: { ...env, PATH: `${TOOLS_BIN}:${env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    control?.(child, () => stdout);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const annotations = [...stdout.matchAll(/^::(error|warning|notice)( [^:]*)?::(.*)$/gm)].map((m) => ({
        kind: m[1] ?? '',
        properties: unescapeCommand(m[2] ?? ''),
        message: unescapeCommand(m[3] ?? '')
      }));
      const read = (file: string | undefined): string => (file && existsSync(file) ? readFileSync(file, 'utf8') : '');
      // every summary a test renders passes the report's checks (release rows add up, headings read, one fact one place)
      const problems = summaryProblems(read(env.GITHUB_STEP_SUMMARY));
      if (problems.length > 0) {
        reject(new Error(`the job summary fails its checks:\n- ${problems.join('\n- ')}\n\n${read(env.GITHUB_STEP_SUMMARY)}`));
        return;
      }
      resolvePromise({
        code: code ?? -1,
        stdout,
        stderr,
        summary: read(env.GITHUB_STEP_SUMMARY),
        outputs: env.GITHUB_OUTPUT ? parseOutputFile(read(env.GITHUB_OUTPUT)) : {},
        annotations,
        ms: Date.now() - started
      });
    });
  });
}
