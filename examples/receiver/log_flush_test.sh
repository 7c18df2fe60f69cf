#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# The receiver's --log-flush option, end to end:
# - a value other than line or batch is refused with exit status 2 and a message naming the option;
# - batch (the default) writes the start-up line, a delivery's line within its 100 ms period, and the last lines when
#   the receiver stops on SIGTERM; nothing is lost.
# Run by CTest with RECEIVER and WEBHOOKCTL set.
set -euo pipefail

receiver="${RECEIVER:?set RECEIVER to the receiver program}"
ctl="${WEBHOOKCTL:?set WEBHOOKCTL to the webhookctl program}"
work="$(mktemp -d)"
pid=""
cleanup() {
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "log_flush_test: $*" >&2; [[ -f "$work/log" ]] && sed 's/^/  | /' "$work/log" >&2; exit 1; }

# A bad value: exit 2, the option and the value named.
rc=0
out="$(WEBHOOKS_GITHUB_SECRET=x "$receiver" --log-flush sometimes 2>&1)" || rc=$?
[[ "$rc" == 2 ]] || fail "--log-flush sometimes exited $rc, expected 2"
[[ "$out" == *"--log-flush is line or batch, not 'sometimes'"* ]] || fail "unexpected message: $out"

# Batch mode (the default).
secret="log-flush-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
WEBHOOKS_GITHUB_SECRET="$secret" "$receiver" --listen 127.0.0.1:0 --threads 1 --store memory >"$work/log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 50); do  # the start-up lines arrive with the first batch, within 100 ms
    port="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$work/log")"
    [[ -n "$port" ]] && break
    kill -0 "$pid" 2>/dev/null || fail "the receiver exited at start"
    sleep 0.1
done
[[ -n "$port" ]] || fail "no 'listening on' line within 5 s"

repository='{"id":1,"name":"a","full_name":"a/a","private":false,"html_url":"https://example.com/a"}'
printf '{"ref":"refs/heads/main","before":"%040d","after":"%040d","commits":[],"repository":%s}' 0 1 "$repository" \
    >"$work/push.json"
"$ctl" send --scheme github --secret "$secret" --url "http://127.0.0.1:$port/webhooks/github" \
    --body-file "$work/push.json" --header "X-GitHub-Event: push" >"$work/answer" 2>&1 ||
    fail "send failed: $(cat "$work/answer")"
grep -q '^200' "$work/answer" || fail "expected 200, got: $(cat "$work/answer")"
for _ in $(seq 1 50); do
    grep -q 'outcome=handled' "$work/log" && break
    sleep 0.1
done
grep -q 'outcome=handled' "$work/log" || fail "the delivery's line was not written within 5 s"

# Lines logged just before SIGTERM are written as the receiver stops.
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[[ "$rc" == 0 ]] || fail "the receiver exited $rc on SIGTERM"
grep -q 'stopped$' "$work/log" || fail "no 'stopped' line after SIGTERM"
echo "log_flush_test: ok"
