#!/usr/bin/env bash
# The whole test suite, as CI runs it: a throwaway PostgreSQL and Chromium (each installed from Debian's
# packages if missing), every test on SQLite and PostgreSQL, the browser tests, and the formatting check.
# Usage: ./scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "test.sh: need root (or sudo) to run: $*" >&2; exit 1; fi
}

# The browser tests drive Debian's Chromium through Playwright's bundled driver; nothing is downloaded.
if [ ! -x /usr/bin/chromium ]; then
  echo "test.sh: installing Chromium from Debian's packages" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi

started_postgres=false
if [ -z "${CHANGETRAIL_TEST_POSTGRES:-}" ]; then
  CHANGETRAIL_PG_STATE=$(mktemp -d /tmp/changetrail-pg-test.XXXXXX)
  export CHANGETRAIL_PG_STATE
  eval "$(scripts/postgres.sh start)"
  started_postgres=true
fi
cleanup() { if $started_postgres; then scripts/postgres.sh stop; fi; }
trap cleanup EXIT

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore
dotnet restore ChangeTrail.slnx
dotnet build ChangeTrail.slnx --no-restore
dotnet format ChangeTrail.slnx --verify-no-changes --no-restore
# A failing test's message comes early, before the test process's own output, which can run to thousands of lines; the
# failures are repeated at the end, where a CI log's tail shows them.
log=$(mktemp /tmp/changetrail-test-output.XXXXXX)
status=0
dotnet test --solution ChangeTrail.slnx --no-build "$@" 2>&1 | tee "$log" || status=$?
if [ "$status" -ne 0 ]; then
  echo
  echo "test.sh: the tests failed (exit code $status). The failures, repeated from above:"
  failures=$(grep -E -A 40 '^[[:space:]]*failed [^:]' "$log" || true)
  if [ -n "$failures" ]; then printf '%s\n' "$failures" | head -n 600 || true
  else echo "test.sh: no failed test named in the output (a test process crashed?); see the lines above."; fi
fi
rm -f "$log"
exit "$status"
