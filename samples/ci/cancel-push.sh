#!/usr/bin/env bash
# Cancels a push request by id, for a CI pipeline's "stop the release" job. Succeeds when the request
# is canceled (or already was); fails the pipeline with a readable message when it can no longer be
# canceled (already running or finished) or does not exist.
#
#   PUSHAPI_URL=… PUSHAPI_CLIENT_ID=… PUSHAPI_CLIENT_SECRET=… samples/ci/cancel-push.sh 0DVXXXXXXXXXXXXXXX
#
# In GitHub Actions the failure is also an ::error:: annotation on the run.
set -euo pipefail
source "$(dirname "$0")/../rest/pushapi.sh"

REQUEST=${1:-}
[[ "$REQUEST" =~ ^0DV[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$ ]] || die "usage: $0 PUSH_REQUEST_ID (a 15- or 18-character id starting with 0DV)"

fail() {
  if [ -n "${GITHUB_ACTIONS:-}" ]; then echo "::error title=Push request not canceled::$1"; fi
  die "$1"
}

pushapi_login
api GET "sobjects/PackagePushRequest/$REQUEST?fields=Id,Status,ScheduledStartTime" || fail "Push request $REQUEST: $API_ERROR"
BEFORE=$(jq -r .Status <<<"$API_BODY")
if [ "$BEFORE" = Canceled ]; then
  echo "Push request $REQUEST was already canceled."
  exit 0
fi

if ! api PATCH "sobjects/PackagePushRequest/$REQUEST" '{"Status":"Canceled"}'; then
  fail "Push request $REQUEST can no longer be canceled (it is $BEFORE). $API_ERROR"
fi

api GET "query?q=$(jq -rn --arg q "SELECT Count(Id) FROM PackagePushJob WHERE PackagePushRequestId = '$REQUEST' AND Status = 'Canceled'" '$q|@uri')" || fail "$API_ERROR"
echo "Canceled push request $REQUEST (was $BEFORE); $(jq -r '.records[0].expr0' <<<"$API_BODY") jobs canceled."
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  echo "Canceled push request \`$REQUEST\` (was $BEFORE)." >>"$GITHUB_STEP_SUMMARY"
fi
