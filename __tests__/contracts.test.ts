import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationSchema } from '../src/config/configuration-schema.js';
import { planSchema } from '../src/plan/plan-schema.js';
import { failureIssueStateSchema } from '../src/report/failure-issue-state-schema.js';
import { resultsSchema } from '../src/report/results-schema.js';
import { SERVER_FAILURES } from '../src/http/server-failures.js';
import { ROOT } from './support/run-action.js';

/**
 * One source per contract: each JSON Schema is also a TypeScript module (npm run schemas), from
 * which the code's types come (FromSchema). The type checker holds the code to the modules; this
 * holds the modules to the schemas, so a schema edited without `npm run schemas` fails here.
 */
describe('the contracts', () => {
  it.each([
    ['src/config/configuration.schema.json', configurationSchema],
    ['src/plan/plan.schema.json', planSchema],
    ['src/report/results.schema.json', resultsSchema],
    ['src/report/failure-issue-state.schema.json', failureIssueStateSchema]
  ])('%s is the module the types come from', (file, module) => {
    expect(module).toEqual(JSON.parse(readFileSync(join(ROOT, file), 'utf8')));
  });
});

describe('what a silent or refusing server means', () => {
  it('is one table in the code, shown cell for cell in docs/troubleshooting.md', () => {
    const docs = readFileSync(join(ROOT, 'docs/troubleshooting.md'), 'utf8');
    const rows = docs
      .split('\n')
      .filter((line) => line.startsWith('| '))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim())
      );
    for (const [server, row] of Object.entries(SERVER_FAILURES)) expect(rows).toContainEqual([server, row.silent, row.refusing]);
  });
});
