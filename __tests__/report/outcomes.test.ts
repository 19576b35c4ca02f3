import type { BuildOutcome, BuildResult } from '../../src/dispatch/build-result.js';
import { exitStatus } from '../../src/report/exit-status.js';
import { failuresOfNight } from '../../src/report/failure-issue.js';
import { countResults, describeTotals, needsPerson, OUTCOME_NAMES, OUTCOMES, resultProblems } from '../../src/report/outcomes.js';
import { rollupByRelease } from '../../src/report/release-rollup.js';
import { checkResultsDocument, resultsDocument } from '../../src/report/results-document.js';
import { renderResultsSummary, renderResultsText } from '../../src/report/results-summary.js';
import resultsSchema from '../../src/report/results.schema.json' with { type: 'json' };

const scope = { org: 'Cray-HPE', productStreamRepo: 'csm', branches: [{ branch: 'release/1.6' }], createdAt: '2026-12-01T00:00:00.000Z' };

function resultWith(outcome: BuildOutcome): BuildResult {
  const ran = !['not-dispatched', 'acknowledged'].includes(outcome);
  return {
    githubRepo: 'hms-smd',
    image: 'cray-smd',
    fullImage: 'reg/cray-smd:2.24.0',
    tag: '2.24.0',
    gitTag: 'v2.24.0',
    branches: ['release/1.6'],
    outcome,
    reason: `why ${outcome}`,
    ...(ran
      ? {
          runId: 7,
          runUrl: 'https://github.com/Cray-HPE/hms-smd/actions/runs/7',
          via: outcome === 'already-built' ? 'recent' : 'dispatched'
        }
      : {})
  };
}

// every outcome × every consumer of a report: a row missing from the table does not compile, a consumer that decides on its own fails here
describe.each(OUTCOME_NAMES)('the outcome %s', (outcome) => {
  const meaning = OUTCOMES[outcome];
  const result = resultWith(outcome);

  it('has its label in the summary and its name in the terminal table', () => {
    expect(renderResultsSummary(scope, [result], { serverUrl: 'https://github.com' })).toContain(meaning.label);
    expect(renderResultsText([result])).toContain(outcome);
  });

  it('gets the annotation the table gives it, or none', () => {
    const problems = resultProblems([result]);
    if (!meaning.annotation) expect(problems).toEqual([]);
    else
      expect(problems).toEqual([
        expect.objectContaining({ severity: meaning.annotation.severity, where: { repo: 'hms-smd', tag: 'v2.24.0', image: 'cray-smd' } })
      ]);
  });

  it('counts once in the totals, in succeeded or in need-a-person as the table says, and in the totals line', () => {
    const totals = countResults([result]);
    expect(Object.values(totals.byOutcome).reduce((a, b) => a + b, 0)).toBe(1);
    expect(totals.byOutcome[outcome]).toBe(1);
    expect(totals.succeeded).toBe(meaning.succeeded ? 1 : 0);
    expect(totals.needPerson).toBe(meaning.failureIssue ? 1 : 0);
    expect(describeTotals(totals)).toContain(meaning.succeeded ? '1 succeeded' : `1 ${meaning.counted}`);
  });

  it('counts in its column of the release rollup, and only there', () => {
    const [row] = rollupByRelease(scope, [result]);
    const { branch: _branch, images, ...columns } = row ?? { branch: '', images: 0 };
    expect(images).toBe(1);
    expect(Object.entries(columns).filter(([, n]) => n > 0)).toEqual([[meaning.rollup, 1]]);
  });

  it('is in the failure issue exactly when it needs a person, under its kind', () => {
    const items = failuresOfNight([result], [], 'https://github.com/o/r/actions/runs/1');
    expect(items.map((i) => i.kind)).toEqual(meaning.failureIssue ? [meaning.failureIssue] : []);
    expect(needsPerson(result)).toBe(meaning.failureIssue !== undefined);
  });

  it('fails fail-on problems when it needs a person, fail-on failed-builds when its run failed, never fail-on never', () => {
    expect(exitStatus('problems', { planningErrors: 0, results: [result] }).code).toBe(meaning.failureIssue ? 1 : 0);
    expect(exitStatus('failed-builds', { planningErrors: 0, results: [result] }).code).toBe(meaning.ranAndFailed ? 1 : 0);
    expect(exitStatus('never', { planningErrors: 0, results: [result] }).code).toBe(0);
    // a run that failed always needs a person
    if (meaning.ranAndFailed) expect(meaning.failureIssue).toBe('build');
  });

  it('goes through the results file and back', () => {
    const read = checkResultsDocument(JSON.parse(JSON.stringify(resultsDocument(scope, [result], []))));
    expect(read).toMatchObject({ ok: true, document: { results: [{ outcome }] } });
  });
});

describe('the outcome table', () => {
  it('is the list the results file schema accepts', () => {
    expect(resultsSchema.definitions.result.properties.outcome.enum).toEqual(OUTCOME_NAMES);
  });

  it('gives the succeeded output and the totals line one meaning: retries are successes', () => {
    const totals = countResults([
      resultWith('succeeded'),
      resultWith('succeeded-on-retry'),
      resultWith('already-built'),
      resultWith('failed')
    ]);
    expect(totals).toMatchObject({ planned: 4, dispatched: 3, succeeded: 2, needPerson: 1 });
    expect(describeTotals(totals)).toBe('4 images, 3 dispatched: 2 succeeded (1 on retry), 1 already built, 1 failed');
  });
});
