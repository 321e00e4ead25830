# posbridge. The two set-up commands on a fresh machine are `make run` and `make test`
# (README.md). Everything they need is installed here: Python venvs for the local AWS-compatible
# server (moto) and the template linters; Rust crates through cargo.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON      ?= python3
AWS_VENV    ?= .venv-aws
MOTO_VERSION = 5.2.5
MOTO_PORT   ?= 5055
MOTO_URL     = http://127.0.0.1:$(MOTO_PORT)
CARGO_FLAGS ?= --locked

# The SDK reads these; no AWS account is used anywhere in tests.
AWS_TEST_ENV = AWS_ENDPOINT_URL=$(MOTO_URL) AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test

.PHONY: help test test-rust lint lint-infra build lambda run run-aws aws-up aws-down fmt clippy bench

help:
	@echo "make run    - the local stack (embedded storage and queue, emulators, every function over HTTP)"
	@echo "make test   - every test: unit, conformance (embedded + local AWS server), emulators, template lint"
	@echo "make lint   - offline checks of infra/template.yaml"
	@echo "make run-aws - the local stack over DynamoDB and SQS on the local AWS-compatible server"
	@echo "make build  - build every function for this machine (make lambda: arm64 Lambda artifacts)"
	@echo "make bench  - benchmarks"

$(AWS_VENV)/bin/moto_server:
	$(PYTHON) -m venv $(AWS_VENV)
	$(AWS_VENV)/bin/pip install -q --disable-pip-version-check 'moto[server]==$(MOTO_VERSION)'

# Starts moto in the background unless one already answers on MOTO_PORT. scripts/moto_server.py
# is moto's server with DynamoDB requests applied one at a time, as real DynamoDB does.
aws-up: $(AWS_VENV)/bin/moto_server
	@if curl -sf $(MOTO_URL)/moto-api/ >/dev/null 2>&1; then echo "moto already on $(MOTO_URL)"; else \
	  $(AWS_VENV)/bin/python scripts/moto_server.py 127.0.0.1 $(MOTO_PORT) > .moto.log 2>&1 & echo $$! > .moto.pid; \
	  for i in $$(seq 1 100); do curl -sf $(MOTO_URL)/moto-api/ >/dev/null 2>&1 && exit 0; sleep 0.1; done; \
	  echo "moto did not start:"; cat .moto.log; exit 1; fi

aws-down:
	-@if [ -f .moto.pid ]; then kill $$(cat .moto.pid) 2>/dev/null; rm -f .moto.pid; fi

# Rust tests with moto up for the AWS half of the conformance suite; moto stops either way.
test-rust: aws-up
	@$(AWS_TEST_ENV) cargo test --workspace $(CARGO_FLAGS); rc=$$?; $(MAKE) --no-print-directory aws-down; exit $$rc

# Offline checks of the SAM template (makes .venv-cfn on first use).
lint: lint-infra
lint-infra:
	scripts/lint-infra.sh

test: test-rust lint-infra

# The local stack: functions on :7000, emulators on :7101-7104, embedded storage and queue.
run:
	cargo run $(CARGO_FLAGS) -p posbridge-local --bin posbridge-local

# The same stack over DynamoDB and SQS on the local AWS-compatible server.
run-aws: aws-up
	$(AWS_TEST_ENV) POSBRIDGE_TABLE=posbridge-local POSBRIDGE_BOOTSTRAP=1 \
	  cargo run $(CARGO_FLAGS) -p posbridge-local --bin posbridge-local

# Every function binary for this machine; no cargo-lambda needed.
build:
	cargo build --release $(CARGO_FLAGS) $(foreach f,activate webhook worker scheduler api,-p posbridge-fn-$(f))

# Lambda artifacts (arm64) with cargo-lambda from PyPI (it brings Zig). Needs the
# aarch64-unknown-linux-gnu rust-std (`rustup target add aarch64-unknown-linux-gnu`).
LAMBDA_VENV ?= .venv-lambda
$(LAMBDA_VENV)/bin/cargo-lambda:
	$(PYTHON) -m venv $(LAMBDA_VENV)
	$(LAMBDA_VENV)/bin/pip install -q --disable-pip-version-check 'cargo-lambda==1.9.2'
lambda: $(LAMBDA_VENV)/bin/cargo-lambda
	PATH=$(CURDIR)/$(LAMBDA_VENV)/bin:$$PATH cargo lambda build --release --arm64 $(CARGO_FLAGS) \
	  $(foreach f,activate webhook worker scheduler api,--bin posbridge-fn-$(f))

# Benchmarks print ratios and counts (see tests/bench/src/main.rs); they are not part of make test.
bench:
	cargo run --release $(CARGO_FLAGS) -p posbridge-bench

fmt:
	cargo fmt --all

clippy:
	cargo clippy --workspace --all-targets $(CARGO_FLAGS) -- -D warnings
