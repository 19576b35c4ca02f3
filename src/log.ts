import * as core from '@actions/core';
import type { FromSchema } from 'json-schema-to-ts';
import type { resultsSchema } from './report/results-schema.js';
import { logLine } from './escape.js';

/**
 * Something a person must act on, and where it was found (every field that is known is named in
 * the message). `followUp`: a warning the failure issue keeps too (a stale base image). Typed from
 * the results file's schema (results.schema.json): plans and results files carry problems.
 */
export type Problem = FromSchema<(typeof resultsSchema)['definitions']['problem']>;
export type Location = NonNullable<Problem['where']>;

/**
 * The log of one run: progress only. Problems are values that phases return with their results;
 * the report's writer alone says them (annotations, the summary's list, the terminal's lines).
 * The action writes through @actions/core; the command line writes plain lines.
 */
export interface Log {
  info(message: string): void;
  debug(message: string): void;
  /** Progress of long work: on a terminal it replaces the previous progress line; elsewhere a plain line. */
  progress(message: string): void;
  group<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** The configuration's log-level: DEBUG shows debug lines, WARNING and above hide info lines. */
  setLevel(level: string): void;
}

export type LogLevel = 'debug' | 'info' | 'quiet';

export function logLevelOf(name: string): LogLevel {
  const upper = name.toUpperCase();
  if (upper === 'DEBUG') return 'debug';
  return ['WARNING', 'WARN', 'ERROR', 'CRITICAL'].includes(upper) ? 'quiet' : 'info';
}

export function describeLocation(where: Location | undefined): string {
  if (!where) return '';
  const parts: string[] = [];
  if (where.repo) parts.push(`repo ${where.repo}`);
  if (where.branch) parts.push(`branch ${where.branch}`);
  if (where.file) parts.push(where.yamlPath ? `${where.file} at ${where.yamlPath}` : where.file);
  else if (where.yamlPath) parts.push(where.yamlPath);
  if (where.chart) parts.push(`chart ${where.chart}`);
  if (where.image) parts.push(`image ${where.image}`);
  if (where.tag) parts.push(`tag ${where.tag}`);
  return parts.join(', ');
}

export function formatProblem(problem: Problem): string {
  const where = describeLocation(problem.where);
  return where ? `${where}: ${problem.message}` : problem.message;
}

abstract class BaseLog implements Log {
  protected level: LogLevel = 'info';
  setLevel(level: string): void {
    this.level = logLevelOf(level);
  }
  abstract info(message: string): void;
  abstract debug(message: string): void;
  abstract progress(message: string): void;
  abstract group<T>(name: string, work: () => Promise<T>): Promise<T>;
}

/** Log for the action: lines through @actions/core, collapsible groups per phase. */
export class ActionsLog extends BaseLog {
  // core.debug escapes its text; core.info writes it as it is
  info(message: string): void {
    if (this.level === 'quiet') core.debug(message);
    else core.info(logLine(message));
  }
  debug(message: string): void {
    if (this.level === 'debug') core.info(logLine(message));
    else core.debug(message);
  }
  progress(message: string): void {
    this.info(message);
  }
  group<T>(name: string, work: () => Promise<T>): Promise<T> {
    return core.group(name, work);
  }
}

/** Log for the command line: plain lines, debug lines only when asked. */
export class ConsoleLog extends BaseLog {
  constructor(
    private readonly verbose = false,
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr
  ) {
    super();
  }
  private progressShown = false;
  private get tty(): boolean {
    return (this.out as { isTTY?: boolean }).isTTY === true;
  }
  /** Wipe the progress line before a line that stays. */
  private clearProgress(): void {
    if (!this.progressShown) return;
    this.out.write('\r\x1b[2K');
    this.progressShown = false;
  }
  info(message: string): void {
    if (this.level === 'quiet' && !this.verbose) return;
    this.clearProgress();
    this.out.write(`${logLine(message)}\n`);
  }
  debug(message: string): void {
    if (!this.verbose && this.level !== 'debug') return;
    this.clearProgress();
    this.out.write(`  … ${logLine(message)}\n`);
  }
  progress(message: string): void {
    if (!this.tty || this.verbose) {
      this.info(message);
      return;
    }
    this.out.write(`\r\x1b[2K${logLine(message).split('\n')[0]?.slice(0, 200) ?? ''}`);
    this.progressShown = true;
  }
  /** Problems on stderr, each a line (the writer says them, at the end of the job). */
  sayProblems(problems: readonly Problem[]): void {
    this.clearProgress();
    for (const problem of problems) this.err.write(`${problem.severity}: ${logLine(formatProblem(problem))}\n`);
  }
  async group<T>(name: string, work: () => Promise<T>): Promise<T> {
    this.clearProgress();
    this.out.write(`── ${name}\n`);
    try {
      return await work();
    } finally {
      this.clearProgress();
    }
  }
}

/**
 * A phase's log: its lines go to the job's log as they come; the problems it finds are kept as
 * values, which the phase returns with its results (planning returns `{ plan, problems }`). Nothing
 * here says a problem: the report's writer does, once.
 */
export class PhaseLog implements Log {
  private readonly own: Problem[] = [];
  constructor(private readonly log: Log) {}
  get problems(): readonly Problem[] {
    return this.own;
  }
  problem(problem: Problem): void {
    this.own.push(problem);
    this.log.debug(`found: ${problem.severity}: ${formatProblem(problem)}`);
  }
  info(message: string): void {
    this.log.info(message);
  }
  debug(message: string): void {
    this.log.debug(message);
  }
  progress(message: string): void {
    this.log.progress(message);
  }
  group<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.log.group(name, work);
  }
  setLevel(level: string): void {
    this.log.setLevel(level);
  }
}
