# make demo: one up -> status -> down cycle on the built-in simulated cloud.
# make test: the whole test suite. Both install what they need and are safe to run twice.
SWIFT ?= swift

.PHONY: deps build demo test clean

deps:
	@scripts/install-system-deps.sh libcurl4-openssl-dev libsqlite3-dev

build: deps
	$(SWIFT) build

demo: build
	@scripts/demo.sh

test: build
	$(SWIFT) test

clean:
	rm -rf .build .demo
