#!/usr/bin/env bash
# The nested users read side by side with PostGraphile 5 on one PostgreSQL
# database: `users(first: 100)` with each person's team, manager and direct
# reports (issue 14's read (d)), 16 concurrent clients, interleaved rounds.
#
#   cargo build --release && scripts/bench-vs-postgraphile.sh [BINARY]
#
# Environment:
#   PG_URL=postgres://postgres@127.0.0.1:5432   a server the script may create a database on
#   DB_NAME=skillpath_vs_postgraphile           dropped and created anew unless REUSE=1
#   PEOPLE=1000      size of the demo organisation (`skillpath seed demo`)
#   CONCURRENCY=16   concurrent connections of wrk, for both servers
#   DURATION=10s     each measured round; WARMUP=5s before the first
#   ROUNDS=3         Skillpath, PostGraphile, Skillpath, PostGraphile, …
#   THREADS=2        wrk threads
#
# Needs: wrk (Debian package `wrk`), curl, psql, python3, npm (the PostGraphile
# peer and the Node 22 it needs install from npm into benches/postgraphile/).
# Sends traffic to 127.0.0.1 only and stops both servers on exit.
#
# Skillpath serves with authentication on (a bearer token of an HR user, who
# may see everyone). PostGraphile connects as a read-only role that may
# select the same columns (not the password hash); it has no authentication.
# Both answers are checked for errors and for 100 people before and after.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-${CARGO_TARGET_DIR:-$repo/target}/release/skillpath}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
[[ -x $bin ]] || { echo "error: no executable at $bin (cargo build --release)" >&2; exit 2; }

PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
DB_NAME=${DB_NAME:-skillpath_vs_postgraphile}
PEOPLE=${PEOPLE:-1000}
CONCURRENCY=${CONCURRENCY:-16}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
REUSE=${REUSE:-0}

for tool in wrk curl psql python3 npm; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found" >&2; exit 2; }
done

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

DB_URL="$PG_URL/$DB_NAME?sslmode=disable"
PEER_ROLE=skillpath_postgraphile_peer
SP_PORT=$(free_port)
PG_PORT=$(free_port)
SP_URL=http://127.0.0.1:$SP_PORT/graphql
PEER_URL=http://127.0.0.1:$PG_PORT/graphql
ADMIN_EMAIL=bench-admin@example.com
HR_EMAIL=bench-hr@example.com
PASSWORD=bench-password-not-secret-123

dir=$(mktemp -d -t skillpath-vs-pg.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
}
trap cleanup EXIT

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 "$PG_URL/postgres" "$@"; }
psql_db() { psql -X -q -v ON_ERROR_STOP=1 "$PG_URL/$DB_NAME" "$@"; }

# --- the database: migrated and filled by the release binary ---------------
export DATABASE_URL=$DB_URL SKILLPATH_TOKEN_SECRET=bench-secret-bench-secret-bench-secret-0123
export SKILLPATH_BACKGROUND_JOBS=false SKILLPATH_ACCESS_TOKEN_MINUTES=240 RUST_LOG=warn
if [[ $REUSE == 1 ]] && psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
  echo "reusing database $DB_NAME"
else
  psql_admin -c "DROP DATABASE IF EXISTS $DB_NAME" -c "CREATE DATABASE $DB_NAME"
  "$bin" migrate
  "$bin" seed demo --people "$PEOPLE"
fi
# Autovacuum is off on these machines: without statistics plans differ 5×.
psql_db -c "VACUUM ANALYZE"
psql_db <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PEER_ROLE') THEN
    CREATE ROLE $PEER_ROLE LOGIN;
  END IF;
END \$\$;
GRANT CONNECT ON DATABASE $DB_NAME TO $PEER_ROLE;
GRANT USAGE ON SCHEMA public TO $PEER_ROLE;
GRANT SELECT (id, email, name, role, manager_id, team_id, locale, active, job_role,
              career_level, level_since, employee_id) ON users TO $PEER_ROLE;
GRANT SELECT ON teams TO $PEER_ROLE;
SQL

# --- the two servers -------------------------------------------------------
SKILLPATH_LISTEN=127.0.0.1:$SP_PORT SKILLPATH_ADMIN_EMAIL=$ADMIN_EMAIL \
  SKILLPATH_ADMIN_PASSWORD=$PASSWORD "$bin" serve >"$dir/skillpath.log" 2>&1 &
pids+=($!)

peer=$repo/benches/postgraphile
if [[ ! -x $peer/node_modules/.bin/postgraphile ]]; then
  (cd "$peer" && npm ci --no-audit --no-fund --foreground-scripts >/dev/null)
fi
# Exec'd (not through `npm run`, which would leave node behind on exit), with
# the Node 22 from npm first on the PATH.
(cd "$peer" && PATH="$peer/node_modules/.bin:$PATH" \
  PEER_DATABASE_URL="$PG_URL/$DB_NAME?user=$PEER_ROLE&sslmode=disable" \
  PEER_PORT=$PG_PORT NODE_ENV=production exec postgraphile -C graphile.config.mjs) \
  >"$dir/postgraphile.log" 2>&1 &
pids+=($!)

wait_for() {
  local url=$1 log=$2
  for _ in $(seq 1 120); do
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
      -d '{"query":"{ __typename }"}' "$url" && return 0
    sleep 0.5
  done
  echo "error: $url did not come up; its log:" >&2
  cat "$log" >&2
  exit 1
}
wait_for "$SP_URL" "$dir/skillpath.log"
wait_for "$PEER_URL" "$dir/postgraphile.log"

