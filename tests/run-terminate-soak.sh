#!/usr/bin/env bash
# R6 soak: terminates every connection the service has to its database (pg_terminate_backend) twice a second
# for SECONDS (60 by default; CI runs 8 as part of `dotnet test`) while a push of remote jobs runs, then checks
# that the server is still up and the push completed with every job Succeeded exactly once (a trigger records
# every status change), counters equal to a recount. Prints the figures on the line starting "R6:".
#   tests/run-terminate-soak.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
export PUSHAPI_TERMINATE_SECONDS="${1:-60}"
exec dotnet test tests/PushApi.IntegrationTests --filter "FullyQualifiedName~DatabaseFaultTests.R6" --logger "console;verbosity=normal"
