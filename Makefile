# make demo: one up -> status -> down cycle on the built-in simulated cloud.
# make test: the whole test suite. Both install what they need and are safe to run twice.
SWIFT ?= swift
VENV := .venv

.PHONY: deps test-deps build demo test venv bench clean

deps:
	@scripts/install-system-deps.sh libcurl4-openssl-dev libsqlite3-dev

# Test servers from Debian: Redis is the Celery workers' broker in the readiness tests.
test-deps:
	@scripts/install-system-deps.sh redis-server

build: deps
	$(SWIFT) build

demo: build
	@scripts/demo.sh

# The test servers (moto, aiosmtpd, celery) go into a local virtual environment, rebuilt when the
# requirements change.
venv: $(VENV)/.installed
$(VENV)/.installed: scripts/test-requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r scripts/test-requirements.txt
	touch $@

# The suites start many servers and CLI processes; run in parallel on 2 cores they starve each other
# (load average near 30) and time-bound checks turn flaky, so tests run one at a time.
test: build venv test-deps
	$(SWIFT) test --no-parallel

# Speed, provider calls and footprint against the physical limit; rewrites docs/benchmarks.md.
bench: deps
	$(SWIFT) build -c release --product scalectl-bench
	.build/release/scalectl-bench --out docs/benchmarks.md

clean:
	rm -rf .build .demo $(VENV)
