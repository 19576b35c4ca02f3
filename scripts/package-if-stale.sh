#!/usr/bin/env bash
# Bundle dist/ when a source is newer than it (or it is missing): a run of npm test after
# `npm run check-dist` (CI) does not bundle a second time.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f dist/index.js ] && [ -f dist/cli-build/index.js ] &&
  [ -z "$(find src package.json package-lock.json tsconfig.json scripts/package.sh -newer dist/cli-build/index.js -type f -print -quit)" ]; then
  echo "dist/ is current: not bundled again"
else
  npm run -s package >/dev/null
  echo "dist/ bundled from the sources"
fi
