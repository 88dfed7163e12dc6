#!/usr/bin/env bash
# An ISV's release script: push a new package version to every eligible subscriber (or the orgs you
# list), now or at a given time, and follow it to the end. Plain Salesforce REST + SOQL, so it runs
# against Salesforce too with only the URL and the credentials changed.
#
#   PUSHAPI_URL=https://127.0.0.1:5443 PUSHAPI_CACERT=.pushapi/tls/certificate.pem \
#   PUSHAPI_USERNAME=admin@pushapi.local PUSHAPI_PASSWORD=… \
#   samples/rest/push-release.sh 04tXXXXXXXXXXXXXXX [--orgs orgs.txt] [--at 2026-12-01T02:00:00Z] [--no-wait]
#
# Exit codes: 0 the push Succeeded (or was scheduled, with --no-wait), 1 it Failed or an error
# occurred, 3 nothing to push (no eligible subscriber).
set -euo pipefail
source "$(dirname "$0")/pushapi.sh"

usage() { echo "usage: $0 PACKAGE_VERSION_ID [--orgs FILE] [--at ISO8601] [--no-wait] [--poll SECONDS]" >&2; exit 2; }
[ $# -ge 1 ] || usage
TARGET=$1; shift
ORGS_FILE= START_AT= WAIT=1 POLL=${POLL:-5}
while [ $# -gt 0 ]; do
  case "$1" in
    --orgs) ORGS_FILE=${2:?}; shift 2 ;;
    --at) START_AT=${2:?}; shift 2 ;;
    --no-wait) WAIT=0; shift ;;
    --poll) POLL=${2:?}; shift 2 ;;
    *) usage ;;
  esac
done

pushapi_login
echo "Logged in to $INSTANCE_URL"

# 1. The target version, and the package's released versions below it.
soql "SELECT Id, Name, MetadataPackageId, MajorVersion, MinorVersion, PatchVersion, ReleaseState FROM MetadataPackageVersion WHERE Id = '$TARGET'"
[ "$(jq length <<<"$SOQL_RECORDS")" -eq 1 ] || die "No package version $TARGET."
VERSION=$(jq '.[0]' <<<"$SOQL_RECORDS")
PACKAGE=$(jq -r .MetadataPackageId <<<"$VERSION")
NUMBER=$(jq -r '"\(.MajorVersion).\(.MinorVersion).\(.PatchVersion // 0)"' <<<"$VERSION")
[ "$(jq -r .ReleaseState <<<"$VERSION")" = Released ] || die "Version $NUMBER is not released; only released versions can be pushed."

soql "SELECT Id, MajorVersion, MinorVersion, PatchVersion FROM MetadataPackageVersion WHERE MetadataPackageId = '$PACKAGE' AND ReleaseState = 'Released'"
OLDER=$(jq -r --argjson t "$VERSION" '
  def key: [.MajorVersion, .MinorVersion, (.PatchVersion // 0)];
  [.[] | select(key < ($t | key)) | .Id | @sh] | join(",")' <<<"$SOQL_RECORDS")
[ -n "$OLDER" ] || { echo "No released version is older than $NUMBER: nothing to upgrade."; exit 3; }

# 2. Eligible subscribers: installed, active, on an older version (optionally only the listed orgs).
soql "SELECT OrgKey, OrgName, MetadataPackageVersionId FROM PackageSubscriber WHERE MetadataPackageVersionId IN ($OLDER) AND InstalledStatus = 'i' AND OrgStatus = 'Active'"
ORGS=$(jq -r '.[].OrgKey' <<<"$SOQL_RECORDS")
if [ -n "$ORGS_FILE" ]; then
  ORGS=$(grep -vE '^\s*(#|$)' "$ORGS_FILE" | cut -c1-15 | sort -u | comm -12 - <(sort -u <<<"$ORGS") || true)
fi
COUNT=$(grep -c . <<<"$ORGS" || true)
[ "$COUNT" -gt 0 ] || { echo "No eligible subscriber for $NUMBER."; exit 3; }
echo "Pushing $NUMBER ($TARGET) to $COUNT orgs."

# 3. The request, then its jobs 200 at a time with composite tree calls (all or none per call).
BODY=$(jq -cn --arg v "$TARGET" --arg at "$START_AT" '{PackageVersionId: $v} + (if $at == "" then {} else {ScheduledStartTime: $at} end)')
api POST sobjects/PackagePushRequest "$BODY" || die "Could not create the push request: $API_ERROR"
REQUEST=$(jq -r .id <<<"$API_BODY")
echo "Created push request $REQUEST"

cancel_and_die() {
  api PATCH "sobjects/PackagePushRequest/$REQUEST" '{"Status":"Canceled"}' || true
  die "$1 (push request $REQUEST canceled)"
}
while read -r chunk; do
  TREE=$(jq -c --arg r "$REQUEST" '{records: map({attributes: {type: "PackagePushJob", referenceId: .}, PackagePushRequestId: $r, SubscriberOrganizationKey: .})}' <<<"$chunk")
  api POST composite/tree/PackagePushJob "$TREE" || cancel_and_die "Adding jobs failed: $(jq -r '[.results[]? | "\(.referenceId): \(.errors[0].message)"] | join("; ")' <<<"$API_BODY" 2>/dev/null || echo "$API_ERROR")"
done < <(jq -R . <<<"$ORGS" | jq -sc '[range(0; length; 200) as $i | .[$i:$i+200]][]')
echo "Added $COUNT jobs"

# 4. Schedule: Pending starts it at ScheduledStartTime, or now.
api PATCH "sobjects/PackagePushRequest/$REQUEST" '{"Status":"Pending"}' || cancel_and_die "Scheduling failed: $API_ERROR"
echo "Scheduled${START_AT:+ for $START_AT}"
[ "$WAIT" -eq 1 ] || exit 0

# 5. Poll until it is done, then report.
while :; do
  api GET "sobjects/PackagePushRequest/$REQUEST?fields=Status,StartTime,EndTime,DurationSeconds" || die "Polling failed: $API_ERROR"
  STATUS=$(jq -r .Status <<<"$API_BODY")
  case "$STATUS" in Succeeded|Failed|Canceled) break ;; esac
  soql "SELECT Count(Id) FROM PackagePushJob WHERE PackagePushRequestId = '$REQUEST' AND Status IN ('Succeeded', 'Failed', 'Canceled')"
  echo "$STATUS: $(jq -r '.[0].expr0' <<<"$SOQL_RECORDS") of $COUNT done"
  sleep "$POLL"
done

soql "SELECT Count(Id) FROM PackagePushJob WHERE PackagePushRequestId = '$REQUEST' AND Status = 'Succeeded'"
SUCCEEDED=$(jq -r '.[0].expr0' <<<"$SOQL_RECORDS")
echo "Push request $REQUEST $STATUS: $SUCCEEDED of $COUNT orgs upgraded in $(jq -r '.DurationSeconds // 0' <<<"$API_BODY") s."
soql "SELECT PackagePushJob.SubscriberOrganizationKey, ErrorType, ErrorTitle, ErrorMessage FROM PackagePushError WHERE PackagePushJob.PackagePushRequestId = '$REQUEST'"
jq -r '.[] | "  \(.PackagePushJob.SubscriberOrganizationKey): \(.ErrorType) \(.ErrorTitle): \(.ErrorMessage)"' <<<"$SOQL_RECORDS"
[ "$STATUS" = Succeeded ]
