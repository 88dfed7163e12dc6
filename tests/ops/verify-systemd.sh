#!/usr/bin/env bash
# Installs deploy/pushapi.service into a throwaway folder and checks it: `dotnet publish` of the server there, the unit
# rendered with that folder's paths, `systemd-analyze verify` on it (any warning fails), then the unit's ExecStart run
# with its Environment= lines until /health/ready answers, and stopped with its KillSignal within its TimeoutStopSec.
#
#   tests/ops/verify-systemd.sh            (PUSHAPI_PUBLISH_CONFIGURATION=Debug reuses a Debug build; default Release)
#
# Exits 0 when all is well, 1 with the reason otherwise. Needs dotnet, systemd-analyze and curl; the smoke run needs
# PostgreSQL's server binaries (the unit uses the embedded cluster).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
unit="$repo/deploy/pushapi.service"
configuration=${PUSHAPI_PUBLISH_CONFIGURATION:-Release}
work=$(mktemp -d "${TMPDIR:-/tmp}/pushapi-systemd-XXXXXX")
server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "verify-systemd: $*" >&2; exit 1; }

command -v systemd-analyze >/dev/null || fail "systemd-analyze is not installed"
dotnet_path=$(readlink -f "$(command -v dotnet)")
app="$work/opt/pushapi"
data="$work/var/lib/pushapi"
mkdir -p "$app" "$data" "$work/etc/systemd/system"

echo "verify-systemd: dotnet publish ($configuration) into $app"
dotnet publish "$repo/src/PushApi.Server" -c "$configuration" -o "$app" --nologo -v quiet >"$work/publish.log" 2>&1 \
  || { cat "$work/publish.log" >&2; fail "dotnet publish failed"; }
[[ -f "$app/PushApi.Server.dll" && -f "$app/appsettings.json" && -d "$app/wwwroot/monitor" ]] \
  || fail "the published folder lacks PushApi.Server.dll, appsettings.json or wwwroot/monitor"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rendered="$work/etc/systemd/system/pushapi.service"
sed -e "s|/usr/bin/dotnet|$dotnet_path|g" \
    -e "s|/opt/pushapi|$app|g" \
    -e "s|/var/lib/pushapi|$data|g" \
    -e "s|/etc/pushapi/|$work/etc/pushapi/|g" \
    -e "s|127.0.0.1:5080|127.0.0.1:$port|g" \
    "$unit" >"$rendered"

echo "verify-systemd: systemd-analyze verify $rendered"
if ! systemd-analyze verify "$rendered" >"$work/verify.log" 2>&1 || [[ -s "$work/verify.log" ]]; then
  cat "$work/verify.log" >&2
  fail "systemd-analyze verify found problems in deploy/pushapi.service"
fi

value() { sed -n "s/^$1=//p" "$rendered" | tail -1; }
seconds() { local v=$1; v=${v%s}; echo "$v"; }
exec_start=$(value ExecStart)
stop_timeout=$(seconds "$(value TimeoutStopSec)")
[[ $(value KillSignal) == SIGTERM ]] || fail "KillSignal is not SIGTERM"
[[ $(value Restart) == on-failure ]] || fail "Restart is not on-failure"

echo "verify-systemd: starting $exec_start"
(
  cd "$(value WorkingDirectory)"
  env -i PATH="$PATH" HOME="$work" $(sed -n 's/^Environment=//p' "$rendered") \
    PushApi__Bootstrap__Username=admin@systemd.local PushApi__Bootstrap__Password=Systemd-Password-1 \
    $exec_start >"$work/server.log" 2>&1 &
  echo $! >"$work/server.pid"
  wait
) &
for _ in $(seq 1 100); do [[ -s "$work/server.pid" ]] && break; sleep 0.1; done
server_pid=$(cat "$work/server.pid")

ready=
for _ in $(seq 1 180); do
  if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; fail "the service exited at start"; }
  sleep 0.5
done
[[ -n $ready ]] || { cat "$work/server.log" >&2; fail "the service did not become ready"; }
[[ $(stat -c %a "$data/connection") == 600 ]] || fail "$data/connection is not mode 600"

echo "verify-systemd: ready; stopping it with SIGTERM (TimeoutStopSec=${stop_timeout}s)"
start=$(date +%s)
kill -TERM "$server_pid"
while kill -0 "$server_pid" 2>/dev/null; do
  (( $(date +%s) - start <= stop_timeout )) || { cat "$work/server.log" >&2; fail "the service did not stop within TimeoutStopSec"; }
  sleep 0.2
done
grep -q "PostgreSQL stopped" "$work/server.log" || { cat "$work/server.log" >&2; fail "the embedded PostgreSQL was not stopped"; }
echo "verify-systemd: OK (stopped in $(( $(date +%s) - start )) s)"
