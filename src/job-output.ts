import * as core from '@actions/core';
import { writeFile } from 'node:fs/promises';
import { logLine } from './escape.js';
import type { Log } from './log.js';
import { ActionsLog, ConsoleLog } from './log.js';

/** Where a run's results go: the Actions runner (summary, outputs) or a terminal (tables on stdout). */
export interface JobOutput {
  readonly log: Log;
  /** Hide a secret that appears at run time (an installation token) from every log. */
  mask(secret: string): void;
  setOutput(name: string, value: string | number): void;
  /** Markdown for the job summary (the action) ; the command line prints `text` instead. */
  summary(markdown: string, text: string): Promise<void>;
}

export class ActionsJobOutput implements JobOutput {
  readonly log = new ActionsLog();
  mask(secret: string): void {
    core.setSecret(secret);
  }
  setOutput(name: string, value: string | number): void {
    core.setOutput(name, value);
  }
  async summary(markdown: string): Promise<void> {
    if (!process.env.GITHUB_STEP_SUMMARY) {
      core.info(logLine(markdown));
      return;
    }
    await core.summary.addRaw(markdown, true).write();
  }
}

export class ConsoleJobOutput implements JobOutput {
  readonly log: ConsoleLog;
  readonly outputs = new Map<string, string>();
  constructor(
    verbose: boolean,
    private readonly out: NodeJS.WritableStream = process.stdout,
    err: NodeJS.WritableStream = process.stderr
  ) {
    this.log = new ConsoleLog(verbose, out, err);
  }
  mask(): void {
    // nothing prints secrets on the command line
  }
  setOutput(name: string, value: string | number): void {
    this.outputs.set(name, String(value));
  }
  summary(_markdown: string, text: string): Promise<void> {
    this.out.write(`\n${logLine(text)}`);
    return Promise.resolve();
  }
}

export async function writeJsonFile(file: string, value: unknown): Promise<void> {
  await writeFile(file, JSON.stringify(value, null, 2) + '\n');
}
