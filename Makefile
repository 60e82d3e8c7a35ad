# acme-preflight: one command to build, one to test. Everything it needs is installed here.
#   make build   -> dist/acme-preflight.wasm (the component) and dist/acme-preflight (the CLI)
#   make test    -> lint, unit tests, simulated scenarios (core and component), host tests,
#                   end-to-end tests on a namespaced test network (needs root, as in CI)
#   make run     -> the demo network, every demo domain checked; make run DOMAIN=example.org
#   make help    -> every entry point

SHELL := /bin/bash
CARGO_TARGET_DIR ?= $(HOME)/.cache/acme-preflight/target
export CARGO_TARGET_DIR
WASM_TARGET := wasm32-wasip2
COMPONENT := $(CARGO_TARGET_DIR)/$(WASM_TARGET)/release/acme_preflight.wasm
HOST_BIN := $(CARGO_TARGET_DIR)/host
CLI_COMPONENT := $(CARGO_TARGET_DIR)/$(WASM_TARGET)/release/acme-preflight-cli.wasm
DEMO := tests/testbed/scenarios/demo.json
DEMO_TOKEN := demo-token
DEMO_THUMBPRINT := NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs
DEMO_DOMAINS := dual.example.com v6-timeout.example.com v6-refused.example.com \
	v6-404.example.net v6-timeout-redirect.example.net v6-only.example.org v4-only.example.org \
	servfail.example.org nxdomain.example.org

.PHONY: help setup build component host command wasmtime-cli test lint unit sim host-test e2e command-test edge-test bench run fmt clean
EDGE := host-examples/edge

help: ## list the entry points
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

setup: ## install what the build and the tests need (idempotent, skips what is present)
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@sh tests/testbed/scripts/install-deps.sh
	@# ring (rustls's crypto) compiles C for wasm32-wasip2 with clang.
	@command -v clang >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq clang llvm; }

build: component host command ## everything in dist/

component: setup ## dist/acme-preflight.wasm, with its size
	cargo build --locked --target $(WASM_TARGET) --release -p acme-preflight
	@mkdir -p dist
	@cp $(COMPONENT) dist/acme-preflight.wasm
	@echo "dist/acme-preflight.wasm: $$(stat -c %s dist/acme-preflight.wasm) bytes"

host: component ## dist/acme-preflight, the wasmtime host (finds the component beside it)
	cargo build --locked --profile host -p acme-preflight-host -p testbed
	@cp $(HOST_BIN)/acme-preflight dist/acme-preflight
	@echo "dist/acme-preflight: $$(stat -c %s dist/acme-preflight) bytes"

command: setup ## dist/acme-preflight-cli.wasm, the command component for `wasmtime run`
	cargo build --locked --target $(WASM_TARGET) --release -p acme-preflight-command
	@mkdir -p dist
	@cp $(CLI_COMPONENT) dist/acme-preflight-cli.wasm
	@echo "dist/acme-preflight-cli.wasm: $$(stat -c %s dist/acme-preflight-cli.wasm) bytes"

wasmtime-cli: ## wasmtime-cli 48.0.8 into ~/.cache/acme-preflight/tools (once; ~11 min on 2 cores)
	@sh host-examples/wasi-command/install-wasmtime-cli.sh >/dev/null

lint: setup ## rustfmt and clippy (native and wasm32-wasip2), warnings are errors
	cargo fmt --all -- --check
	cargo clippy --locked --workspace --all-targets --profile host -- -D warnings
	cargo clippy --locked --target $(WASM_TARGET) -p acme-preflight -p acme-preflight-command -- -D warnings

unit: setup ## the core's unit tests (debug build: overflow checks on)
	cargo test --locked -p acme-preflight

sim: component ## every simulated scenario on the native core and inside the component
	cargo test --locked --profile host -p acme-preflight-sim

host-test: build ## the wasmtime host's own tests
	cargo test --locked --profile host -p acme-preflight-host

e2e: build ## the CLI on a real network in namespaces (root)
	cargo test --locked --profile host -p testbed -p acme-preflight-e2e

bench: component ## diagnosis time with dead addresses (simulated): virtual and wall time
	cargo run --locked --profile host -p acme-preflight-sim --example diagnose_bench

edge-test: build ## JavaScript hosts (Node, Deno, workerd) vs the wasmtime host on the test network (root; npm)
	sh $(EDGE)/scripts/edge-test.sh $(HOST_BIN)/testbed

command-test: build wasmtime-cli ## the command component in wasmtime vs the Rust host, on the testbed (root)
	cargo test --locked --profile host -p acme-preflight-command

test: lint unit sim host-test e2e edge-test command-test ## everything CI runs

run: build ## the demo network and every demo domain, or DOMAIN=name on the real network
ifdef DOMAIN
	dist/acme-preflight validate $(DOMAIN) --token preflight-check --key-authorization preflight-check.no-such-file
else
	$(HOST_BIN)/testbed run $(DEMO) -- sh -c 'for d in $(DEMO_DOMAINS); do \
	  echo "== $$d"; dist/acme-preflight validate $$d --token $(DEMO_TOKEN) \
	    --key-authorization $(DEMO_TOKEN).$(DEMO_THUMBPRINT) --resolver 198.51.100.53 \
	    --allow-reserved 198.51.100.0/24,2001:db8::/32; echo; done'
endif

fmt: ## format the code
	cargo fmt --all

clean: ## remove build output
	rm -rf dist
	cargo clean
