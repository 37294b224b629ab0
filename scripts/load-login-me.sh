#!/usr/bin/env bash
# Load run of `login` and `me` against a fresh local Skillpath server, with hey.
#
#   scripts/load-login-me.sh [BINARY]        (default: target/release/skillpath)
#
# Environment:
#   CONCURRENCY=16       concurrent connections for both runs
#   REQUESTS=2000        requests for the `me` run
#   LOGIN_REQUESTS=300   requests for the `login` run (argon2id at m=19 MiB, t=2, p=1:
#                        deliberately expensive, so keep this smaller)
#                        hey rounds -n down to a multiple of -c: 300 at -c 16 sends 288
#   PORT=18090           preferred port; another free one is picked if it is taken
#
# Needs: hey (Debian package `hey`), curl, python3. Sends traffic to 127.0.0.1 only.
# The server runs in a new temp dir with its own SQLite database and is stopped,
# and the dir removed, on exit. Only successful responses are benchmarked: the
# script checks a sample body of each query for GraphQL errors before and after,
# and counts the refresh tokens the login run created (one per successful login).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$repo/target/release/skillpath}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
[[ -x $bin ]] || { echo "error: no executable at $bin" >&2; exit 2; }

CONCURRENCY=${CONCURRENCY:-16}
REQUESTS=${REQUESTS:-2000}
LOGIN_REQUESTS=${LOGIN_REQUESTS:-300}
PORT=${PORT:-18090}

for tool in hey curl python3; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found (apt-get install -y $tool)" >&2; exit 2; }
done

# A free port on 127.0.0.1: the preferred one if it binds, else one from the OS.
PORT=$(python3 - "$PORT" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
)

EMAIL=load@example.com
PASSWORD=load-test-password-123
URL=http://127.0.0.1:$PORT/graphql
LOGIN_BODY='{"query":"mutation { login(email: \"'$EMAIL'\", password: \"'$PASSWORD'\") { accessToken } }"}'
ME_BODY='{"query":"{ me { id email name role } }"}'

dir=$(mktemp -d -t skillpath-load.XXXXXX)
server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Run from the temp dir with an empty config file, so no skillpath.toml in the
# caller's directory is read (a SKILLPATH_CONFIG that names no file is refused).
: >"$dir/empty.toml"
(
  cd "$dir"
  exec env \
    SKILLPATH_CONFIG="$dir/empty.toml" \
    DATABASE_URL="sqlite://$dir/sp.db?mode=rwc" \
    SKILLPATH_LISTEN="127.0.0.1:$PORT" \
    SKILLPATH_ADMIN_EMAIL="$EMAIL" \
    SKILLPATH_ADMIN_PASSWORD="$PASSWORD" \
    RUST_LOG=warn \
    "$bin" serve
) >"$dir/server.log" 2>&1 &
server_pid=$!

for ((i = 0; i < 300; i++)); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "error: server exited during startup:" >&2; cat "$dir/server.log" >&2; exit 1
  fi
  if [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health" || true) == 200 ]]; then
    break
  fi
  sleep 0.1
done
if ((i == 300)); then
  echo "error: /health did not answer 200 within 30 s" >&2; cat "$dir/server.log" >&2; exit 1
fi

post() { # body [extra curl args...] -> response body; fails on non-200
  local body=$1; shift
  curl -sS --fail-with-body -X POST -H 'Content-Type: application/json' "$@" -d "$body" "$URL"
}

# Fails unless the GraphQL response has data and no errors.
check() { # label expected-substring json
  python3 - "$@" <<'EOF'
import json, sys
label, expect, raw = sys.argv[1:4]
doc = json.loads(raw)
if doc.get("errors") or not doc.get("data") or expect not in raw:
    sys.exit(f"error: {label} response is not a clean success: {raw}")
EOF
}

login_json=$(post "$LOGIN_BODY")
check login accessToken "$login_json"
TOKEN=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["login"]["accessToken"])' <<<"$login_json")
me_json=$(post "$ME_BODY" -H "Authorization: Bearer $TOKEN")
check me "\"$EMAIL\"" "$me_json"
echo "sample login response: ${login_json:0:80}..."
echo "sample me response:    $me_json"

count_refresh_tokens() {
  python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from refresh_tokens").fetchone()[0])' "$dir/sp.db" 2>/dev/null || echo "?"
}

# Prints hey's report and keeps it for the summary; fails on any non-200 or transport error.
run_hey() { # label out-file hey-args...
  local label=$1 out=$2; shift 2
  echo
  echo "=== $label: hey $* ==="
  hey "$@" | tee "$out"
  if grep -q 'Error distribution' "$out"; then
    echo "error: $label run had transport errors" >&2; exit 1
  fi
  if ! awk '/^ *\[[0-9]+\]/ { n++; if ($1 != "[200]") bad = 1 } END { exit (bad || !n) }' "$out"; then
    echo "error: $label run had non-200 statuses" >&2; exit 1
  fi
}

# hey gives each of its -c workers n/c requests (integer division), so it sends
# a multiple of -c: say so rather than let the totals surprise.
for n in "$LOGIN_REQUESTS" "$REQUESTS"; do
  if ((n % CONCURRENCY)); then
    echo "note: hey sends $((n / CONCURRENCY * CONCURRENCY)), not $n, requests at concurrency $CONCURRENCY"
  fi
done

before=$(count_refresh_tokens)
run_hey login "$dir/login.txt" -n "$LOGIN_REQUESTS" -c "$CONCURRENCY" -m POST -T application/json \
  -d "$LOGIN_BODY" "$URL"
after=$(count_refresh_tokens)
check login accessToken "$(post "$LOGIN_BODY")"
# GraphQL errors come back as HTTP 200, so count what the logins really did:
# each successful one stores a refresh token.
login_ok=$(awk '$1 == "[200]" { print $2 }' "$dir/login.txt")
if [[ $before != "?" && $after != "?" ]]; then
  if ((after - before != login_ok)); then
    echo "error: login run created $((after - before)) sessions for $login_ok HTTP 200 responses: some logins failed" >&2
    exit 1
  fi
  echo "login run: $((after - before)) of $login_ok logins succeeded (sessions created)"
fi

run_hey me "$dir/me.txt" -n "$REQUESTS" -c "$CONCURRENCY" -m POST -T application/json \
  -H "Authorization: Bearer $TOKEN" -d "$ME_BODY" "$URL"
check me "\"$EMAIL\"" "$(post "$ME_BODY" -H "Authorization: Bearer $TOKEN")"

summary() { # label file
  awk -v label="$1" '
    /Requests\/sec:/ { rps = $2 }
    /^ *50% in/ { p50 = $3 } /^ *95% in/ { p95 = $3 } /^ *99% in/ { p99 = $3 }
    /^ *\[[0-9]+\]/ { codes = codes $1 "x" $2 " " }
    function ms(v) { return v == "" ? "n/a" : sprintf("%.1f ms", v * 1000) }
    END { printf "%-6s %10.1f req/s   p50 %10s   p95 %10s   p99 %10s   status %s\n",
                 label, rps, ms(p50), ms(p95), ms(p99), codes }' "$2"
}

echo
echo "=== summary: $(nproc) CPUs, concurrency $CONCURRENCY, $(basename "$bin") on 127.0.0.1:$PORT ==="
summary login "$dir/login.txt"
summary me "$dir/me.txt"
