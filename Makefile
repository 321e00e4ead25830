# posbridge: the two set-up commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.PHONY: test build fmt clippy
test:
	cargo test --workspace --locked
build:
	cargo build --workspace --locked
