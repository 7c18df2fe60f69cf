#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# The receiver demo: starts the receiver with every provider mounted (fresh random secrets, a fresh SQLite file),
# sends it deliveries with webhookctl (and curl, for the providers whose event type travels in an extra header),
# and prints what was sent, what was expected, what the receiver answered and what it did. Then stops it with
# SIGTERM and checks that it exited 0. Exits 0 only when every answer was the expected one.
#
# Run by examples/demo.sh, which builds both programs and sets RECEIVER and WEBHOOKCTL; or by hand:
#   RECEIVER=build/examples/receiver/receiver WEBHOOKCTL=build/examples/webhookctl/webhookctl \
#     bash examples/receiver/demo.sh
set -euo pipefail

receiver="${RECEIVER:?set RECEIVER to the receiver program}"
ctl="${WEBHOOKCTL:?set WEBHOOKCTL to the webhookctl program}"
for program in "$receiver" "$ctl"; do
    [[ -f "$program" && -x "$program" ]] || { echo "demo: $program is not an executable" >&2; exit 1; }
done
absolute() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
receiver="$(absolute "$receiver")"  # the receiver runs in its own directory
ctl="$(absolute "$ctl")"
command -v curl >/dev/null || { echo "demo: curl is needed (bash cmake/install-deps.sh demo)" >&2; exit 1; }

work="$(mktemp -d)"
receiver_pid=""
cleanup() {
    if [[ -n "$receiver_pid" ]] && kill -0 "$receiver_pid" 2>/dev/null; then
        kill -KILL "$receiver_pid" 2>/dev/null || true
        wait "$receiver_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# ---- start the receiver -------------------------------------------------------------------------------------------

# Fresh secrets, as each provider formats them. Standard Webhooks and Svix: whsec_ + base64 of random bytes.
export WEBHOOKS_STRIPE_SECRET="whsec_$(random_hex 16)"
export WEBHOOKS_GITHUB_SECRET="$(random_hex 20)"
export WEBHOOKS_STANDARD_SECRET="whsec_$(head -c 24 /dev/urandom | base64)"
export WEBHOOKS_SVIX_SECRET="whsec_$(head -c 24 /dev/urandom | base64)"
export WEBHOOKS_SLACK_SECRET="$(random_hex 16)"
export WEBHOOKS_SHOPIFY_SECRET="shpss_$(random_hex 16)"
declare -A secret=([stripe]="$WEBHOOKS_STRIPE_SECRET" [github]="$WEBHOOKS_GITHUB_SECRET"
    [standard]="$WEBHOOKS_STANDARD_SECRET" [svix]="$WEBHOOKS_SVIX_SECRET" [slack]="$WEBHOOKS_SLACK_SECRET"
    [shopify]="$WEBHOOKS_SHOPIFY_SECRET")

max_body=65536
log="$work/receiver.log"
echo "== starting the receiver (store: $work/webhooks.sqlite, max body $max_body bytes)"
echo "\$ receiver --listen 127.0.0.1:0 --threads 4 --max-body $max_body --log-flush line   # in $work, secrets in WEBHOOKS_*_SECRET"
(cd "$work" && exec "$receiver" --listen 127.0.0.1:0 --threads 4 --max-body "$max_body" --log-flush line) >"$log" 2>&1 &
receiver_pid=$!

port=""
for _ in $(seq 100); do  # up to 10 s
    port="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$log")"
    [[ -n "$port" ]] && break
    kill -0 "$receiver_pid" 2>/dev/null || break
    sleep 0.1
done
if [[ -z "$port" ]]; then
    echo "demo: the receiver did not start; its output:" >&2
    cat "$log" >&2
    exit 1
fi
base="http://127.0.0.1:$port"
sed 's/^/  | /' "$log"

# ---- helpers ------------------------------------------------------------------------------------------------------

log_mark=0
since_mark() { tail -n "+$((log_mark + 1))" "$log"; }

