# MLAudit make targets
#
#   make demo     build (release), generate the demo data, run the pipeline over every demo day
#   make test     build and run every test (Swift Testing)
#   make bench    benchmarks; numbers are recorded in docs/benchmarks.md
#   make build    release build of bin/mlaudit
#   make install  copy mlaudit and its report templates to $(PREFIX)/bin
#   make deps     install the system packages MLAudit needs (Debian: libsqlite3-dev zlib1g-dev), as root
#   make clean    remove build products, demo data, demo warehouse and reports
#
# Needs: the Swift 6 toolchain, the SQLite headers (Debian package libsqlite3-dev) and the zlib
# headers for gzip snapshots (Debian package zlib1g-dev).
# Python is needed only to regenerate test reference values (scripts/reference/).

SWIFT ?= swift
PREFIX ?= /usr/local
RELEASE_DIR = .build/release
DEMO_DIR = demo-data

.PHONY: all build demo test bench install deps clean

all: build

deps:
	@if [ -f /usr/include/sqlite3.h ] && [ -f /usr/include/zlib.h ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing libsqlite3-dev and zlib1g-dev (SQLite and zlib headers)…"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-dev zlib1g-dev; \
	else \
		echo "MLAudit needs the SQLite and zlib headers. Install them with: sudo apt-get install -y libsqlite3-dev zlib1g-dev" >&2; exit 1; \
	fi

build: deps
	$(SWIFT) build -c release --product mlaudit

demo: build
	rm -rf $(DEMO_DIR) warehouse/demo.sqlite warehouse/demo.sqlite-wal warehouse/demo.sqlite-shm reports/demo
	$(RELEASE_DIR)/mlaudit demo --out $(DEMO_DIR)
	$(RELEASE_DIR)/mlaudit run pipelines/demo.yaml; status=$$?; \
	echo ""; \
	echo "Reports: reports/demo/<date>/v1/report.html (and report.md, summary.json, manifest.json)"; \
	echo "Warehouse: warehouse/demo.sqlite   (try: sqlite3 warehouse/demo.sqlite 'SELECT date, severity, checkId, column FROM finding JOIN snapshot ON snapshot.id = snapshotId WHERE severity = \"critical\"')"; \
	echo "Exit status $$status: 0 ok, 1 critical findings present (expected for the demo's incident days), 2 error."; \
	if [ $$status -ge 2 ]; then exit $$status; fi

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release --product mlaudit-bench
	$(RELEASE_DIR)/mlaudit-bench all

install: build
	install -d $(PREFIX)/bin
	install -m 0755 $(RELEASE_DIR)/mlaudit $(PREFIX)/bin/mlaudit
	rm -rf $(PREFIX)/bin/MLAudit_Render.resources
	cp -R $(RELEASE_DIR)/MLAudit_Render.resources $(PREFIX)/bin/

clean:
	rm -rf .build $(DEMO_DIR) warehouse reports
