#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Installs the Debian 12 packages that the named groups need, and only those that are missing.
#
#   bash cmake/install-deps.sh build [test] ...
#
# As root: runs apt-get (apt-get update only if something is missing). Otherwise: prints the apt-get line to run as
# root and exits 1. Exits 0 at once when everything is present. Add a group by adding a case to group_packages.
set -euo pipefail

usage() {
    echo "usage: $0 GROUP... (groups: build test demo bench)" >&2
    exit 2
}

# Boost: name only the versioned 1.81 packages; the unversioned libboost-dev pulls 1.74 and conflicts.
group_packages() {
    case "$1" in
    build) echo cmake g++ make pkg-config libssl-dev libboost1.81-dev libboost-json1.81-dev ;;
    test) echo catch2 libbenchmark-dev libsqlite3-dev sqlite3 libhiredis-dev redis-server libsimdjson-dev curl "$(node_packages)" ;;
    # examples/demo.sh: the receiver's SQLite (default) and Redis stores, and curl to send some deliveries.
    demo) echo libsqlite3-dev libhiredis-dev curl ;;
    # tests/bench/run.sh: the HTTP load generator.
    bench) echo wrk python3 ;;
    *)
        echo "$0: unknown group '$1'" >&2
        usage
        ;;
    esac
}

installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

# Node.js >= 18 for the interop tests. A node that is already there (Debian's, or nodesource's, which bundles npm and
# conflicts with Debian's nodejs/npm) is kept; Debian's nodejs alone lacks npm, so npm is added then.
node_packages() {
    local major
    if command -v node >/dev/null 2>&1; then
        major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
        if ((major >= 18)); then
            if command -v npm >/dev/null 2>&1; then
                return 0
            fi
            if installed nodejs && [[ "$(dpkg-query -W -f='${Version}' nodejs)" != *nodesource* ]]; then
                echo npm
                return 0
            fi
            echo "$0: node $(node --version) is present but npm is not; install npm alongside it" >&2
            return 0
        fi
    fi
    echo nodejs npm
}

(($# > 0)) || usage

missing=()
for group in "$@"; do
    packages="$(group_packages "$group")" || exit $?
    for package in $packages; do
        if ! installed "$package" && [[ " ${missing[*]-} " != *" $package "* ]]; then
            missing+=("$package")
        fi
    done
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

install_line="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ "$(id -u)" != 0 ]]; then
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Run as root:" >&2
    echo "  apt-get update && $install_line"
    exit 1
fi

echo "Installing missing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