# The value of one /metrics sample, 0 when absent.
metric() {
    curl -s --max-time 5 "$base/metrics" | awk -v key="$1" '$1 == key { value = $2 } END { print value + 0 }'
}
handled_metric() { metric "webhooks_events_handled_total{provider=\"$1\",type=\"$2\"}"; }

# Runs one step: prints the command, runs it (it prints "<status> Idempotent-Replayed=<v> ..." lines into
# $work/answer) and shows the receiver's log lines for it. Sets `answered` (e.g. "200, 200 replayed").
answered=""
step() {
    local title="$1"
    shift
    echo
    echo "== $title"
    log_mark="$(wc -l <"$log")"
    "$@" >"$work/answer" 2>"$work/error" || true
    grep '^\$ ' "$work/error" || true
    sed 's/^/  > /' "$work/answer"
    grep -v '^\$ ' "$work/error" | sed 's/^/  ! /' || true
    since_mark | sed 's/^[^ ]* /  | /'
    answered="$(awk '{ s = $1; if ($2 == "Idempotent-Replayed=true") s = s " replayed"; out = out (NR > 1 ? ", " : "") s }
                    END { print (out == "" ? "no answer" : out) }' "$work/answer")"
}

# webhookctl send, shown as typed (the secret as the variable it comes from; on stderr, so the step shows it).
send() { # send <provider> <body file> [webhookctl options...]
    send_as "$1" "$@"
}
send_as() { # send_as <whose secret> <provider> <body file> [webhookctl options...]
    local whose="$1" provider="$2" body="$3"
    shift 3
    local shown="\$WEBHOOKS_${provider^^}_SECRET"
    [[ "$whose" == "$provider" ]] || shown="whsec_<random: not the receiver's>"
    echo "\$ webhookctl send --scheme $provider --secret $shown --url $base/webhooks/$provider --body-file ${body##*/}${*:+ $*}" >&2
    "$ctl" send --scheme "$provider" --secret "${secret[$whose]}" --url "$base/webhooks/$provider" \
        --body-file "$body" "$@"
}

# webhookctl sign, then curl: for providers whose event type is a header the sender adds besides the signature
# (GitHub's X-GitHub-Event, Shopify's X-Shopify-Topic). Prints the answer like webhookctl send; keeps the body.
sign_and_curl() { # sign_and_curl <provider> <body file> ["Header: value"...]
    local provider="$1" body="$2"
    shift 2
    local args=() line
    while IFS= read -r line; do args+=(-H "$line"); done < <("$ctl" sign --scheme "$provider" \
        --secret "${secret[$provider]}" --body-file "$body")
    for line in "$@"; do args+=(-H "$line"); done
    local shown_headers=""
    for line in "$@"; do shown_headers+=" -H '$line'"; done
    echo "\$ webhookctl sign --scheme $provider --secret \$WEBHOOKS_${provider^^}_SECRET --body-file ${body##*/} | curl ... --data-binary @${body##*/}$shown_headers $base/webhooks/$provider" >&2
    plain_curl -X POST -H "Content-Type: application/json" "${args[@]}" --data-binary "@$body" \
        "$base/webhooks/$provider"
}

