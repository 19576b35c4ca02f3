import type { BuildResult } from '../dispatch/build-result.js';
import { Ajv } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import { resultsSchema } from './results-schema.js';
import { isMapping } from '../yaml.js';
import type { Problem } from '../log.js';
import type { Plan } from '../plan/plan.js';
import { rollupByRelease, type ReportScope } from './release-rollup.js';

/** The results file (`results-file`): what one job dispatched and how each build ended; `merge-results` reads several. Typed from results.schema.json. */
export type ResultsDocument = FromSchema<typeof resultsSchema>;

/** The results file of a run of a plan (or of one shard of it), or of the merged shards of a plan. */
export function resultsDocument(
  plan: ReportScope & Pick<Plan, 'createdAt' | 'shard'>,
  results: readonly BuildResult[],
  notes: readonly string[],
  problems: readonly Problem[] = []
): ResultsDocument {
  return {
    version: 1,
    org: plan.org,
    productStreamRepo: plan.productStreamRepo,
    planCreatedAt: plan.createdAt,
    ...(plan.shard ? { shard: plan.shard } : {}),
    branches: plan.branches.map((b) => ({ branch: b.branch })),
    notes: [...notes],
    ...(problems.length > 0 ? { problems: [...problems] } : {}),
    releases: rollupByRelease(plan, results),
    results: [...results]
  };
}

const validateResults = new Ajv({ allErrors: false, strict: false }).compile<ResultsDocument>(resultsSchema);

/** Check a parsed results file against results.schema.json; the error names the JSON path. */
export function checkResultsDocument(value: unknown): { ok: true; document: ResultsDocument } | { ok: false; error: string } {
  if (isMapping(value) && 'version' in value && value.version !== 1)
    return { ok: false, error: `version ${JSON.stringify(value.version)} is not a results version this dispatcher reads (1)` };
  if (!validateResults(value)) {
    const first = validateResults.errors?.[0];
    return { ok: false, error: `${first?.instancePath || '(top level)'}: ${first?.message ?? 'is invalid'}` };
  }
  return { ok: true, document: { ...value, notes: value.notes ?? [], problems: value.problems ?? [] } };
}

export interface MergedResults {
  scope: ReportScope;
  results: BuildResult[];
  notes: string[];
  /** Errors a person must see: shards without results, shards reported twice, files of another plan. */
  problems: string[];
  /** The plan's problems the shards passed on, each once. */
  planProblems: Problem[];
}

/**
 * Results of the shards of one plan as one report: results in file order (files sorted by shard),
 * branches in first-seen order. A shard of the plan with no file is a problem (its builds are not in
 * the report); a second file of the same shard is left out; files of another product stream are left out.
 */
export function mergeResultsDocuments(files: readonly { file: string; document: ResultsDocument }[]): MergedResults {
  const problems: string[] = [];
  const sorted = [...files].sort((a, b) => (a.document.shard?.index ?? 0) - (b.document.shard?.index ?? 0) || a.file.localeCompare(b.file));
  const first = sorted[0]?.document;
  const scope: ReportScope & { branches: { branch: string }[] } = {
    org: first?.org ?? '',
    productStreamRepo: first?.productStreamRepo ?? '',
    branches: []
  };
  const results: BuildResult[] = [];
  const notes: string[] = [];
  const planProblems = new Map<string, Problem>();
  const shardsSeen = new Map<number, string>();
  let shardCount: number | undefined;
  for (const { file, document } of sorted) {
    if (document.org !== scope.org || document.productStreamRepo !== scope.productStreamRepo) {
      problems.push(
        `${file}: results of ${document.org}/${document.productStreamRepo}, not ${scope.org}/${scope.productStreamRepo}; left out`
      );
      continue;
    }
    if (first && document.planCreatedAt !== first.planCreatedAt)
      notes.push(`${file} carries out a plan made ${document.planCreatedAt}, the others one made ${first.planCreatedAt}`);
    if (document.shard) {
      const seen = shardsSeen.get(document.shard.index);
      if (seen) {
        problems.push(`${file}: shard ${document.shard.index}/${document.shard.count} is already reported by ${seen}; left out`);
        continue;
      }
      shardsSeen.set(document.shard.index, file);
      shardCount = Math.max(shardCount ?? 0, document.shard.count);
    }
    for (const { branch } of document.branches) if (!scope.branches.some((b) => b.branch === branch)) scope.branches.push({ branch });
    results.push(...document.results);
    for (const problem of document.problems ?? []) planProblems.set(JSON.stringify(problem), problem);
    notes.push(...(document.notes ?? []).map((n) => (document.shard ? `shard ${document.shard.index}/${document.shard.count}: ${n}` : n)));
  }
  if (shardCount !== undefined)
    for (let k = 1; k <= shardCount; k++)
      if (!shardsSeen.has(k))
        problems.push(`shard ${k}/${shardCount} wrote no results file: its builds are not in this report (did its job run?)`);
  return { scope, results, notes, problems, planProblems: [...planProblems.values()] };
}
