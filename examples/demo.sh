#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# The demo command: installs missing Debian packages, builds webhookctl into build-demo/ and runs the demo steps.
#
#   bash examples/demo.sh
#
# Not root and something missing: prints the apt-get line and exits 1.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash cmake/install-deps.sh build

if [[ ! -f examples/webhookctl/CMakeLists.txt ]]; then
    echo "demo: examples/webhookctl/ is not there yet, so there is nothing to demonstrate" >&2
    exit 1
fi

# Its own build tree, without the tests, so the demo needs only the build group and leaves build/ to tests/run.sh.
build_dir="$root/build-demo"
cmake -S . -B "$build_dir" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWEBHOOKS_BUILD_TESTS=OFF \
    -DWEBHOOKS_BUILD_EXAMPLES=ON
cmake --build "$build_dir" -j2 --target webhookctl

if [[ ! -f examples/webhookctl/demo-steps.sh ]]; then
    echo "demo: webhookctl is built, but examples/webhookctl/demo-steps.sh is not there yet" >&2
    exit 1
fi

WEBHOOKCTL="$(find "$build_dir" -type f -name webhookctl -perm -u+x -print -quit)"
if [[ -z "$WEBHOOKCTL" ]]; then
    echo "demo: built the webhookctl target but found no webhookctl program under $build_dir" >&2
    exit 1
fi
export WEBHOOKCTL WEBHOOKS_BUILD_DIR="$build_dir"
exec bash examples/webhookctl/demo-steps.sh
