#!/usr/bin/env bash
# ./openchoreo test — installs test prerequisites, builds, runs every test project and prints "N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source "$ROOT/eng/lib.sh"

RESULTS="$ROOT/artifacts/test-results"
rm -rf "$RESULTS"; mkdir -p "$RESULTS"

oc_step "installing test prerequisites"
oc_install_test_prereqs || oc_die "could not install the test prerequisites"

oc_step "starting PostgreSQL for the store suite"
oc_start_test_postgres "$ROOT/artifacts/test-postgres" || oc_die "could not start PostgreSQL"
trap 'oc_stop_test_postgres "$ROOT/artifacts/test-postgres"' EXIT

oc_step "building"
dotnet build OpenChoreo.slnx -c Release -nologo -v q -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

oc_step "running tests"
passed=0; failed=0; skipped=0
for proj in tests/*/*.Tests.csproj; do
  name="$(basename "$proj" .csproj)"
  log="$RESULTS/$name.log"
  echo "== $name"
  dotnet test --project "$proj" -c Release --no-build --report-xunit-trx --results-directory "$RESULTS/$name" "$@" >"$log" 2>&1
  rc=$?
  sed -n '/^Test run summary/,$p' "$log"
  p=$(grep -E '^\s+succeeded:' "$log" | tail -1 | awk '{print $2}')
  f=$(grep -E '^\s+failed:' "$log" | tail -1 | awk '{print $2}')
  s=$(grep -E '^\s+skipped:' "$log" | tail -1 | awk '{print $2}')
  if [[ -z "$p" || -z "$f" ]]; then
    echo "   (no summary: the test host failed; last lines follow)"; tail -30 "$log"
    failed=$((failed + 1))
    continue
  fi
  if [[ $rc -ne 0 && "$f" == "0" ]]; then
    # A failing exit code with no failed test means the run itself broke (e.g. a crash): count it.
    echo "   (test host exited with $rc)"; tail -20 "$log"; f=1
  fi
  if [[ "$f" != "0" ]]; then grep -E -B2 -A25 '^\s*failed ' "$log" | head -200; fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${s:-0}))
done
# Skips (e.g. no network namespaces on this machine) are reported, but the last line is exactly "N passed, N failed".
echo "${skipped} skipped"
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
