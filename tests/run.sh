#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# The test command: installs missing Debian packages, configures and builds everything into build/, runs CTest.
#
#   bash tests/run.sh
#
# Exits with CTest's status. Not root and something missing: prints the apt-get line and exits 1.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash cmake/install-deps.sh build test

cmake -S . -B build \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DWEBHOOKS_BUILD_TESTS=ON \
    -DWEBHOOKS_BUILD_EXAMPLES=ON
cmake --build build -j2

status=0
ctest --test-dir build --output-on-failure -j2 --timeout 900 || status=$?
exit "$status"
