#!/usr/bin/env bash
# Rebuild dist/ and fail when it differs from what is committed (new files count too).
set -euo pipefail
cd "$(dirname "$0")/.."
npm run -s package >/dev/null
changes=$(git status --porcelain -- dist/)
if [ -n "$changes" ]; then
  echo "dist/ is stale: run 'npm run package' and commit dist/. Changed files:" >&2
  echo "$changes" >&2
  exit 1
fi
echo "dist/ matches the sources"
