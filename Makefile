# acme-preflight: one command to build, one to test. Everything it needs is installed here.
#   make build   -> dist/acme-preflight.wasm (the component)
#   make test    -> lint + unit tests + simulated scenarios on the core and the component
#   make help    -> every entry point

SHELL := /bin/bash
CARGO_TARGET_DIR ?= $(HOME)/.cache/acme-preflight/target
export CARGO_TARGET_DIR
WASM_TARGET := wasm32-wasip2
COMPONENT := $(CARGO_TARGET_DIR)/$(WASM_TARGET)/release/acme_preflight.wasm

.PHONY: help setup build test lint unit sim fmt clean

help: ## list the entry points
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

setup: ## install what the build needs (idempotent)
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy rustfmt

build: setup ## build dist/acme-preflight.wasm and print its size
	cargo build --locked --target $(WASM_TARGET) --release -p acme-preflight
	@mkdir -p dist
	@cp $(COMPONENT) dist/acme-preflight.wasm
	@echo "dist/acme-preflight.wasm: $$(stat -c %s dist/acme-preflight.wasm) bytes"

lint: setup ## rustfmt and clippy (native and wasm32-wasip2), warnings are errors
	cargo fmt --all -- --check
	cargo clippy --locked --workspace --all-targets -- -D warnings
	cargo clippy --locked --target $(WASM_TARGET) -p acme-preflight -- -D warnings

unit: setup ## the core's unit tests
	cargo test --locked -p acme-preflight

sim: build ## every simulated scenario on the native core and inside the component
	cargo test --locked --profile host -p acme-preflight-sim

test: lint unit sim ## everything CI runs

fmt: ## format the code
	cargo fmt --all

clean: ## remove build output
	rm -rf dist
	cargo clean
