#!/usr/bin/env bash
# Starts the debug binary on a fresh SQLite database and runs the
# GraphQL-over-HTTP audit suite (npm graphql-http, pinned in package-lock.json)
# against it. Fails if any MUST or SHOULD audit fails.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
bin="$top/target/debug/skillpath"
[ -x "$bin" ] || (cd "$top" && cargo build --locked --bin skillpath)
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
(
  cd "$work"
  DATABASE_URL="sqlite://$work/audit.db?mode=rwc" SKILLPATH_LISTEN="127.0.0.1:$port" \
    exec "$bin" serve >"$work/server.log" 2>&1
) &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/livez" >/dev/null 2>&1 && break
  sleep 0.2
done
node "$here/audit.mjs" "http://127.0.0.1:$port/graphql"
