#!/usr/bin/env bash
# The README's test command: installs what tests need, type-checks, then runs every vitest project.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
echo "node $(node --version) (pinned by the node devDependency)"
npm run -s typecheck
npx vitest run --project unit
npx vitest run --project workers
npx vitest run --project e2e --passWithNoTests
