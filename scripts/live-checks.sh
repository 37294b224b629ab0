#!/usr/bin/env bash
# Checks against a live server, as a client would: starts the debug binary
# on a fresh SQLite database, runs the GraphQL-over-HTTP audit suite (npm
# graphql-http, pinned in package-lock.json; fails on any MUST or SHOULD) and
# the README's newcomer path (scripts/first-cycle.sh).
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
here="$top/scripts/graphql-http-audit"
bin="$top/target/debug/skillpath"
command -v jq >/dev/null || { apt-get update -qq && apt-get install -y -qq jq >/dev/null; }
[ -x "$bin" ] || (cd "$top" && cargo build --locked --bin skillpath)
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
(
  cd "$work"
  DATABASE_URL="sqlite://$work/audit.db?mode=rwc" SKILLPATH_LISTEN="127.0.0.1:$port" \
    SKILLPATH_ADMIN_EMAIL=admin@example.com SKILLPATH_ADMIN_PASSWORD='a live check password 9' \
    SKILLPATH_PASSWORD_HASHING__MEMORY_KIB=1024 SKILLPATH_PASSWORD_HASHING__ITERATIONS=1 \
    exec "$bin" serve >"$work/server.log" 2>&1
) &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/livez" >/dev/null 2>&1 && break
  sleep 0.2
done
echo "-- graphql-http audits"
node "$here/audit.mjs" "http://127.0.0.1:$port/graphql"
echo "-- the README's first cycle"
API="http://127.0.0.1:$port/graphql" ADMIN_EMAIL=admin@example.com \
  ADMIN_PASSWORD='a live check password 9' "$top/scripts/first-cycle.sh"
