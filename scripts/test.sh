#!/usr/bin/env bash
# The README's test command: installs what tests need, type-checks, then runs every vitest project.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every process the tests start inherits this tag; after the last run, none may be left (each vitest project checks
# its own teardown too, scripts/test-support/process-leaks.ts). A leftover is killed and fails the run.
export SOFTSWITCH_TEST_RUN="test-sh-$$-$(date +%s%N)"
check_leftovers() {
  local rc=$?
  node --import tsx scripts/test-support/process-leaks.ts --check || rc=1
  exit "$rc"
}
trap check_leftovers EXIT

bash scripts/install-test-deps.sh
echo "node $(node --version) (pinned by the node devDependency)"
npm run -s typecheck
npm run -s build:console
npx vitest run --project unit
npx vitest run --project workers
npx vitest run --project e2e --passWithNoTests
