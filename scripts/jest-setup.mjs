// Before the workers start: a folder where suites that skip for a missing tool write it down (see
// __tests__/support/skips.ts); the workers inherit the variable.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup() {
  process.env.HMS_SKIPS_DIR = mkdtempSync(join(tmpdir(), 'hms-dispatcher-skips-'));
}
