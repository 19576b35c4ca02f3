import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildResult } from '../../src/dispatch/build-result.js';
import { findFiles } from '../../src/glob.js';
import { checkResultsDocument, mergeResultsDocuments, type ResultsDocument } from '../../src/report/results-document.js';

const result = (repo: string, outcome: BuildResult['outcome'], branches = ['release/1.6']): BuildResult => ({
  githubRepo: repo,
  image: repo,
  fullImage: `reg/${repo}:1.0.0`,
  tag: '1.0.0',
  gitTag: 'v1.0.0',
  branches,
  outcome
});

const shardDoc = (index: number, count: number, results: BuildResult[], branches = ['release/1.6']): ResultsDocument => ({
  version: 1,
  org: 'Cray-HPE',
  productStreamRepo: 'csm',
  planCreatedAt: '2026-11-26T06:00:00.000Z',
  shard: { index, count },
  branches: branches.map((branch) => ({ branch })),
  notes: [],
  releases: [],
  results
});

describe('merging the results of shards', () => {
  it('puts the shards together in shard order, and names a shard that wrote nothing and one reported twice', () => {
    const merged = mergeResultsDocuments([
      { file: 'results/3.json', document: shardDoc(3, 4, [result('hms-c', 'failed')], ['release/1.6', 'stable/1.5']) },
      { file: 'results/1.json', document: { ...shardDoc(1, 4, [result('hms-a', 'succeeded')]), notes: ['the time limit was short'] } },
      { file: 'results/1-again.json', document: shardDoc(1, 4, [result('hms-a', 'succeeded')]) },
      { file: 'results/2.json', document: shardDoc(2, 4, [result('hms-b', 'succeeded-on-retry')]) }
    ]);
    expect(merged.results.map((r) => r.githubRepo)).toEqual(['hms-a', 'hms-b', 'hms-c']);
    expect(merged.scope).toEqual({
      org: 'Cray-HPE',
      productStreamRepo: 'csm',
      branches: [{ branch: 'release/1.6' }, { branch: 'stable/1.5' }]
    });
    expect(merged.problems).toEqual([
      'results/1.json: shard 1/4 is already reported by results/1-again.json; left out',
      'shard 4/4 wrote no results file: its builds are not in this report (did its job run?)'
    ]);
    expect(merged.notes).toEqual([]);
  });

  it('leaves out results of another product stream, and checks what it reads', () => {
    const merged = mergeResultsDocuments([
      { file: 'a.json', document: shardDoc(1, 1, [result('hms-a', 'succeeded')]) },
      { file: 'b.json', document: { ...shardDoc(1, 1, []), productStreamRepo: 'spc' } }
    ]);
    expect(merged.problems).toEqual(['b.json: results of Cray-HPE/spc, not Cray-HPE/csm; left out']);
    expect(checkResultsDocument({ version: 2 })).toEqual({
      ok: false,
      error: 'version 2 is not a results version this dispatcher reads (1)'
    });
    expect(checkResultsDocument({ ...shardDoc(1, 1, []), results: [{ githubRepo: 'x', fullImage: 'y', outcome: 'exploded' }] })).toEqual({
      ok: false,
      error: "/results/0: must have required property 'image'"
    });
    expect(checkResultsDocument(shardDoc(1, 1, [result('hms-a', 'running')])).ok).toBe(true);
  });

  it('finds results files with *, ? and **, sorted', async () => {
    const root = mkdtempSync(join(tmpdir(), 'glob-'));
    try {
      for (const file of [
        'results/results-1/results.json',
        'results/results-2/results.json',
        'results/other.txt',
        'results/a/b/deep.json'
      ]) {
        mkdirSync(join(root, file, '..'), { recursive: true });
        writeFileSync(join(root, file), '{}');
      }
      expect((await findFiles('results/*/results.json', root)).files).toEqual([
        join(root, 'results/results-1/results.json'),
        join(root, 'results/results-2/results.json')
      ]);
      expect((await findFiles('results/**/*.json', root)).files).toEqual([
        join(root, 'results/a/b/deep.json'),
        join(root, 'results/results-1/results.json'),
        join(root, 'results/results-2/results.json')
      ]);
      expect((await findFiles('results/results-?/*.json', root)).files).toHaveLength(2);
      expect((await findFiles(`${root}/results/other.*`, '/nowhere')).files).toEqual([join(root, 'results/other.txt')]);
      expect((await findFiles('missing/*.json', root)).files).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
