import { readBoundedFile } from '../bounded-file.js';
import { MEGABYTE } from '../bytes.js';
import { errorMessage } from '../errors.js';
import { findFiles } from '../glob.js';
import type { JobOutput } from '../job-output.js';
import type { Problem } from '../log.js';
import { optionName } from '../options.js';
import type { JobReport } from '../report/job-report.js';
import { checkResultsDocument, mergeResultsDocuments, type ResultsDocument } from '../report/results-document.js';
import type { ModeContext } from './mode-context.js';
import { counted, inNumber } from '../words.js';

/**
 * The report job of a sharded run: the shards' results files as one report. Nothing is planned
 * nor dispatched. The plan's problems, passed on by the shards, are reported here once, so a
 * sharded night says what a single job says.
 */
export async function mergeResults(ctx: ModeContext, pattern: string): Promise<JobReport> {
  const { output } = ctx.deps;
  const name = optionName(ctx.run.edge, 'mergeResults');
  const read = await readResultsFiles(pattern, name, output, ctx.run.config.configuration.limits['plan-megabytes'] * MEGABYTE);
  const report: JobReport = {
    ending: { kind: 'merged' },
    results: [],
    problems: [...ctx.problems, ...read.problems],
    carried: [],
    notes: []
  };
  if (read.documents.length === 0) {
    const failure = `${name}: no results file matches ${pattern}: no job of this run reported (did they run, and upload their results?)`;
    report.problems.push({ severity: 'error', message: failure });
    return report;
  }
  const merged = mergeResultsDocuments(read.documents);
  report.problems.push(...merged.problems.map((message): Problem => ({ severity: 'error', message })), ...merged.planProblems);
  report.scope = { ...merged.scope, createdAt: read.documents[0]?.document.planCreatedAt ?? '' };
  report.results = merged.results;
  report.notes.push(...merged.notes);
  return report;
}

/** Results files read per merge (a sharded run has one per shard, at most 256 jobs in a matrix). */
const MAX_RESULTS_FILES = 1000;

/** Every results file the glob matches; a file that cannot be read or is not a results file is an error, and left out. */
async function readResultsFiles(
  pattern: string,
  name: string,
  output: JobOutput,
  maxBytes: number
): Promise<{ documents: { file: string; document: ResultsDocument }[]; problems: Problem[] }> {
  const found = await findFiles(pattern, process.cwd(), MAX_RESULTS_FILES);
  const files = found.files;
  output.log.info(`${name}: ${counted(files.length, 'file')} ${inNumber(files.length, 'matches', 'match')} ${pattern}`);
  const documents: { file: string; document: ResultsDocument }[] = [];
  const problems: Problem[] = [];
  if (found.more) {
    const problem: Problem = {
      severity: 'error',
      message: `${name}: more than ${MAX_RESULTS_FILES} files match ${pattern}: the files past ${files.at(-1) ?? ''} (in name order) were not read; narrow the pattern`
    };
    problems.push(problem);
  }
  for (const file of files) {
    let checked: ReturnType<typeof checkResultsDocument>;
    try {
      checked = checkResultsDocument(JSON.parse(await readBoundedFile(file, maxBytes, 'results file')));
    } catch (error) {
      checked = { ok: false, error: errorMessage(error) };
    }
    if (checked.ok) {
      documents.push({ file, document: checked.document });
      continue;
    }
    const problem: Problem = {
      severity: 'error',
      message: `not a results file of this dispatcher (${checked.error}); left out`,
      where: { file }
    };
    problems.push(problem);
  }
  return { documents, problems };
}
