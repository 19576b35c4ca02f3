import * as core from '@actions/core';
import { writeFile } from 'node:fs/promises';
import { logLine, visible } from './escape.js';
import type { Log, Problem } from './log.js';
import { ActionsLog, ConsoleLog, describeLocation, formatProblem } from './log.js';
import { ANNOTATIONS_PER_LEVEL, foldedAnnotation } from './problem-kinds.js';

/** Where a run's results go: the Actions runner (summary, outputs) or a terminal (tables on stdout). */
export interface JobOutput {
  readonly log: Log;
  /** Hide a secret that appears at run time (an installation token) from every log. */
  mask(secret: string): void;
  setOutput(name: string, value: string | number): void;
  /** Markdown for the job summary (the action) ; the command line prints `text` instead. */
  summary(markdown: string, text: string): Promise<void>;
  /** Say a job's problems, once, at its end: annotations in the action, lines on a terminal (the report's writer calls it). */
  problems(problems: readonly Problem[]): void;
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
  /**
   * GitHub shows 10 annotations of each level in a step: the first 9 warnings and 8 errors (setFailed
   * adds one) are annotations, every later one a log line, and one annotation counts those by kind.
   */
  private readonly annotated = { error: 0, warning: 0, notice: 0 };
  problems(problems: readonly Problem[]): void {
    const folded: Record<Problem['severity'], Problem[]> = { error: [], warning: [], notice: [] };
    const annotated = this.annotated;
    for (const problem of problems) {
      // one annotation of each level is kept for the count of the rest; one error more for setFailed's
      const direct = ANNOTATIONS_PER_LEVEL - (problem.severity === 'error' ? 2 : 1);
      if (annotated[problem.severity] < direct) {
        annotated[problem.severity]++;
        annotate(problem);
        continue;
      }
      folded[problem.severity].push(problem);
      core.info(logLine(`${problem.severity}: ${formatProblem(problem)}`));
    }
    for (const severity of ['error', 'warning', 'notice'] as const) {
      const rest = folded[severity];
      const [only] = rest;
      if (rest.length === 1 && only) annotate(only);
      else if (rest.length > 1) annotate({ severity, message: foldedAnnotation(severity, rest) });
    }
  }
}

/** One annotation: core escapes line breaks and % for the command; terminal and bidi controls are made visible here. */
function annotate(problem: Problem): void {
  const properties: core.AnnotationProperties = { title: visible(describeLocation(problem.where)) || undefined };
  if (problem.where?.file && !problem.where.branch) properties.file = visible(problem.where.file);
  const text = visible(formatProblem(problem));
  if (problem.severity === 'error') core.error(text, properties);
  else if (problem.severity === 'warning') core.warning(text, properties);
  else core.notice(text, properties);
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
  problems(problems: readonly Problem[]): void {
    this.log.sayProblems(problems);
  }
}

export async function writeJsonFile(file: string, value: unknown): Promise<void> {
  await writeFile(file, JSON.stringify(value, null, 2) + '\n');
}
