# Shared helpers of the bash samples: log in, call the Salesforce REST API, show its errors readably.
# Source it; it needs curl and jq.
#
#   PUSHAPI_URL        https://127.0.0.1:5443 (default) or your server
#   PUSHAPI_USERNAME / PUSHAPI_PASSWORD           a user (password grant), or
#   PUSHAPI_CLIENT_ID / PUSHAPI_CLIENT_SECRET     an API client (client-credentials grant)
#   PUSHAPI_CACERT     a PEM file to trust (the dev server's .pushapi/tls/certificate.pem)
#   PUSHAPI_API        API version (default v62.0)

PUSHAPI_URL="${PUSHAPI_URL:-https://127.0.0.1:5443}"
PUSHAPI_API="${PUSHAPI_API:-v62.0}"
CURL_OPTS=(--silent --show-error --connect-timeout 10 --max-time 120)
if [ -n "${PUSHAPI_CACERT:-}" ]; then CURL_OPTS+=(--cacert "$PUSHAPI_CACERT"); fi

for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "This script needs $tool." >&2; exit 2; }
done

die() { echo "$*" >&2; exit 1; }

# pushapi_login: sets TOKEN and INSTANCE_URL.
pushapi_login() {
  local form
  if [ -n "${PUSHAPI_USERNAME:-}" ]; then
    form=(-d grant_type=password --data-urlencode "username=$PUSHAPI_USERNAME" --data-urlencode "password=${PUSHAPI_PASSWORD:?set PUSHAPI_PASSWORD}")
  elif [ -n "${PUSHAPI_CLIENT_ID:-}" ]; then
    form=(-d grant_type=client_credentials --data-urlencode "client_id=$PUSHAPI_CLIENT_ID" --data-urlencode "client_secret=${PUSHAPI_CLIENT_SECRET:?set PUSHAPI_CLIENT_SECRET}")
  else
    die "Set PUSHAPI_USERNAME and PUSHAPI_PASSWORD, or PUSHAPI_CLIENT_ID and PUSHAPI_CLIENT_SECRET."
  fi
  local body
  body=$(curl "${CURL_OPTS[@]}" "$PUSHAPI_URL/services/oauth2/token" "${form[@]}") || die "Cannot reach $PUSHAPI_URL."
  TOKEN=$(jq -r '.access_token // empty' <<<"$body")
  [ -n "$TOKEN" ] || die "Login failed: $(jq -r '.error_description // .error // .' <<<"$body")"
  INSTANCE_URL=$(jq -r .instance_url <<<"$body")
}

# api METHOD PATH [JSON]: calls the API and sets API_STATUS (HTTP status) and API_BODY; on an error
# status also API_ERROR (the Salesforce errors, readable) and returns 1. PATH is relative to
# /services/data/vNN.0/ unless it starts with /.
api() {
  local method=$1 path=$2 data=${3:-} out
  out=$(mktemp)
  local args=("${CURL_OPTS[@]}" -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $TOKEN")
  if [ -n "$data" ]; then args+=(-H 'Content-Type: application/json' --data-binary "$data"); fi
  case "$path" in /*) ;; *) path="/services/data/$PUSHAPI_API/$path" ;; esac
  API_STATUS=$(curl "${args[@]}" "$INSTANCE_URL$path") || { rm -f "$out"; die "Cannot reach $INSTANCE_URL."; }
  API_BODY=$(cat "$out")
  rm -f "$out"
  API_ERROR=
  if [ "$API_STATUS" -ge 400 ]; then
    API_ERROR=$(jq -r 'if type == "array" then map("\(.errorCode): \(.message)") | join("; ") else (.detail // .title // tostring) end' <<<"$API_BODY" 2>/dev/null || echo "$API_BODY")
    return 1
  fi
}

# soql QUERY: sets SOQL_RECORDS to every record of the query as one JSON array, following nextRecordsUrl.
soql() {
  local lines
  lines=$(mktemp)
  api GET "query?q=$(jq -rn --arg q "$1" '$q|@uri')" || { rm -f "$lines"; die "Query failed: $API_ERROR"; }
  while :; do
    jq -c '.records[] | del(.attributes)' <<<"$API_BODY" >>"$lines"
    [ "$(jq -r .done <<<"$API_BODY")" = "true" ] && break
    api GET "$(jq -r .nextRecordsUrl <<<"$API_BODY")" || { rm -f "$lines"; die "Query failed: $API_ERROR"; }
  done
  SOQL_RECORDS=$(jq -s . "$lines")
  rm -f "$lines"
}
