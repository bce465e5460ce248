#!/usr/bin/env bash
# Property-based API testing with schemathesis (PyPI) against the served OpenAPI document.
#
#   scripts/schemathesis.sh [MAX_EXAMPLES]      (default 50 test cases per operation and run)
#
# Starts a throwaway demo server (debug build, fresh data dir, free loopback port), logs in
# and runs `schemathesis run` with the checks not_a_server_error, status_code_conformance,
# response_schema_conformance and negative_data_rejection. Exits non-zero on any failure
# and prints the counts of every run and their sum.
#
# The runs, each against the same server:
#   coordinator  every operation except login and logout (the broadest access)
#   member       every operation except login and logout (need-to-know: mostly 403/404)
#   auditor      the auditor-only access-log operations (/api/v1/audit...)
#   admin        the admin-only configuration operations (legal bases, intervention types;
#                infohuse, which a local admin is refused with 403)
#   logout       POST /api/v1/auth/logout with a token of its own: it ends the session it is
#                called with, so in a shared run it would revoke the other runs' token halfway
#                and every later request would be a 401
#   login        POST /api/v1/auth/login without a token, last: the fuzzed credentials fail,
#                and failed logins are rate limited per client address (127.0.0.1 for every
#                run), so the other runs log in before it
#
# Environment: SCHEMATHESIS_TIMEOUT (seconds per run, default 1500), SCHEMATHESIS_WORKERS
# (default 2), SCHEMATHESIS_SEED (default random; printed so that a failure can be rerun).
# State-changing operations create data in the throwaway demo database; it is deleted.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES="${1:-50}"
RUN_TIMEOUT="${SCHEMATHESIS_TIMEOUT:-1500}"
WORKERS="${SCHEMATHESIS_WORKERS:-2}"
SEED="${SCHEMATHESIS_SEED:-$RANDOM$RANDOM}"
CHECKS=not_a_server_error,status_code_conformance,response_schema_conformance,negative_data_rejection

