#!/usr/bin/env bash
# Long crash run: kills the server with SIGKILL at RUNS random points of a 10,000-job push (20 by
# default; CI runs 3 as part of `dotnet test`) and checks after each that every job ended once,
# through legal transitions, with the counters equal to a recount. Then the two-instance and SIGTERM tests.
#   tests/run-crash-soak.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
export PUSHAPI_CRASH_RUNS="${1:-20}"
exec dotnet test tests/PushApi.IntegrationTests --filter "FullyQualifiedName~PushCrashTests" --logger "console;verbosity=normal"
