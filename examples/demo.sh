#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# The demo command: installs missing Debian packages, builds the receiver and webhookctl into build-demo/ (Release,
# no tests), then runs
#   1. examples/webhookctl/demo-steps.sh  every signature scheme signs, verifies, and rejects a tampered body and a
#                                         stale timestamp (offline, about a second);
#   2. examples/receiver/demo.sh          the receiver server end to end: a delivery per provider, a duplicate, two
#                                         copies at once, a forged, a stale and an oversized one, then SIGTERM.
# Exits 0 only when both held every expectation.
#
#   bash examples/demo.sh
#
# Not root and something missing: prints the apt-get line and exits 1.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash cmake/install-deps.sh build demo

# Its own build tree, without the tests, so the demo needs only the build and demo groups and leaves build/ to
# tests/run.sh.
build_dir="$root/build-demo"
cmake -S . -B "$build_dir" \
    -DCMAKE_BUILD_TYPE=Release \
    -DWEBHOOKS_BUILD_TESTS=OFF \
    -DWEBHOOKS_BUILD_EXAMPLES=ON
cmake --build "$build_dir" --parallel "$(nproc)" --target receiver webhookctl

program() {
    local path
    path="$(find "$build_dir" -type f -name "$1" -perm -u+x -print -quit)"
    [[ -n "$path" ]] || { echo "demo: built the $1 target but found no $1 program under $build_dir" >&2; exit 1; }
    echo "$path"
}
WEBHOOKCTL="$(program webhookctl)"
RECEIVER="$(program receiver)"
export WEBHOOKCTL RECEIVER WEBHOOKS_BUILD_DIR="$build_dir"

failed=0
echo
echo "######## 1. signatures, offline: webhookctl sign and verify for every scheme"
bash examples/webhookctl/demo-steps.sh || failed=1
echo
echo "######## 2. the receiver, end to end"
bash examples/receiver/demo.sh || failed=1
exit "$failed"
