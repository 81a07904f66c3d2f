# make demo: one up -> status -> down cycle on the built-in simulated cloud.
# make test: the whole test suite. Both install what they need and are safe to run twice.
SWIFT ?= swift
VENV := .venv

.PHONY: deps build demo test venv clean

deps:
	@scripts/install-system-deps.sh libcurl4-openssl-dev libsqlite3-dev

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

test: build venv
	$(SWIFT) test

clean:
	rm -rf .build .demo $(VENV)
