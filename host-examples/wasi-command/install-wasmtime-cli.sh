#!/bin/sh
# Installs wasmtime-cli (the `wasmtime` command the command component runs in) into a cache
# directory, once: `cargo install --locked` builds it from crates.io, about 11 minutes on two
# cores. Does nothing when the right version is already there. Prints the binary's path.
#
#   WASMTIME_CLI_ROOT  install root (default: $XDG_CACHE_HOME or ~/.cache, + acme-preflight/tools)
set -eu

VERSION=48.0.8
CACHE="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}"
ROOT="${WASMTIME_CLI_ROOT:-$CACHE/acme-preflight/tools}"
BIN="$ROOT/bin/wasmtime"

installed() {
    # `wasmtime --version` prints `wasmtime 48.0.8`, sometimes followed by ` (<commit> <date>)`.
    case "$("$BIN" --version 2>/dev/null)" in
        "wasmtime $VERSION" | "wasmtime $VERSION "*) return 0 ;;
        *) return 1 ;;
    esac
}

if [ -x "$BIN" ] && installed; then
    echo "$BIN"
    exit 0
fi

echo "installing wasmtime-cli $VERSION into $ROOT (once; about 11 minutes on two cores)" >&2
started=$(date +%s)
# The workspace's CARGO_TARGET_DIR is left alone: cargo builds in a temporary directory.
env -u CARGO_TARGET_DIR cargo install "wasmtime-cli@$VERSION" --locked --root "$ROOT" >&2
if ! installed; then
    echo "wasmtime-cli $VERSION did not install into $ROOT" >&2
    exit 1
fi
echo "wasmtime-cli $VERSION installed in $(( $(date +%s) - started )) s" >&2
echo "$BIN"
