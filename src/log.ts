import * as core from '@actions/core';
import { logLine, visible } from './escape.js';
import { ANNOTATIONS_PER_LEVEL, foldedAnnotation } from './problem-kinds.js';

/** Where a problem was found; every field that is known is named in the message. */
export interface Location {
  file?: string;
  branch?: string;
  yamlPath?: string;
  repo?: string;
  chart?: string;
  tag?: string;
  image?: string;
}

/** Something a person must act on: it becomes an annotation in a job and a marked line on a terminal. */
export interface Problem {
  severity: 'error' | 'warning' | 'notice';
  message: string;
  where?: Location;
  /** A warning the failure issue keeps too (a stale base image): it needs a person, though it fails nothing. */
  followUp?: boolean;
}

/** The log of one run. The action writes through @actions/core; the command line writes plain lines. */
export interface Log {
  info(message: string): void;
  debug(message: string): void;
  /** Progress of long work: on a terminal it replaces the previous progress line; elsewhere a plain line. */
  progress(message: string): void;
  problem(problem: Problem): void;
  group<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** The configuration's log-level: DEBUG shows debug lines, WARNING and above hide info lines. */
  setLevel(level: string): void;
  /** The problems reported so far, in order. */
  readonly problems: readonly Problem[];
  /** The job is ending: say what was held back (the annotations past GitHub's limit, counted). */
  finish(): void;
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
  private readonly reported: Problem[] = [];
  protected level: LogLevel = 'info';
  setLevel(level: string): void {
    this.level = logLevelOf(level);
  }
  get problems(): readonly Problem[] {
    return this.reported;
  }
  problem(problem: Problem): void {
    this.reported.push(problem);
    this.write(problem);
  }
  protected abstract write(problem: Problem): void;
  finish(): void {
    // nothing held back
  }
  abstract info(message: string): void;
  abstract debug(message: string): void;
  abstract progress(message: string): void;
  abstract group<T>(name: string, work: () => Promise<T>): Promise<T>;
}

/**
 * Log for the action: annotations for problems, collapsible groups per phase. GitHub shows 10
 * annotations of each level in a step: the first 9 warnings and 8 errors (setFailed adds one) are
 * annotations as they come, every later one a log line, and `finish()` adds one annotation
 * counting those by kind.
 */
export class ActionsLog extends BaseLog {
  private readonly annotated = { error: 0, warning: 0, notice: 0 };
  private readonly folded: Record<Problem['severity'], Problem[]> = { error: [], warning: [], notice: [] };
  // core.debug, core.warning and core.error escape their text; core.info writes it as it is
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
  protected write(problem: Problem): void {
    // one annotation of each level is kept for the count of the rest; one error more for setFailed's
    const direct = ANNOTATIONS_PER_LEVEL - (problem.severity === 'error' ? 2 : 1);
    if (this.annotated[problem.severity] < direct) {
      this.annotated[problem.severity]++;
      this.annotate(problem);
      return;
    }
    this.folded[problem.severity].push(problem);
    core.info(logLine(`${problem.severity}: ${formatProblem(problem)}`));
  }
  private annotate(problem: Problem): void {
    // core escapes line breaks and % for the command; terminal and bidi controls are made visible here
    const properties: core.AnnotationProperties = { title: visible(describeLocation(problem.where)) || undefined };
    if (problem.where?.file && !problem.where.branch) properties.file = visible(problem.where.file);
    const text = visible(formatProblem(problem));
    if (problem.severity === 'error') core.error(text, properties);
    else if (problem.severity === 'warning') core.warning(text, properties);
    else core.notice(text, properties);
  }
  override finish(): void {
    for (const severity of ['error', 'warning', 'notice'] as const) {
      const folded = this.folded[severity];
      this.folded[severity] = [];
      const [only] = folded;
      if (folded.length === 1 && only) this.annotate(only);
      else if (folded.length > 1) this.annotate({ severity, message: foldedAnnotation(severity, folded) });
    }
  }
  group<T>(name: string, work: () => Promise<T>): Promise<T> {
    return core.group(name, work);
  }
}

/** Log for the command line: plain lines, problems on stderr, debug lines only when asked. */
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
  protected write(problem: Problem): void {
    this.clearProgress();
    this.err.write(`${problem.severity}: ${logLine(formatProblem(problem))}\n`);
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
 * A phase's view of the log: every line goes to the job's log as it comes, and the phase's own
 * problems are kept apart, so the phase returns them (planning returns `{ plan, problems }`).
 */
export class PhaseLog implements Log {
  private readonly own: Problem[] = [];
  constructor(private readonly log: Log) {}
  get problems(): readonly Problem[] {
    return this.own;
  }
  problem(problem: Problem): void {
    this.own.push(problem);
    this.log.problem(problem);
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
  finish(): void {
    // the job's log is finished by the job's edge
  }
}
