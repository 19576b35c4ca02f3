import { spawn } from 'node:child_process';
import { MEGABYTE } from './bytes.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stdoutBytes: Buffer;
  stderr: string;
  /** The signal that ended the program, if one did (SIGKILL when the timeout passed). */
  signal?: NodeJS.Signals;
  /** stdout passed `maxOutputBytes`: the program was stopped, and `stdout` holds only its start. */
  outputCapped?: boolean;
}

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Kill the process after this many milliseconds. */
  timeoutMs?: number;
  /**
   * Kill the process once its stdout passes this many bytes (`outputCapped` is then set): a
   * program printing without end must not grow a string past what Node can hold. Default 64 MB.
   */
  maxOutputBytes?: number;
  /** The job's signal: the program is killed when the job ends or is cancelled. */
  signal?: AbortSignal;
}

/** What a child may print to stdout unless told otherwise: well under Node's 512 MB string limit. */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * MEGABYTE;
/** What is kept of stderr: its end says why a program failed. */
const MAX_STDERR_BYTES = MEGABYTE;

/** Run a program without a shell; output is captured, never echoed (it may hold what a secret guards). */
export function execCapture(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    let outBytes = 0;
    let errBytes = 0;
    let capped = false;
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    if (options.signal?.aborted) child.kill('SIGKILL');
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('close', () => options.signal?.removeEventListener('abort', onAbort));
    child.stdout.on('data', (d: Buffer) => {
      if (capped) return;
      outBytes += d.length;
      if (outBytes > maxOutput) {
        capped = true;
        child.kill('SIGKILL');
        return;
      }
      out.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      errBytes += d.length;
      err.push(d);
      // keep the end: drop the oldest chunks past the bound
      while (errBytes > MAX_STDERR_BYTES && err.length > 1) errBytes -= err.shift()?.length ?? 0;
    });
    child.on('error', (error) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`cannot run ${file}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: stdoutBytes.toString('utf8'),
        stdoutBytes,
        stderr: Buffer.concat(err).toString('utf8') + (signal ? `\n(killed by ${signal})` : ''),
        ...(signal ? { signal } : {}),
        ...(capped ? { outputCapped: true } : {})
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** The last lines of a program's stderr, for an error message. */
export function tail(text: string, lines = 5): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}
