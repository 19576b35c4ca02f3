// ncc bundles each entry into its own folder; the command line is `node dist/cli.js`.
import { writeFileSync } from 'node:fs';
writeFileSync(
  new URL('../dist/cli.js', import.meta.url),
  "// Command line entry: see `node dist/cli.js --help`. The bundle is in cli-build/.\nimport './cli-build/index.js';\n"
);
