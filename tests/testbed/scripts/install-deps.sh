#!/bin/sh
# Installs the system tools the testbed uses: ip (iproute2), nft (nftables), curl (self-tests
# use it when present) and unshare (util-linux, for the rootless fallback). Idempotent: does
# nothing when all are there. Debian/Ubuntu (apt); needs root to install.
set -eu
need=""
command -v ip >/dev/null 2>&1 || need="$need iproute2"
command -v nft >/dev/null 2>&1 || need="$need nftables"
command -v curl >/dev/null 2>&1 || need="$need curl"
command -v unshare >/dev/null 2>&1 || need="$need util-linux"
if [ -z "$need" ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: root is needed to install:$need" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -qq --no-install-recommends $need
