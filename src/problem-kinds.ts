import type { Problem } from './log.js';
import { counted, cutAtWord } from './words.js';

/**
 * GitHub shows at most 10 error and 10 warning annotations of a step (50 of a job); past that,
 * the real errors would be pushed out of view by the first ten of thousands alike. The report's writer
 * gives 9 of each level (8 errors: setFailed adds one), then one annotation counting the rest by kind.
 */
export const ANNOTATIONS_PER_LEVEL = 10;

/**
 * The kind of a problem: its message with what varies between problems alike (URLs, quoted
 * names, versions, numbers) left out, so 5,000 missing chart versions are one kind.
 */
export function problemKind(message: string): string {
  return (
    message
      .replace(/https?:\/\/\S+/g, '…')
      .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '…')
      .replace(/\bv?\d+(\.\d+)+\S*/g, '…')
      .replace(/\d[\d,]*/g, '#')
      .replace(/(…[\s:;,]*)+/g, '… ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 160) || message.slice(0, 160)
  );
}

export interface ProblemGroup {
  severity: Problem['severity'];
  /** What groups them: the problems' `kind`, or their message's shape. */
  kind: string;
  /** A readable sentence for the group: the problems' `kind`, or the first message cut at a word. */
  heading: string;
  problems: Problem[];
}

/** The shape of a message (`alpine:… last published #-#-#`) is for grouping, never for reading. */
function headingOf(problem: Problem): string {
  return problem.kind ?? cutAtWord(problem.message, 120);
}

const RANK = { error: 0, warning: 1, notice: 2 } as const;

/** Problems grouped by severity and kind: errors first, then the largest groups. */
export function groupProblems(problems: readonly Problem[]): ProblemGroup[] {
  const groups = new Map<string, ProblemGroup>();
  for (const problem of problems) {
    const kind = problem.kind ?? problemKind(problem.message);
    const key = `${problem.severity}\u0000${kind}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { severity: problem.severity, kind, heading: headingOf(problem), problems: [] }));
    group.problems.push(problem);
  }
  return [...groups.values()].sort(
    (a, b) => RANK[a.severity] - RANK[b.severity] || b.problems.length - a.problems.length || a.kind.localeCompare(b.kind)
  );
}

/** The annotation that stands for the problems of one level past the first ones: how many, of which kinds. */
export function foldedAnnotation(severity: Problem['severity'], folded: readonly Problem[]): string {
  const kinds = groupProblems(folded);
  const shown = kinds
    .slice(0, 3)
    .map((g) => `${g.problems.length.toLocaleString('en-US')} × ${g.heading}`)
    .join('; ');
  const more = kinds.length > 3 ? `; ${counted(kinds.length - 3, 'other kind')}` : '';
  return `and ${counted(folded.length, `more ${severity}`)} (${shown}${more}): see the job summary, and the log for each`;
}
