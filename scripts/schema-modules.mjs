#!/usr/bin/env node
// The JSON Schemas are the one source of each contract (configuration, plan, results, failure-issue
// state). This writes each as a TypeScript module (`as const`), from which the code's types are
// derived (json-schema-to-ts's FromSchema): change a schema, run `npm run schemas`, and the type
// checker says what no longer fits. A test fails when a module is not its schema.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const SCHEMA_MODULES = [
  ['src/config/configuration.schema.json', 'src/config/configuration-schema.ts', 'configurationSchema'],
  ['src/plan/plan.schema.json', 'src/plan/plan-schema.ts', 'planSchema'],
  ['src/report/results.schema.json', 'src/report/results-schema.ts', 'resultsSchema'],
  ['src/report/failure-issue-state.schema.json', 'src/report/failure-issue-state-schema.ts', 'failureIssueStateSchema']
];

export function schemaModule(json, name, source) {
  return (
    `// Written by scripts/schema-modules.mjs from ${source}: edit the schema, then run \`npm run schemas\`.\n` +
    `export const ${name} = ${JSON.stringify(JSON.parse(json), null, 2)} as const;\n`
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [source, target, name] of SCHEMA_MODULES) {
    writeFileSync(join(root, target), schemaModule(readFileSync(join(root, source), 'utf8'), name, source.split('/').pop()));
    console.log(`${target} from ${source}`);
  }
}
