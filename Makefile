# One command to run the service, one to run the tests; both set up what they need first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

NPM    ?= npm
CHROMIUM := /usr/bin/chromium

.PHONY: install run build test clean browser

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

# Debian's Chromium for the end-to-end tests (driven by Playwright for Python; no browser download)
browser:
	@test -x $(CHROMIUM) || { SUDO=$$(test "$$(id -u)" -eq 0 || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver; }

build: install
	$(BIN)/lmkg build

run: install
	$(BIN)/lmkg serve

test: install browser
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) data node_modules artifacts