post() { curl -sf -X POST -H 'Content-Type: application/json' "$@"; }
json_field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

login() {
  post -d '{"query":"mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }","variables":{"e":"'"$1"'","p":"'"$PASSWORD"'"}}' \
    "$SP_URL" | json_field 'd["data"]["login"]["accessToken"]'
}
admin_token=$(login "$ADMIN_EMAIL")
if ! psql_db -tAc "SELECT 1 FROM users WHERE email = '$HR_EMAIL'" | grep -q 1; then
  post -H "Authorization: Bearer $admin_token" \
    -d '{"query":"mutation($p: String!) { createUser(input: {email: \"'"$HR_EMAIL"'\", name: \"Bench HR\", role: HR, password: $p}) { id } }","variables":{"p":"'"$PASSWORD"'"}}' \
    "$SP_URL" >/dev/null
fi
hr_token=$(login "$HR_EMAIL")

# --- the read, as each server spells it ------------------------------------
SP_QUERY='{ users(first: 100) { nodes { id name email team { id name } manager { id name } directReports { id name } } } }'
PEER_QUERY='{ allUsers(first: 100, orderBy: PRIMARY_KEY_ASC) { nodes { id name email teamByTeamId { id name } userByManagerId { id name } usersByManagerId { nodes { id name } } } } }'
body() { python3 -c 'import json,sys; print(json.dumps({"query": sys.argv[1]}))' "$1"; }
SP_BODY=$(body "$SP_QUERY")
PEER_BODY=$(body "$PEER_QUERY")

# Same people, same shape: errors, page size and the number of reports listed.
check() {
  local sp peer
  sp=$(post -H "Authorization: Bearer $hr_token" -d "$SP_BODY" "$SP_URL")
  peer=$(post -d "$PEER_BODY" "$PEER_URL")
  python3 - "$sp" "$peer" <<'EOF'
import json, sys
sp, peer = (json.loads(a) for a in sys.argv[1:3])
for name, d in (("skillpath", sp), ("postgraphile", peer)):
    if d.get("errors"):
        sys.exit(f"{name} answered with errors: {d['errors']}")
a = sp["data"]["users"]["nodes"]
b = peer["data"]["allUsers"]["nodes"]
if len(a) != 100 or len(b) != 100:
    sys.exit(f"expected 100 people from both, got {len(a)} and {len(b)}")
ra = sum(len(u["directReports"]) for u in a)
rb = sum(len(u["usersByManagerId"]["nodes"]) for u in b)
ma = sum(u["manager"] is not None for u in a)
mb = sum(u["userByManagerId"] is not None for u in b)
if (ra, ma) != (rb, mb) or [u["name"] for u in a] != [u["name"] for u in b]:
    sys.exit(f"the answers differ: reports {ra} vs {rb}, managers {ma} vs {mb}")
print(f"both answers: 100 people, {ma} managers, {ra} direct reports")
EOF
}
check

cat >"$dir/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("WRK_BODY")
local token = os.getenv("WRK_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
EOF

# One wrk run; prints "req/s p50_ms p99_ms non2xx".
run() {
  local url=$1 body=$2 token=$3 duration=$4
  WRK_BODY=$body WRK_TOKEN=$token wrk -t"$THREADS" -c"$CONCURRENCY" -d"$duration" --latency \
    -s "$dir/post.lua" "$url" >"$dir/wrk.out"
  python3 - "$dir/wrk.out" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors = re.search(r"Socket errors: (.*)", text)
print(f"{rps:.1f} {p50:.1f} {p99:.1f} {bad.group(1) if bad else 0} {'yes' if errors else 'no'}")
EOF
}

echo "warming both servers ($WARMUP each)"
run "$SP_URL" "$SP_BODY" "$hr_token" "$WARMUP" >/dev/null
run "$PEER_URL" "$PEER_BODY" "" "$WARMUP" >/dev/null

results=$dir/results
: >"$results"
for round in $(seq 1 "$ROUNDS"); do
  r=$(run "$SP_URL" "$SP_BODY" "$hr_token" "$DURATION")
  echo "skillpath $r" >>"$results"
  echo "round $round  Skillpath     req/s p50 p99 non-2xx socket-errors: $r"
  r=$(run "$PEER_URL" "$PEER_BODY" "" "$DURATION")
  echo "postgraphile $r" >>"$results"
  echo "round $round  PostGraphile  req/s p50 p99 non-2xx socket-errors: $r"
done
check

python3 - "$results" "$PEOPLE" "$CONCURRENCY" "$ROUNDS" "$DURATION" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
people, conc, rounds, duration = sys.argv[2:6]
print()
print(f"users(first: 100) with team, manager, directReports; {people} people; "
      f"{conc} clients; median of {rounds} interleaved rounds of {duration}")
print("| server | req/s | p50 ms | p99 ms | non-2xx |")
print("|---|---|---|---|---|")
med = {}
for server in ("skillpath", "postgraphile"):
    rs = [r for r in rows if r[0] == server]
    rps = statistics.median(float(r[1]) for r in rs)
    p50 = statistics.median(float(r[2]) for r in rs)
    p99 = statistics.median(float(r[3]) for r in rs)
    bad = sum(int(r[4]) for r in rs)
    med[server] = rps
    label = "Skillpath (HR bearer token)" if server == "skillpath" else "PostGraphile 5.1.5"
    print(f"| {label} | {rps:,.0f} | {p50:.1f} | {p99:.1f} | {bad} |")
print(f"\nSkillpath / PostGraphile req/s: {med['skillpath'] / med['postgraphile']:.2f}×")
EOF
