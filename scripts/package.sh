#!/usr/bin/env bash
# Bundles the action (index.js) and the command line (cli.js, its bundle in cli-build/) into OUT
# (default dist/). The release script bundles into a temp folder to compare with dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
ncc build src/index.ts -o "$out" --source-map --license licenses.txt
ncc build src/cli.ts -o "$out/cli-build" --source-map
printf "// Command line entry: see \`node dist/cli.js --help\`. The bundle is in cli-build/.\nimport './cli-build/index.js';\n" > "$out/cli.js"
