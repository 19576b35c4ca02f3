import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { existsSync } from 'node:fs';
import { execCapture, tail } from '../exec.js';
import { toYaml } from '../yaml.js';
import { formatDuration } from '../duration.js';
import { formatMegabytes, MEGABYTE } from '../bytes.js';

export interface HelmOptions {
  timeoutMs?: number;
  tempRoot?: string;
  /** Address space of one helm run, with prlimit where the machine has it (util-linux). Default 2 GB. */
  memoryBytes?: number;
  /** Rendered output of one run; past it helm is stopped. Default 64 MB. */
  maxOutputBytes?: number;
  /** The job's signal: a render in flight is killed when the job ends. */
  signal?: AbortSignal;
}

/** Where prlimit is, if the machine has it: helm then runs with a bound on its memory. */
const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));

/** The helm CLI behind one wrapper; helm's caches live in a temp dir of the run. */
export class Helm {
  private constructor(
    readonly binary: string,
    private readonly home: string,
    private readonly timeoutMs: number,
    private readonly memoryBytes: number,
    private readonly maxOutputBytes: number,
    private readonly signal: AbortSignal | undefined
  ) {}

  static async create(binary: string, options: HelmOptions = {}): Promise<Helm> {
    return new Helm(
      binary,
      await mkdtemp(join(options.tempRoot ?? tmpdir(), 'helm-home-')),
      options.timeoutMs ?? 120_000,
      options.memoryBytes ?? 2048 * MEGABYTE,
      options.maxOutputBytes ?? 64 * MEGABYTE,
      options.signal
    );
  }

  private signalOption(): { signal?: AbortSignal } {
    return this.signal ? { signal: this.signal } : {};
  }

  /** helm's command line, under prlimit's memory bound where there is one. */
  private command(args: string[]): [string, string[]] {
    return PRLIMIT ? [PRLIMIT, [`--as=${Math.floor(this.memoryBytes)}`, '--', this.binary, ...args]] : [this.binary, args];
  }

  private env(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: this.home,
      HELM_CACHE_HOME: join(this.home, 'cache'),
      HELM_CONFIG_HOME: join(this.home, 'config'),
      HELM_DATA_HOME: join(this.home, 'data')
    };
  }

  async version(): Promise<string> {
    const result = await execCapture(this.binary, ['version', '--short'], {
      env: this.env(),
      timeoutMs: this.timeoutMs,
      ...this.signalOption()
    });
    if (result.code !== 0) throw new Error(`${this.binary} version failed: ${tail(result.stderr)}`);
    return result.stdout.trim();
  }

  /** `helm template` of an extracted chart with one manifest entry's values; the rendered YAML. */
  async template(chartDir: string, releaseName: string, namespace: string | undefined, values: Record<string, unknown>): Promise<string> {
    const valuesFile = join(this.home, `values-${process.hrtime.bigint()}.yaml`);
    await writeFile(valuesFile, toYaml(values));
    try {
      const args = ['template', releaseName, chartDir, '--values', valuesFile];
      if (namespace) args.push('--namespace', namespace);
      const [file, argv] = this.command(args);
      const result = await execCapture(file, argv, {
        env: this.env(),
        timeoutMs: this.timeoutMs,
        maxOutputBytes: this.maxOutputBytes,
        ...this.signalOption()
      });
      if (result.outputCapped)
        throw new Error(
          `helm template printed more than ${formatMegabytes(this.maxOutputBytes)} (configuration.limits.helm-output-megabytes): stopped`
        );
      if (result.signal === 'SIGKILL') throw new Error(`helm template did not end in ${formatDuration(this.timeoutMs)}: stopped`);
      if (result.code !== 0 && /out of memory|cannot allocate memory|failed to reserve/i.test(result.stderr))
        throw new Error(
          `helm template ran out of its memory bound (${formatMegabytes(this.memoryBytes)}, configuration.limits.helm-memory-megabytes)`
        );
      if (result.code !== 0) throw new Error(`helm template failed: ${tail(result.stderr)}`);
      return result.stdout;
    } finally {
      await rm(valuesFile, { force: true });
    }
  }

  async dispose(): Promise<void> {
    await rm(this.home, { recursive: true, force: true });
  }
}

/** helm from PATH, if there is one. */
export function findHelmOnPath(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'helm');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
