#!/usr/bin/env bash
# Times the unit layer with a cold transform cache under @swc/jest (the project's choice)
# and under ts-jest (type-checking and isolatedModules). Usage: bash bench/tooling/compare-jest-transformers.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
run() { # label, jest args...
  local label=$1; shift
  local cache; cache=$(mktemp -d)
  local start end
  start=$(date +%s.%N)
  npx jest --cacheDirectory "$cache" "$@" >/dev/null 2>&1 || echo "($label: some tests failed)"
  end=$(date +%s.%N)
  rm -rf "$cache"
  printf '%-22s %6.1f s (cold cache)\n' "$label" "$(echo "$end - $start" | bc)"
}
run '@swc/jest' --selectProjects unit
JEST_TRANSFORMER=ts-jest-isolated run 'ts-jest isolated' -c bench/tooling/jest-transformer.config.js
JEST_TRANSFORMER=ts-jest run 'ts-jest (type-check)' -c bench/tooling/jest-transformer.config.js
