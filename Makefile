# make demo: one up -> status -> down cycle on the built-in simulated cloud.
# make test: the whole test suite. Both install what they need and are safe to run twice.
SWIFT ?= swift
VENV := .venv

.PHONY: deps test-deps build release install demo test venv bench soak fuzz clean campaign failover-bench

deps:
	@scripts/install-system-deps.sh libcurl4-openssl-dev libsqlite3-dev

# Test servers from Debian: Redis is the Celery workers' broker in the readiness tests; Chromium renders
# the on-call page in the page tests (headless); PostgreSQL is the shared state store's (each test
# process starts a private cluster of its own, ScaleTesting's TestPostgres).
test-deps:
	@scripts/install-system-deps.sh redis-server chromium postgresql

build: deps
	$(SWIFT) build

# make install: a release build into $(PREFIX)/bin, the systemd units, an example configuration and
# environment file, and the crontab; an existing file is never overwritten. DESTDIR stages a package.
# NO_BUILD=1 SCALECTL_BIN=PATH installs a binary built elsewhere (the tests do).
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
STATEDIR ?= /var/lib/scalectl
SCALECTL_BIN ?= .build/release/scalectl

release: deps
	$(SWIFT) build -c release --product scalectl

install: $(if $(NO_BUILD),,release)
	@BIN="$(SCALECTL_BIN)" DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" SYSCONFDIR="$(SYSCONFDIR)" \
		UNITDIR="$(UNITDIR)" STATEDIR="$(STATEDIR)" scripts/install.sh

demo: build
	@scripts/demo.sh

# The test servers (moto, aiosmtpd, celery) go into a local virtual environment, rebuilt when the
# requirements change.
venv: $(VENV)/.installed
$(VENV)/.installed: scripts/test-requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r scripts/test-requirements.txt
	touch $@

# Suites run in parallel: executor and coordinator tests run on virtual time, end-to-end tests wait for
# conditions, not for time. The suites whose subject is wall-clock time itself (the daemon's window edges and leases,
# real Celery workers joining a broker, the browser page, the seeded fault campaign, HTTP and probe
# timeouts, a shared poll's cancellation) run afterwards, one at a time, so a loaded machine cannot starve them.
# At most TEST_WIDTH tests at a time: as fast as all at once on 2 cores (91.6 s against 95.9 s for 298
# tests), without a start where every test launches its servers together.
REALTIME_SUITES := DaemonTests|FailoverTests|CeleryReadinessTests|PageTests|HetznerCampaignTests|HTTPClientTests|ProbeTests|SharedPollCancellationTests
TEST_WIDTH ?= 24
test: build venv test-deps
	$(SWIFT) test --skip '$(REALTIME_SUITES)' --experimental-maximum-parallelization-width $(TEST_WIDTH)
	$(SWIFT) test --skip-build --no-parallel --filter '$(REALTIME_SUITES)'

# The fault campaign of docs/reliability.md with more seeds than `make test` runs (CAMPAIGN_SEEDS each case).
CAMPAIGN_SEEDS ?= 5
campaign: build venv
	SCALECTL_CAMPAIGN_SEEDS=$(CAMPAIGN_SEEDS) $(SWIFT) test --filter HetznerCampaignTests 2>&1 | grep -E "campaign:|passed|failed"

# Speed, provider calls and footprint against the physical limit; rewrites docs/benchmarks.md.
bench: deps
	$(SWIFT) build -c release --product scalectl-bench
	.build/release/scalectl-bench --out docs/benchmarks.md

# Failover of two daemons on one database (docs/reliability.md, "Failover"): kill -9 the leader FAILOVER_TRIALS
# times; seconds to the standby leading and reconciling, and lease claims per minute per controller.
FAILOVER_LEASE ?= 6s
FAILOVER_TRIALS ?= 3
failover-bench: build
	SCALECTL=.build/debug/scalectl LEASE=$(FAILOVER_LEASE) TRIALS=$(FAILOVER_TRIALS) scripts/failover-bench.sh

# The daemon's reconcile SOAK_RUNS times in one process on the sim: resident memory and database size
# every 1000 runs (JSON on stdout).
SOAK_RUNS ?= 10000
soak: deps
	$(SWIFT) build -c release --product scalectl-bench
	.build/release/scalectl-bench --soak $(SOAK_RUNS) --every 1000 --busy-every 500

# libFuzzer on the configuration, CSV and iCalendar parsers for FUZZ_SECONDS (not part of CI). Crashes
# land in .fuzz/ as crash-*; the corpus grows in .fuzz/corpus and can be replayed with scalectl-fuzz.
FUZZ_SECONDS ?= 120
fuzz: deps
	$(SWIFT) build --scratch-path .build-fuzz --product scalectl-fuzz -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
	mkdir -p .fuzz/corpus
	$(SWIFT) build --product scalectl-fuzz
	$$($(SWIFT) build --show-bin-path)/scalectl-fuzz --seeds .fuzz/corpus $(CURDIR)
	# -detect_leaks=0: TOMLKit 0.6.0 never frees a parsed table (no deinit), a bounded leak once per process.
	cd .fuzz && ASAN_OPTIONS=detect_leaks=0 ../.build-fuzz/debug/scalectl-fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 -detect_leaks=0 corpus

clean:
	rm -rf .build .build-fuzz .demo .fuzz $(VENV)
