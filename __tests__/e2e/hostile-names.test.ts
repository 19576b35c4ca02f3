import MarkdownIt from 'markdown-it';
import type { BuildResult } from '../../src/dispatch/build-result.js';
import { runBundle } from '../support/run-action.js';
import { CHART_PASSWORD, CHART_USER, commitOf, dockerIndex, startSampleStream, type LocalParts } from '../support/sample-stream.js';

const HOSTILE_TAG = '1.9.0|<img src=x onerror=alert(1)>';

/** Every table of a summary, as GitHub would render it: its rows, each the HTML of its cells. */
function renderedTables(summary: string): string[][][] {
  const html = new MarkdownIt({ html: true }).render(summary);
  const cells = (row: string): string[] => [...row.matchAll(/<t[dh]>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1] ?? '');
  return [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((t) =>
    [...(t[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => cells(r[1] ?? ''))
  );
}

describe('a hostile tag in a docker index cannot forge the report', () => {
  let parts: LocalParts;
  afterEach(async () => {
    await parts?.stop();
  });

  it('is dispatched like any tag, and its summary row keeps every cell', async () => {
    parts = await startSampleStream({
      branches: (branches) => {
        branches['release/1.6'] = {
          ...branches['release/1.6'],
          'docker/index.yaml': dockerIndex({ 'hms-shcd-parser': [HOSTILE_TAG] })
        };
      },
      emulator: { runScript: () => ({ queuedMs: 100, runMs: 300, conclusion: 'success' }) }
    });
    const shcd = parts.github.repo('hms-shcd-parser');
    if (shcd) shcd.tags[`v${HOSTILE_TAG}`] = commitOf('hostile');
    const run = await runBundle(
      'dist/index.js',
      parts.actionEnv({
        config: parts.configFile,
        'app-id': parts.github.appId,
        'private-key': parts.github.privateKey,
        'chart-repo-username': CHART_USER,
        'chart-repo-password': CHART_PASSWORD
      })
    );
    const results = JSON.parse(run.outputs.results ?? '[]') as BuildResult[];
    const hostile = results.find((r) => r.tag === HOSTILE_TAG);
    expect(hostile).toMatchObject({ outcome: 'succeeded', gitTag: `v${HOSTILE_TAG}` });
    expect(parts.github.dispatches.filter((d) => d.ref === `v${HOSTILE_TAG}`)).toHaveLength(1);

    // every row of every table has as many cells as its header
    const tables = renderedTables(run.summary);
    for (const [header = [], ...rows] of tables) for (const row of rows) expect(row).toHaveLength(header.length);
    const row = tables.flat().find((r) => r[0]?.includes('1.9.0|'));
    expect(row).toHaveLength(5);
    expect(row?.[0]).toMatch(
      /^<a href="[^"]+\/tree\/v1\.9\.0%7C%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E">v1\.9\.0\|&lt;img src=x onerror=alert\(1\)&gt;<\/a>$/
    );
    expect(row?.[1]).toBe('<code>hms-shcd-parser:1.9.0|&lt;img src=x onerror=alert(1)&gt;</code>');
    expect(row?.[2]).toBe('release/1.6');
    expect(row?.[3]).toBe('✅ succeeded<br>dispatched: rebuild: always');
    expect(row?.[4]).toMatch(/^<a href="https:\/\/github\.example\/Cray-HPE\/hms-shcd-parser\/actions\/runs\/\d+">#\d+<\/a>$/);
    expect(new MarkdownIt({ html: true }).render(run.summary)).not.toMatch(/<img/);
    // the log lines that name the tag start no workflow command
    for (const line of run.stdout.split('\n')) if (line.includes('onerror')) expect(line).not.toMatch(/^\s*::(?!error|warning|debug)/);
  });
});