show_curl() {
    local shown="\$ curl" arg
    for arg in "$@"; do [[ "$arg" == *[\ \{\"]* ]] && shown+=" '$arg'" || shown+=" $arg"; done
    echo "$shown" >&2
    plain_curl "$@"
}

# curl, answering like webhookctl send: "<status> Idempotent-Replayed=<value|->"; the body is kept in $work/body.
plain_curl() {
    local status
    status="$(curl -s --max-time 10 -D "$work/headers" -o "$work/body" -w '%{http_code}' "$@")"
    local replayed
    replayed="$(tr -d '\r' <"$work/headers" | awk -F': ' 'tolower($1) == "idempotent-replayed" { print $2 }')"
    echo "$status Idempotent-Replayed=${replayed:--}"
}

# ---- the table ----------------------------------------------------------------------------------------------------

rows=()
failures=0
# record <sent> <expected> <held: yes|no> <what it did>
record() {
    local ok=yes
    [[ "$3" == yes ]] || { ok=NO; failures=$((failures + 1)); }
    rows+=("$1"$'\t'"$2"$'\t'"$answered"$'\t'"$4"$'\t'"$ok")
}

# What the receiver's log says it did in the last step: the outcomes, the reason of a rejection, and the effects
# (each cut before its parenthesis), or with `brief` only how many effects there were.
did() { # did [brief]
    local lines outcomes reason effects count
    lines="$(since_mark)"
    outcomes="$(grep -o 'outcome=[^ ]*' <<<"$lines" | sed 's/outcome=//' | paste -sd, - || true)"
    reason="$(grep -o 'reason="[^"]*"' <<<"$lines" | head -1 | sed 's/reason="\(.*\)"/: \1/' || true)"
    effects="$(grep -v -e ' delivery provider=' <<<"$lines" | sed -e 's/^[^ ]* [a-z]*: //' -e 's/ (.*//' || true)"
    count="$(grep -c . <<<"$effects" || true)"
    local text="${outcomes:-nothing logged}${reason}"
    if [[ "${1:-}" == brief ]]; then
        text+="; $count effects"
    elif [[ -n "$effects" ]]; then
        text+=" -> $(paste -sd ';' - <<<"$effects" | sed 's/;/; /g')"
    fi
    echo "$text"
}

# ---- 1. a valid delivery per provider -----------------------------------------------------------------------------

now="$(date +%s)"
repo='"repository":{"id":1296269,"name":"shop","full_name":"acme/shop","private":false,"html_url":"https://github.com/acme/shop"},"sender":{"login":"octocat","id":1,"type":"User"}'
printf '%s' "{\"id\":\"evt_$(random_hex 8)\",\"object\":\"event\",\"type\":\"payment_intent.succeeded\",\"created\":$now,\"livemode\":false,\"data\":{\"object\":{\"id\":\"pi_$(random_hex 8)\",\"object\":\"payment_intent\",\"amount\":4200,\"currency\":\"usd\",\"customer\":\"cus_demo\",\"metadata\":{\"order_id\":\"ord_1001\"}}}}" >"$work/stripe.json"
printf '%s' "{\"ref\":\"refs/heads/main\",\"before\":\"$(random_hex 20)\",\"after\":\"$(random_hex 20)\",\"commits\":[{\"id\":\"$(random_hex 20)\",\"message\":\"Fix the checkout button\"},{\"id\":\"$(random_hex 20)\",\"message\":\"Release 1.2\"}],$repo}" >"$work/push.json"
printf '%s' "{\"action\":\"opened\",\"issue\":{\"number\":42,\"title\":\"Checkout button does nothing\",\"state\":\"open\"},$repo}" >"$work/issue.json"
printf '%s' '{"type":"invoice.paid","timestamp":"2024-06-01T12:00:00Z","data":{"invoice":"in_1001","amount":4200}}' >"$work/standard.json"
printf '%s' '{"type":"user.created","timestamp":"2024-06-01T12:00:00Z","data":{"id":"user_7","email_verified":true}}' >"$work/svix.json"
challenge="$(random_hex 12)"
printf '%s' "{\"token\":\"legacy\",\"challenge\":\"$challenge\",\"type\":\"url_verification\"}" >"$work/slack-verify.json"
printf '%s' "{\"token\":\"legacy\",\"team_id\":\"T0001\",\"api_app_id\":\"A0001\",\"type\":\"event_callback\",\"event_id\":\"Ev$(random_hex 6)\",\"event_time\":$now,\"event\":{\"type\":\"app_mention\",\"user\":\"U0001\",\"text\":\"<@A0001> is order 1001 paid?\",\"channel\":\"C0001\",\"ts\":\"$now.000100\"}}" >"$work/slack-event.json"
printf '%s' '{"id":820982911946154508,"name":"#1001","total_price":"42.00","currency":"USD","financial_status":"paid"}' >"$work/shopify.json"

step "stripe payment_intent.succeeded" send stripe "$work/stripe.json"
handled_effects="$(since_mark | grep -c 'shop: ' || true)"
[[ "$answered" == 200 && "$handled_effects" == 3 ]] && held=yes || held=no
record "stripe payment_intent.succeeded" "200, order paid" "$held" "$(did)"

step "github push (X-GitHub-Event: push)" sign_and_curl github "$work/push.json" "X-GitHub-Event: push"
[[ "$answered" == 200 ]] && held=yes || held=no
record "github push" "200" "$held" "$(did)"

step "github issues.opened (X-GitHub-Event: issues)" sign_and_curl github "$work/issue.json" "X-GitHub-Event: issues"
[[ "$answered" == 200 ]] && held=yes || held=no
record "github issues.opened" "200" "$held" "$(did)"

step "standard webhooks invoice.paid" send standard "$work/standard.json"
[[ "$answered" == 200 ]] && held=yes || held=no
record "standard invoice.paid" "200" "$held" "$(did)"

step "svix user.created" send svix "$work/svix.json"
[[ "$answered" == 200 ]] && held=yes || held=no
record "svix user.created" "200" "$held" "$(did)"

step "slack url_verification (the answer must echo the challenge)" \
    sign_and_curl slack "$work/slack-verify.json"
echo "  body: $(cat "$work/body")"
[[ "$answered" == 200 ]] && grep -q "\"challenge\":\"$challenge\"" "$work/body" && held=yes || held=no
record "slack url_verification" "200 + challenge" "$held" "$(did); challenge echoed: $held"

step "slack event_callback (app_mention)" send slack "$work/slack-event.json"
[[ "$answered" == 200 ]] && held=yes || held=no
record "slack event_callback" "200" "$held" "$(did)"

step "shopify orders/create (X-Shopify-Topic: orders/create)" \
    sign_and_curl shopify "$work/shopify.json" "X-Shopify-Topic: orders/create"
[[ "$answered" == 200 ]] && held=yes || held=no
record "shopify orders/create" "200" "$held" "$(did)"

# ---- 2. a duplicate -----------------------------------------------------------------------------------------------

sed -e "s/\"evt_[0-9a-f]*\"/\"evt_dup_$(random_hex 4)\"/" -e 's/ord_1001/ord_1002/' "$work/stripe.json" >"$work/dup.json"
before="$(handled_metric stripe payment_intent.succeeded)"
step "the same stripe delivery twice (same id, timestamp, signature)" send stripe "$work/dup.json" --repeat 2
delta=$(($(handled_metric stripe payment_intent.succeeded) - before))
[[ "$answered" == "200, 200 replayed" && "$delta" == 1 ]] && held=yes || held=no
record "stripe, the same delivery twice" "200, 200 replayed" "$held" "$(did brief) (once); handled +$delta"

# ---- 3. two copies at once ----------------------------------------------------------------------------------------

sed -e "s/\"evt_[0-9a-f]*\"/\"evt_race_$(random_hex 4)\"/" -e 's/ord_1001/ord_1003/' "$work/stripe.json" >"$work/race.json"
before="$(handled_metric stripe payment_intent.succeeded)"
step "two copies of one new stripe delivery at once" send stripe "$work/race.json" --repeat 2 --concurrency 2
delta=$(($(handled_metric stripe payment_intent.succeeded) - before))
sorted="$(tr ',' '\n' <<<"$answered" | sed 's/^ //' | sort | paste -sd, - | sed 's/,/, /g')"
case "$sorted" in
"200, 200 replayed" | "200, 409") [[ "$delta" == 1 ]] && held=yes || held=no ;;
*) held=no ;;
esac
record "stripe, two copies at once" "200 + (200 replayed or 409)" "$held" "$(did brief) (once); handled +$delta"

# ---- 4. forged, 5. stale, 6. oversized ----------------------------------------------------------------------------

sed "s/\"evt_[0-9a-f]*\"/\"evt_forged_$(random_hex 4)\"/" "$work/stripe.json" >"$work/forged.json"
secret[forger]="whsec_$(random_hex 16)"  # not the receiver's
step "stripe delivery signed with the wrong secret" send_as forger stripe "$work/forged.json"
[[ "$answered" == 401 ]] && held=yes || held=no
record "stripe, wrong secret" "401" "$held" "$(did)"

sed "s/\"evt_[0-9a-f]*\"/\"evt_stale_$(random_hex 4)\"/" "$work/stripe.json" >"$work/stale.json"
step "stripe delivery signed an hour ago" send stripe "$work/stale.json" --timestamp "$((now - 3600))"
[[ "$answered" == 401 ]] && held=yes || held=no
record "stripe, timestamp an hour old" "401" "$held" "$(did)"

padding="$(head -c 75000 /dev/urandom | base64 -w0 | head -c 100000)"
printf '%s' "{\"id\":\"evt_big_$(random_hex 4)\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"id\":\"pi_big\",\"amount\":1,\"currency\":\"usd\",\"metadata\":{\"note\":\"$padding\"}}}}" >"$work/big.json"
step "stripe delivery of $(wc -c <"$work/big.json") bytes (limit $max_body)" send stripe "$work/big.json"
[[ "$answered" == 413 ]] && held=yes || held=no
record "stripe, 100 KB body" "413" "$held" "$(did)"

# ---- and the HTTP basics ------------------------------------------------------------------------------------------

step "GET on a webhook path" show_curl "$base/webhooks/stripe"
[[ "$answered" == 405 ]] && held=yes || held=no
record "GET /webhooks/stripe" "405" "$held" "$(did)"

step "a provider that is not mounted" show_curl -X POST -H "Content-Type: application/json" --data-binary '{}' \
    "$base/webhooks/paypal"
[[ "$answered" == 404 ]] && held=yes || held=no
record "POST /webhooks/paypal" "404" "$held" "not routed"

# ---- stop ---------------------------------------------------------------------------------------------------------

echo
echo "== /metrics (excerpt)"
curl -s --max-time 5 "$base/metrics" | grep -E '^webhooks_(deliveries_total|events_handled_total)|_count' |
    sed 's/^/  /'

echo
echo "== SIGTERM"
log_mark="$(wc -l <"$log")"
kill -TERM "$receiver_pid"
status=""
for _ in $(seq 100); do  # up to 10 s
    if ! kill -0 "$receiver_pid" 2>/dev/null; then
        wait "$receiver_pid" && status=0 || status=$?
        break
    fi
    sleep 0.1
done
since_mark | sed 's/^[^ ]* /  | /'
if [[ -z "$status" ]]; then
    answered="still running after 10 s"
    record "SIGTERM" "exit 0" no "killed"
else
    answered="exit $status"
    receiver_pid=""
    [[ "$status" == 0 ]] && held=yes || held=no
    record "SIGTERM" "exit 0" "$held" "drained and stopped"
fi

# ---- the table ----------------------------------------------------------------------------------------------------

echo
table_row() { printf '%-34s | %-27s | %-18s | %-4s | %s\n' "$1" "$2" "$3" "$5" "$4"; }
table_row "sent" "expected" "answered" "what the receiver did (its log)" "ok?"
table_row "----------------------------------" "---------------------------" "------------------" "-------------------------------" "----"
for row in "${rows[@]}"; do
    IFS=$'\t' read -r sent expected got what ok <<<"$row"
    table_row "$sent" "$expected" "$got" "$what" "$ok"
done
echo

if ((failures > 0)); then
    echo "demo: $failures answer(s) were not the expected ones" >&2
    exit 1
fi
echo "demo: every answer was the expected one"
