#!/usr/bin/env bash
# The one test command (README.md, .ci/run): provisions what the tests need (a PostgreSQL 17 + pgvector server, unless
# CHAINS_TEST_POSTGRES names one), builds the solution (libraries, samples, benchmarks) and runs every test project.
# Prints "N passed, N failed" at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export ORT_DISABLE_TELEMETRY=1

configuration="${CONFIGURATION:-Release}"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET SDK (10.0) is required: https://dotnet.microsoft.com/download" >&2
  exit 1
fi

# NuGet.config names the local feed artifacts/packages (filled by `dotnet pack`); a solution restore needs it to exist.
mkdir -p artifacts/packages

echo "==> build ($configuration)"
dotnet build Chains.sln -c "$configuration" --nologo -v quiet

echo "==> PostgreSQL 17 + pgvector"
eval "$(tests/postgres.sh start)"

log=$(mktemp)
trap 'rm -f "$log"; tests/postgres.sh stop' EXIT
echo "==> test"
set +e
dotnet test --solution Chains.sln -c "$configuration" --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

passed=$(grep -E '^\s*succeeded:' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -E '^\s*failed:' "$log" | awk '{s+=$2} END {print s+0}')
echo "Tests: ${passed} passed, ${failed} failed"
exit "$status"
