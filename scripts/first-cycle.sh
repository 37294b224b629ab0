#!/usr/bin/env bash
# A first assessment cycle from the command line, as the README's newcomer
# path walks it: a team, a manager and an employee with a role and level, an
# invitation, one cycle from opening to closing, and the employee's profile
# and next moves. Needs curl and jq, and a server started with a bootstrap
# admin (see the README's first command).
#
#   ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD='change-me-please' scripts/first-cycle.sh
set -euo pipefail
API="${API:-http://127.0.0.1:8080/graphql}"
ADMIN_EMAIL="${ADMIN_EMAIL:-admin@example.com}"
ADMIN_PASSWORD="${ADMIN_PASSWORD:?set ADMIN_PASSWORD to the bootstrap admin password}"
PASSWORD='a long example password 1'

# gql TOKEN QUERY [VARIABLES_JSON]: prints `data`, or the errors and fails.
gql() {
  local token="$1" query="$2" variables="${3:-{\}}"
  local auth=()
  [ -n "$token" ] && auth=(-H "authorization: Bearer $token")
  local answer
  answer=$(curl -fsS "$API" -H 'content-type: application/json' "${auth[@]}" \
    -d "$(jq -n --arg q "$query" --argjson v "$variables" '{query: $q, variables: $v}')")
  if [ "$(jq '.errors | length' <<<"$answer")" != "0" ]; then
    jq '.errors' <<<"$answer" >&2
    return 1
  fi
  jq '.data' <<<"$answer"
}

login() {
  gql "" 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }' \
    "$(jq -n --arg e "$1" --arg p "$2" '{e: $e, p: $p}')" | jq -r '.login.accessToken'
}

echo "1. The admin signs in"
TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")

echo "2. A team, a manager and an employee, each with a job role and career level"
TEAM=$(gql "$TOKEN" 'mutation { createTeam(input: {name: "Growth"}) { id } }' | jq -r '.createTeam.id')
MANAGER=$(gql "$TOKEN" 'mutation($t: ID!, $p: String) { createUser(input: {email: "mei@example.com", name: "Mei", role: MANAGER, teamId: $t, jobRole: "user_operations", careerLevel: "m1", password: $p}) { id } }' \
  "$(jq -n --arg t "$TEAM" --arg p "$PASSWORD" '{t: $t, p: $p}')" | jq -r '.createUser.id')
ADA=$(gql "$TOKEN" 'mutation($t: ID!, $m: ID!, $p: String) { createUser(input: {email: "ada@example.com", name: "Ada", teamId: $t, managerId: $m, jobRole: "user_operations", careerLevel: "p2", levelSince: "2024-01-01", password: $p}) { id } }' \
  "$(jq -n --arg t "$TEAM" --arg m "$MANAGER" --arg p "$PASSWORD" '{t: $t, m: $m, p: $p}')" | jq -r '.createUser.id')
echo "   team $TEAM, manager $MANAGER, employee $ADA"

echo "3. Someone is invited: the mail (an .eml file under mail/ without SMTP) links to /accept-invitation"
gql "$TOKEN" 'mutation($t: ID!) { inviteUser(input: {email: "li.lei@example.com", name: "Li Lei", teamId: $t, locale: ZH_CN}) { id hasPassword } }' \
  "$(jq -n --arg t "$TEAM" '{t: $t}')" >/dev/null

echo "4. HR opens a cycle: everyone placed in a role takes part"
CYCLE=$(gql "$TOKEN" 'mutation { openAssessmentCycle(input: {name: "First cycle"}) { participantCount cycle { id status } } }' | jq -r '.openAssessmentCycle.cycle.id')
SKILLS=$(gql "$TOKEN" '{ roleMatrix(role: "user_operations") { rows { skill { key } } } }' | jq -c '[.roleMatrix.rows[].skill.key]')
ratings() { jq -c --argjson level "$1" '[.[] | {skill: ., level: $level}]' <<<"$SKILLS"; }

echo "5. Ada rates herself"
ADA_TOKEN=$(login ada@example.com "$PASSWORD")
gql "$ADA_TOKEN" 'mutation($c: ID!, $r: [RatingInput!]!) { submitSelfAssessment(cycleId: $c, ratings: $r) { status } }' \
  "$(jq -n --arg c "$CYCLE" --argjson r "$(ratings 3)" '{c: $c, r: $r}')" | jq -c .

echo "6. HR moves the cycle to manager review; Mei rates Ada"
gql "$TOKEN" 'mutation($id: ID!) { advanceAssessmentCycle(id: $id) { status } }' "$(jq -n --arg id "$CYCLE" '{id: $id}')" | jq -c .
MEI_TOKEN=$(login mei@example.com "$PASSWORD")
gql "$MEI_TOKEN" 'mutation($c: ID!, $u: ID!, $r: [RatingInput!]!) { submitManagerAssessment(cycleId: $c, userId: $u, ratings: $r) { status } }' \
  "$(jq -n --arg c "$CYCLE" --arg u "$ADA" --argjson r "$(ratings 3)" '{c: $c, u: $u, r: $r}')" | jq -c .

echo "7. Calibration, then closing: the results are final"
for _ in 1 2; do
  gql "$TOKEN" 'mutation($id: ID!) { advanceAssessmentCycle(id: $id) { status } }' "$(jq -n --arg id "$CYCLE" '{id: $id}')" | jq -c .
done

echo "8. Ada's profile against her level and the next, and her possible next moves"
gql "$ADA_TOKEN" 'query($u: ID!) { skillProfile(userId: $u) { careerLevel nextLevel matchCurrent matchNext } }' \
  "$(jq -n --arg u "$ADA" '{u: $u}')" | jq -c .
gql "$ADA_TOKEN" 'query($u: ID!) { advancementPaths(userId: $u) { candidates { roleKey levelKey verdict readiness explanation } } }' \
  "$(jq -n --arg u "$ADA" '{u: $u}')" | jq -c '.advancementPaths.candidates[:3]'
