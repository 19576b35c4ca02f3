import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A suite that needs a tool the machine may lack (the CNCF registry): `describe` when the tool is
 * there, else `describe.skip`, and the skip is written down for the end of the run, where
 * scripts/jest-teardown.mjs prints one line per missing tool, and fails the run when the tool is one CI
 * must have (HMS_REQUIRE_TOOLS, a comma-separated list: .ci/run and ci.yml set it).
 */
export function describeWith(tool: string, available: boolean, install: string): typeof describe {
  if (available) return describe;
  const folder = process.env.HMS_SKIPS_DIR;
  const suite = expect.getState().testPath ?? 'a suite';
  if (folder) appendFileSync(join(folder, 'skips.tsv'), `${tool}\t${install}\t${suite}\n`);
  return describe.skip;
}
