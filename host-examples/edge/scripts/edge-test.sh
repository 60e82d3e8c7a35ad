#!/bin/sh
# The edge suite (`make edge-test`): installs the pinned npm packages (npm ci, skipped while
# package-lock.json is unchanged), transpiles the component (npm run build), runs the unit
# tests, then the cross-host conformance test inside the testbed's demo network (root).
#   usage: scripts/edge-test.sh [path/to/testbed]   (default: $TESTBED, else testbed on PATH)
# Needs Node >= 20 and npm; dist/acme-preflight and dist/acme-preflight.wasm (`make build`).
set -eu
edge=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "$edge/../.." && pwd)
testbed=${1:-${TESTBED:-testbed}}
cd "$edge"

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
    echo "edge-test: Node >= 20 is needed (found: $(node --version 2>/dev/null || echo none))" >&2
    exit 1
fi

stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
fi

node scripts/build.mjs
node --test tests/unit/
"$testbed" run "$repo/tests/testbed/scenarios/demo.json" -- node tests/conformance.mjs
