# lzctl: the two commands a fresh machine needs are `make demo` and `make test`.
# Both install what they need: the pinned AWS emulator (moto) goes into a local .venv.

PYTHON ?= python3
VENV := .venv
MOTO := $(VENV)/bin/moto_server
CARGO ?= cargo

.PHONY: demo test build lint venv bench clean

demo: build $(MOTO)
	scripts/demo.sh

test: lint
	$(CARGO) test --locked

build:
	$(CARGO) build --locked

# Everything `make test` checks except running the tests.
lint: $(MOTO)
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets --locked -- -D warnings
	$(VENV)/bin/cfn-lint blueprints/templates/*.yaml
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows examples/github-actions/*.yml .github/workflows/*.yml

venv: $(MOTO)

# The emulator (and cfn-lint, which moto depends on), pinned with all their dependencies;
# rebuilt when the pins change.
$(MOTO): requirements-emulator.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-emulator.txt
	touch $(MOTO)

# The scale benchmark (benches/scale): seeds a 1,000-account organization into the emulator and
# measures lzctl through a proxy that holds AWS's published rates; then count mode's speed, with
# a release build. Sizes: make bench BENCH="--accounts 5000"; count mode alone:
# make bench BENCH=--simulate-only.
BENCH ?=
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
bench: $(MOTO)
	$(CARGO) build --release --locked
	$(CARGO) bench --profile dev --locked --bench scale -- --simulate-release $(abspath $(TARGET_DIR))/release/lzctl $(BENCH)

clean:
	rm -rf target $(VENV) .demo
