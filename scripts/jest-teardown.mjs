// After the run: one line per tool whose suites skipped, naming it and how to install it; the run
// fails when a tool that HMS_REQUIRE_TOOLS names (CI's) was missing, so a skip is never silent there.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

export default function teardown() {
  const folder = process.env.HMS_SKIPS_DIR;
  if (!folder) return;
  const file = join(folder, 'skips.tsv');
  const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
  rmSync(folder, { recursive: true, force: true });
  const byTool = new Map();
  for (const line of lines) {
    const [tool, install, suite] = line.split('\t');
    const entry = byTool.get(tool) ?? { install, suites: new Set() };
    entry.suites.add(relative(process.cwd(), suite));
    byTool.set(tool, entry);
  }
  const required = (process.env.HMS_REQUIRE_TOOLS ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const missing = [];
  for (const [tool, { install, suites }] of byTool) {
    console.log(
      `\nskipped for a missing tool: ${tool} (${suites.size} suite${suites.size === 1 ? '' : 's'}: ${[...suites].join(', ')}); ${install}`
    );
    if (required.includes(tool)) missing.push(tool);
  }
  if (missing.length > 0) throw new Error(`suites CI must run were skipped: ${missing.join(', ')} missing (HMS_REQUIRE_TOOLS)`);
}
