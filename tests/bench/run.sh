#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# The benchmarks, all of them, in one command:
#
#   bash tests/bench/run.sh
#
# 1. builds the benchmark programs in a Release build directory, build-bench/ (its own, never build/);
# 2. installs the Node peers pinned in tests/bench/peers/package.json into build-bench/tests/bench/peers/;
# 3. runs webhooks_bench_verify (every preset beside the HMAC limit), webhooks_bench_pipeline (endpoint::handle and
#    its parts, then the Node peers over the very same payloads) and webhooks_bench_stores (claim + commit per store);
# 4. prints the tables. Full logs are kept in build-bench/bench-results/.
#
# Ratios are measured in the same run and are what to read; absolute times on a shared machine mean little.
# Each C++ benchmark runs WEBHOOKS_BENCH_REPETITIONS times (default 3), interleaved at random with the others, for at
# least WEBHOOKS_BENCH_MIN_TIME seconds each time (default 0.2); tables use the median. Other knobs:
#   WEBHOOKS_BENCH_PEER_ARGS  passed to peers.mjs (default "--min-time 0.5 --repetitions 3 --warmup 0.3")
#   WEBHOOKS_BENCH_FILTER     a --benchmark_filter regex for the verify and pipeline programs (default: all)
#   WEBHOOKS_BENCH_NO_PEERS=1 skip the Node peers (no node/npm needed)
#   WEBHOOKS_BENCH_BUILD_DIR  the build directory (default build-bench)
#
# Exits non-zero when a build, a verification, a handled-once check, a benchmark (Google Benchmark's "ERROR
# OCCURRED") or the peers fail; a missed performance target is printed ("MISSED"), not an error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
build="${WEBHOOKS_BENCH_BUILD_DIR:-build-bench}"
reps="${WEBHOOKS_BENCH_REPETITIONS:-3}"
min_time="${WEBHOOKS_BENCH_MIN_TIME:-0.2}"
peer_args="${WEBHOOKS_BENCH_PEER_ARGS:---min-time 0.5 --repetitions 3 --warmup 0.3}"
filter="${WEBHOOKS_BENCH_FILTER:-}"
results="$build/bench-results"

bash cmake/install-deps.sh build test bench

# --- build ------------------------------------------------------------------------------------------------------------
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DWEBHOOKS_BUILD_TESTS=ON -DWEBHOOKS_BUILD_EXAMPLES=ON >/dev/null
targets=(webhooks_bench_verify webhooks_bench_pipeline webhooks_bare_server receiver webhookctl)
help="$(cmake --build "$build" --target help 2>/dev/null || true)"
if grep -qw webhooks_bench_stores <<<"$help"; then
    targets+=(webhooks_bench_stores)
fi
cmake --build "$build" --target "${targets[@]}" -j2
mkdir -p "$results"

flags=(--benchmark_repetitions="$reps" --benchmark_enable_random_interleaving=true --benchmark_min_time="$min_time")
[[ -n "$filter" ]] && flags+=(--benchmark_filter="$filter")

# --- the Node peers ---------------------------------------------------------------------------------------------------
peers=()
if [[ "${WEBHOOKS_BENCH_NO_PEERS:-0}" != 1 ]]; then
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "run.sh: the peers need node (>= 20) and npm; install them, or set WEBHOOKS_BENCH_NO_PEERS=1" >&2
        exit 1
    fi
    if (($(node -p 'process.versions.node.split(".")[0]') < 20)); then
        echo "run.sh: @octokit/webhooks 14 needs node >= 20, found $(node --version); or set WEBHOOKS_BENCH_NO_PEERS=1" >&2
        exit 1
    fi
    prefix="$root/$build/tests/bench/peers"
    cmake -DNPM="$(command -v npm)" -DPACKAGE_JSON="$root/tests/bench/peers/package.json" -DPREFIX="$prefix" \
        -P tests/interop/npm_install.cmake
    # Run from the prefix, so that its bare imports resolve to the pinned packages in $prefix/node_modules.
    cp tests/bench/peers/peers.mjs "$prefix/peers.mjs"
    peers=(--peers "$prefix/peers.mjs" --node "$(command -v node)" --peer-cases "$root/$build/tests/bench/peer-cases"
           --peer-args "$peer_args")
fi

# Runs a benchmark program, keeping its whole output in $results/<name>.txt and printing its tables (from the first
# "=== " line on).
status=0
run_tables() {
    local name="$1"
    shift
    echo
    echo "##### $name"
    local rc=0
    "$@" >"$results/$name.txt" 2>"$results/$name.stderr.txt" || rc=$?
    sed -n '/^=== /,$p' "$results/$name.txt"
    if grep -q 'ERROR OCCURRED' "$results/$name.txt"; then
        echo "run.sh: a $name benchmark reported an error:" >&2
        grep 'ERROR OCCURRED' "$results/$name.txt" >&2
        rc=1
    fi
    if ((rc != 0)); then
        echo "run.sh: $name failed (status $rc); see $results/$name.txt and $results/$name.stderr.txt" >&2
        tail -20 "$results/$name.stderr.txt" >&2 || true
        status=1
    fi
}

echo "webhooks benchmarks: $(date -u +%FT%TZ), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(openssl version)"
echo "repetitions $reps (interleaved), min time ${min_time}s; load average $(cut -d' ' -f1-3 /proc/loadavg); full logs in $results/"

run_tables verify "$build/tests/bench/webhooks_bench_verify" "${flags[@]}"
run_tables pipeline "$build/tests/bench/webhooks_bench_pipeline" "${flags[@]}" "${peers[@]}"

# --- the stores -------------------------------------------------------------------------------------------------------
if [[ -x "$build/tests/bench/webhooks_bench_stores" ]]; then
    echo
    echo "##### stores (claim + commit of a new event per iteration, and a duplicate claim)"
    rc=0
    "$build/tests/bench/webhooks_bench_stores" --benchmark_min_time="$min_time" >"$results/stores.txt" \
        2>"$results/stores.stderr.txt" || rc=$?
    grep -E '^(claim_commit|duplicate)/' "$results/stores.txt" | sed 's/\x1b\[[0-9;]*m//g' || true
    if grep -q 'ERROR OCCURRED' "$results/stores.txt"; then rc=1; fi
    if ((rc != 0)); then
        echo "run.sh: webhooks_bench_stores exited with status $rc; see $results/stores.txt" >&2
        status=1
    fi
else
    echo "run.sh: webhooks_bench_stores not built (needs SQLite and hiredis)" >&2
fi

echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (on $(nproc) CPUs: above that, other work shared the machine)"

# --- HTTP (wrk) -------------------------------------------------------------------------------------------------------
echo
echo "##### http"
if [[ "${WEBHOOKS_BENCH_NO_PEERS:-0}" == 1 ]]; then
    echo "run.sh: the HTTP comparison needs the Node peer (@octokit/webhooks); skipped with WEBHOOKS_BENCH_NO_PEERS=1"
else
    bash tests/bench/http/run.sh "$build" "$prefix" 2>&1 | tee "$results/http.txt" || status=1
fi

exit "$status"
