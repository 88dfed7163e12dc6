#!/usr/bin/env bash
# The long form of the fuzzer (docs/reliability.md R12): generated and mutated requests on every front end.
#   tests/run-fuzz.sh [SEED] [REQUESTS] [SECONDS]
# A failure prints the request and "replay: PUSHAPI_FUZZ_SEED=…, request index …"; the same seed sends the
# same requests. Defaults: a seed from the clock, 200,000 requests, at most 1,800 s.
set -euo pipefail
cd "$(dirname "$0")/.."
export PUSHAPI_FUZZ_SEED="${1:-$(date +%s)}"
export PUSHAPI_FUZZ_REQUESTS="${2:-200000}"
export PUSHAPI_FUZZ_SECONDS="${3:-1800}"
echo "fuzz: seed $PUSHAPI_FUZZ_SEED, $PUSHAPI_FUZZ_REQUESTS requests, at most $PUSHAPI_FUZZ_SECONDS s"
dotnet test tests/PushApi.IntegrationTests --filter "FullyQualifiedName~FuzzTests" --logger "console;verbosity=normal"
