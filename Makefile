# One command to run the service, one to run the tests; both set up what they need first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
NPM    ?= npm

.PHONY: install run build test bench system-deps clean

$(BIN)/lmkg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# the editor's browser assets (@zazuko/yasgui), exactly as package-lock.json pins them
node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	touch $@

install: $(BIN)/lmkg node_modules/.package-lock.json

# Debian packages the tests and the benchmark drive: Chromium for the end-to-end tests (Playwright for
# Python drives it; no browser download), wrk for HTTP load from a second process, Virtuoso for
# remote mode over a second SPARQL store (tests/test_virtuoso.py), and PostgreSQL, Redis and nginx for
# the deployment of several instances (tests/test_deployment.py)
DEBIAN_PACKAGES := chromium chromium-driver wrk virtuoso-opensource postgresql redis-server nginx
system-deps:
	@test -x /usr/bin/chromium && command -v wrk >/dev/null && command -v virtuoso-t >/dev/null \
	  && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v redis-server >/dev/null \
	  && test -x /usr/sbin/nginx || { SUDO=$$(test "$$(id -u)" -eq 0 || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q \
	  --no-install-recommends $(DEBIAN_PACKAGES); }

build: install
	$(BIN)/lmkg build

run: install
	$(BIN)/lmkg serve

test: install system-deps
	$(BIN)/python -m pytest -q

# The full benchmark (about 15 minutes on 2 cores): results in benchmarks/results/
bench: install system-deps
	$(BIN)/lmkg bench

clean:
	rm -rf $(VENV) data node_modules artifacts .bench