if ! [[ "$MAX_EXAMPLES" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [MAX_EXAMPLES]" >&2
  exit 2
fi

# The project-local virtualenv (scripts/test.sh uses it too), with the pinned schemathesis.
if [ ! -x .tools/venv/bin/python ]; then
  python3 -m venv .tools/venv
fi
if [ "$(.tools/venv/bin/schemathesis --version 2>/dev/null || true)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
  .tools/venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
ST="$PWD/.tools/venv/bin/schemathesis"
PY="$PWD/.tools/venv/bin/python"

cargo build -p infohus --locked

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"
# Long idle timeout: a token logged in at the start is used by the last run too.
target/debug/infohus serve --demo --data-dir "$work/data" --bind "127.0.0.1:$port" --idle-timeout-minutes 720 \
  >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  if grep -q "listening on" "$work/server.log"; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "the server stopped before listening:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  sleep 0.2
done
if ! grep -q "listening on" "$work/server.log"; then
  echo "the server did not start listening in two minutes" >&2
  exit 1
fi

# The demo prints its logins as "  USERNAME  PASSWORD  ROLE (AGENCY)".
password_of() {
  awk -v user="$1" '$1 == user && NF >= 3 { print $2; exit }' "$work/server.log"
}
token_for() {
  local user="$1" password
  password="$(password_of "$user")"
  if [ -z "$password" ]; then
    echo "no demo login for $user in the server's output" >&2
    exit 1
  fi
  USER_NAME="$user" USER_PASSWORD="$password" $PY - "$base" <<'EOF'
import json, os, sys, urllib.request
body = json.dumps({"username": os.environ["USER_NAME"], "password": os.environ["USER_PASSWORD"]}).encode()
request = urllib.request.Request(sys.argv[1] + "/api/v1/auth/login", data=body,
                                 headers={"Content-Type": "application/json"}, method="POST")
with urllib.request.urlopen(request) as response:
    print(json.load(response)["token"])
EOF
}

coordinator_token="$(token_for koordinator)"
member_token="$(token_for socialraadgiver)"
auditor_token="$(token_for revisor)"
admin_token="$(token_for admin)"
logout_token="$(token_for politi)"

# The config: path ids and reference fields (agencies, users, legal bases, ...) are drawn
# from the demo's data most of the time, so that generated requests get past "not found" to
# the validation and the store. And 413 counts as rejecting schema-violating data: a body
# over 1 MiB (e.g. more array items than maxItems allows, each long) is refused with 413
# before it is parsed, as CONTRACT.md requires; the other statuses are schemathesis' defaults.
cat >"$work/schemathesis.toml" <<'EOF'
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
EOF
$PY - "$base" "$coordinator_token" "$work/schemathesis.toml" <<'EOF'
# Collects the ids of the demo data (as the coordinator) and appends the dictionaries and
# their bindings to the config.
import json, sys, urllib.request

base, token, out = sys.argv[1], sys.argv[2], sys.argv[3]

def get(path):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(request) as response:
        return json.load(response)

ids = {name: [] for name in ["referral", "person", "case", "note", "assessment", "intervention", "task",
                             "meeting", "series", "agenda_item", "minutes"]}
referrals = get("/api/v1/referrals?limit=100")["items"]
for r in referrals:
    ids["referral"].append(r["id"])
    ids["person"].append(r["person_id"])
    if r.get("case_id"):
        ids["case"].append(r["case_id"])
for case_id in ids["case"][:30]:
    case = get(f"/api/v1/cases/{case_id}")
    for key, name in [("notes", "note"), ("assessments", "assessment"), ("interventions", "intervention"), ("tasks", "task")]:
        ids[name].extend(item["id"] for item in case.get(key, []))
for m in get("/api/v1/meetings?from=2000-01-01&limit=100")["items"]:
    ids["meeting"].append(m["id"])
    if m.get("series_id"):
        ids["series"].append(m["series_id"])
    meeting = get(f"/api/v1/meetings/{m['id']}")
    ids["agenda_item"].extend(item["id"] for item in meeting.get("agenda", []))
    minutes = get(f"/api/v1/meetings/{m['id']}/minutes").get("minutes")
    if minutes:
        ids["minutes"].append(minutes["id"])
values = {
    "agency": ["KK-SEK", "KK-BUF", "KK-SUF", "KK-BIF", "POL-KBH", "KRIM", "PSY-RH"],
    "user": ["koordinator", "politi", "kriminalforsorg", "psykiatri", "socialraadgiver", "ssp", "mentor"],
    "legal_basis": [b["code"] for b in get("/api/v1/legal-bases")["items"]],
    "intervention_kind": [k["code"] for k in get("/api/v1/intervention-types")["items"]],
    "instrument": sorted({i["key"] for i in get("/api/v1/instruments")["items"]}),
}

def toml_list(items):
    return "[" + ", ".join(json.dumps(i) for i in dict.fromkeys(items)) + "]"

lines = ["[dictionaries]"]
for name, items in list(ids.items()) + list(values.items()):
    if items:
        lines.append(f"{name} = {{ values = {toml_list(items)} }}")
present = {name for name, items in list(ids.items()) + list(values.items()) if items}

def bind(key, name, p=0.7):
    return f'"{key}" = {{ dictionary = "{name}", probability = {p} }}' if name in present else None

body_bindings = [
    ("body.to_agency", "agency"), ("body.lead_agency", "agency"), ("body.agencies[*]", "agency"),
    ("body.agency", "agency"), ("body.owner_agency", "agency"), ("body.police_agency", "agency"),
    ("body.participants[*].agency", "agency"), ("body.participants[*].user", "user"),
    ("body.responsible", "user"), ("body.assignee", "user"), ("body.attendance[*]", "user"),
    ("body.legal_basis", "legal_basis"), ("body.instrument", "instrument"),
    ("body.agenda_item", "agenda_item"), ("body.items[*].agenda_item", "agenda_item"),
    ("query.person", "person"),
]
lines.append("")
lines.append("[parameters]")
for key, name in body_bindings:
    b = bind(key, name)
    if b:
        lines.append(b)
paths = [
    (r"^/api/v1/referrals/\{id\}", "referral"), (r"^/api/v1/persons/\{id\}", "person"),
    (r"^/api/v1/cases/\{id\}", "case"), (r"^/api/v1/notes/\{id\}", "note"),
    (r"^/api/v1/assessments/\{id\}", "assessment"), (r"^/api/v1/interventions/\{id\}", "intervention"),
    (r"^/api/v1/tasks/\{id\}", "task"), (r"^/api/v1/meetings/\{id\}", "meeting"),
    (r"^/api/v1/meeting-series/\{id\}", "series"), (r"^/api/v1/agenda-items/\{id\}", "agenda_item"),
    (r"^/api/v1/minutes/\{id\}", "minutes"),
]
for regex, name in paths:
    b = bind("path.id", name, 0.8)
    if not b:
        continue
    extra = [b] + [bind(k, n) for k, n in body_bindings if bind(k, n)]
    lines.append("")
    lines.append("[[operations]]")
    lines.append(f"include-path-regex = {json.dumps(regex)}")
    lines.append("parameters = { " + ", ".join(extra) + " }")
lines.append("")
lines.append("[[operations]]")
lines.append('include-operation-id = "addIntervention"')
kind = bind("body.kind", "intervention_kind")
extra = [bind("path.id", "case", 0.8)] + [bind(k, n) for k, n in body_bindings if bind(k, n)] + ([kind] if kind else [])
lines.append("parameters = { " + ", ".join(x for x in extra if x) + " }")
with open(out, "a") as f:
    f.write("\n".join(lines) + "\n")
print("ids of the demo data:", ", ".join(f"{k} {len(v)}" for k, v in ids.items()))
EOF

echo "schemathesis $SCHEMATHESIS_VERSION against $base: $MAX_EXAMPLES examples per operation, seed $SEED"

failed=0
summaries=()
run() {
  local name="$1"
  shift
  local report="$work/$name.json"
  echo
  echo "=== schemathesis run: $name ==="
  local status=0
  # From the throwaway directory: schemathesis and hypothesis keep their example databases
  # (.schemathesis/, .hypothesis/) in the working directory.
  (cd "$work" && timeout --signal=INT --kill-after=30 "$RUN_TIMEOUT" \
    "$ST" --config-file "$work/schemathesis.toml" run "$base/api/v1/openapi.json" \
    --checks "$CHECKS" \
    --max-examples "$MAX_EXAMPLES" \
    --seed "$SEED" \
    --workers "$WORKERS" \
    --request-timeout 30 \
    --suppress-health-check all \
    --no-color \
    --output-truncate true \
    --report json --report-json-path "$report" \
    "$@") || status=$?
  if [ "$status" -ne 0 ]; then
    failed=1
    if [ "$status" -eq 124 ] || [ "$status" -eq 130 ]; then echo "run $name stopped after ${RUN_TIMEOUT}s" >&2; fi
  fi
  summaries+=("$name:$report:$status")
}

not_auth=(--exclude-path-regex '^/api/v1/auth/(login|logout)$')
run coordinator -H "Authorization: Bearer $coordinator_token" "${not_auth[@]}"
run member -H "Authorization: Bearer $member_token" "${not_auth[@]}"
run auditor -H "Authorization: Bearer $auditor_token" --include-path-regex '^/api/v1/audit'
run admin -H "Authorization: Bearer $admin_token" --include-operation-id addLegalBasis \
  --include-operation-id addInterventionType --include-operation-id listInfohuse --include-operation-id createInfohus
run logout -H "Authorization: Bearer $logout_token" --include-path /api/v1/auth/logout
run login --include-path /api/v1/auth/login

if ! grep -q "listening on" "$work/server.log" || ! kill -0 "$server_pid" 2>/dev/null; then
  echo "the server died during the runs" >&2
  failed=1
fi
if grep -q "panicked" "$work/server.log"; then
  echo "the server panicked during the runs:" >&2
  grep -n "panicked" "$work/server.log" >&2
  failed=1
fi

echo
$PY - "${summaries[@]}" <<'EOF' || failed=1
import json, sys
totals = [0, 0, 0, 0.0]
print(f"{'run':<12} {'operations':>10} {'test cases':>10} {'failures':>8} {'seconds':>8}  exit")
for entry in sys.argv[1:]:
    name, path, status = entry.rsplit(":", 2)
    try:
        with open(path) as f:
            report = json.load(f)
    except (OSError, ValueError):
        print(f"{name:<12} {'?':>10} {'?':>10} {'?':>8} {'?':>8}  {status} (no report)")
        continue
    tested = report.get("operations", {}).get("tested", 0)
    cases = report.get("test_cases", {}).get("generated", 0)
    fails = sum(f.get("count", 0) for f in report.get("failures", []))
    fails += len(report.get("errors", []))
    seconds = report.get("running_time", 0.0)
    for i, n in enumerate((tested, cases, fails, seconds)):
        totals[i] += n
    print(f"{name:<12} {tested:>10} {cases:>10} {fails:>8} {seconds:>8.1f}  {status}")
print(f"{'total':<12} {totals[0]:>10} {totals[1]:>10} {totals[2]:>8} {totals[3]:>8.1f}")
EOF

if [ "$failed" -ne 0 ]; then
  # The server's own account of what failed (its log carries codes and ids, never personal
  # data), since the data dir and log are gone after this script.
  echo "schemathesis: the server's errors and warnings:" >&2
  grep -E "ERROR|WARN|panicked" "$work/server.log" | tail -n 40 >&2 || true
  echo "schemathesis: FAILURES (seed $SEED)" >&2
  exit 1
fi
echo "schemathesis: no failures"
