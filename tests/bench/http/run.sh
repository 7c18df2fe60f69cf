#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# HTTP throughput, one server after another under the same wrk command, every request a new GitHub delivery:
#   receiver   examples/receiver, memory store, one I/O thread (the library's full path: verify, claim, decode,
#              dispatch, commit, log, metrics)
#   bare       tests/bench/http/bare_server.cpp: Beast answering 200 without looking (the stack's ceiling)
#   octokit    @octokit/webhooks' Node middleware with one handler (the peer)
# Prints requests/s, p50 and p99 for each, and the ratios. Run by tests/bench/run.sh, or alone:
#
#   bash tests/bench/http/run.sh BUILD_DIR NODE_PREFIX      (BUILD_DIR has receiver, webhookctl, webhooks_bare_server;
#                                                           NODE_PREFIX has node_modules/@octokit/webhooks)
set -euo pipefail

build="${1:?build dir}"
node_prefix="${2:?npm prefix with @octokit/webhooks}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
duration="${WEBHOOKS_HTTP_SECONDS:-10}"
connections="${WEBHOOKS_HTTP_CONNECTIONS:-64}"

find_program() { find "$build" -type f -name "$1" -perm -u+x -print -quit; }
receiver="$(find_program receiver)"
bare="$(find_program webhooks_bare_server)"
webhookctl="$(find_program webhookctl)"
for p in receiver bare webhookctl; do [[ -n "${!p}" ]] || { echo "http: no $p program under $build" >&2; exit 1; }; done
command -v wrk >/dev/null || { echo "http: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

work="$(mktemp -d)"
server_pid=""
cleanup() {
    [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

secret="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

# A GitHub push payload of about $1 bytes: the real shape, with commits added until it is big enough.
make_body() {
    python3 - "$1" >"$work/body-$1.json" <<'PY'
import json, sys
size = int(sys.argv[1])
commit = {"id": "6113728f27ae82c7b1a177c8d03f9e96e0adf246", "tree_id": "2e5b5e8c0e0f9b6f5f0f1e4c6b7f4e3d2c1b0a99",
          "distinct": True, "message": "Update README.md", "timestamp": "2026-12-04T10:00:00Z",
          "url": "https://github.com/acme/shop/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246",
          "author": {"name": "Octo Cat", "email": "octocat@example.com", "username": "octocat"},
          "committer": {"name": "Octo Cat", "email": "octocat@example.com", "username": "octocat"},
          "added": [], "removed": [], "modified": ["README.md"]}
push = {"ref": "refs/heads/main", "before": "0" * 40, "after": "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
        "repository": {"id": 1296269, "name": "shop", "full_name": "acme/shop", "private": False,
                       "html_url": "https://github.com/acme/shop", "default_branch": "main"},
        "pusher": {"name": "octocat", "email": "octocat@example.com"},
        "sender": {"login": "octocat", "id": 1, "type": "User"}, "created": False, "deleted": False,
        "forced": False, "compare": "https://github.com/acme/shop/compare/000000000000...6113728f27ae",
        "commits": [], "head_commit": commit}
while len(json.dumps(push)) < size - 600:
    push["commits"].append(commit)
sys.stdout.write(json.dumps(push))
PY
}

# Starts "$@" with its output in $work/server.log; sets server_pid and port from its "listening on" line.
start_server() {
    "$@" >"$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do
        port="$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$work/server.log" | head -n 1)"
        [[ -n "$port" ]] && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "http: the server did not start: $*" >&2
    cat "$work/server.log" >&2
    exit 1
}

stop_server() {
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

# Runs wrk against $1 for $duration seconds; prints "rps p50_us p99_us errors".
load() {
    local out
    WRK_RUN="$2" wrk -t1 -c"$connections" -d2s -s "$here/github.lua" "$1" >/dev/null  # warm-up
    out="$(WRK_RUN="$2-measured" wrk -t1 -c"$connections" -d"${duration}s" -s "$here/github.lua" "$1")"
    local rps p50 p99 errors
    rps="$(awk '/^Requests\/sec:/ { print int($2) }' <<<"$out")"
    p50="$(sed -n 's/.*p50_us=\([0-9]*\).*/\1/p' <<<"$out")"
    p99="$(sed -n 's/.*p99_us=\([0-9]*\).*/\1/p' <<<"$out")"
    errors="$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<<"$out")"
    echo "$rps $p50 $p99 $errors"
}

printf '\nHTTP: wrk -t1 -c%s -d%ss, one server thread each, every request a new GitHub push delivery\n' \
    "$connections" "$duration"
printf '%-8s %-10s %12s %10s %10s %8s\n' size server "requests/s" "p50 us" "p99 us" errors
status=0
for size in 1024 16384; do
    make_body "$size"
    export WRK_BODY_FILE="$work/body-$size.json"
    WRK_SIGNATURE="$("$webhookctl" sign --scheme github --secret "$secret" --body-file "$WRK_BODY_FILE" |
        sed -n 's/^X-Hub-Signature-256: //p')"
    export WRK_SIGNATURE
    declare -A rps=()

    start_server env WEBHOOKS_GITHUB_SECRET="$secret" "$receiver" --listen 127.0.0.1:0 --threads 1 --store memory
    read -r r p50 p99 errors < <(load "http://127.0.0.1:$port/webhooks/github" "receiver-$size")
    rss_kb="$(awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status")"
    stop_server  # the receiver writes its last batch of log lines as it stops
    handled="$(grep -c 'outcome=handled' "$work/server.log" || true)"
    rps[receiver]=$r
    printf '%-8s %-10s %12s %10s %10s %8s   (RSS after the run: %s MiB; deliveries logged as handled: %s)\n' \
        "$size" receiver "$r" "$p50" "$p99" "$errors" "$((rss_kb / 1024))" "$handled"
    [[ "$errors" == 0 ]] || status=1

    start_server "$bare" --listen 127.0.0.1:0 --threads 1
    read -r r p50 p99 errors < <(load "http://127.0.0.1:$port/webhooks/github" "bare-$size")
    stop_server
    rps[bare]=$r
    printf '%-8s %-10s %12s %10s %10s %8s\n' "$size" bare "$r" "$p50" "$p99" "$errors"

    start_server env WEBHOOK_SECRET="$secret" WEBHOOKS_NODE_MODULES="$node_prefix" node "$here/octokit_server.mjs"
    read -r r p50 p99 errors < <(load "http://127.0.0.1:$port/webhooks/github" "octokit-$size")
    stop_server
    rps[octokit]=$r
    printf '%-8s %-10s %12s %10s %10s %8s\n' "$size" octokit "$r" "$p50" "$p99" "$errors"
    [[ "$errors" == 0 ]] || status=1

    awk -v rec="${rps[receiver]}" -v bare="${rps[bare]}" -v oct="${rps[octokit]}" -v size="$size" 'BEGIN {
        printf "%-8s receiver / bare = %.2f (target >= 0.85)   receiver / octokit = %.2f (target >= 3)\n",
            size, rec / bare, rec / oct }'
done
exit "$status"
