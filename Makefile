# One command to run the service, one to run the tests; both set up what they need first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: install run build test bench system-deps clean

$(BIN)/lmkg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/lmkg

build: install
	$(BIN)/lmkg build

run: install
	$(BIN)/lmkg serve

# Debian packages the tests and the benchmark drive: wrk (HTTP load from a second process)
DEBIAN_PACKAGES := wrk
system-deps:
	@command -v wrk >/dev/null || apt-get install -y -q $(DEBIAN_PACKAGES) >/dev/null \
	  || (apt-get update -q >/dev/null && apt-get install -y -q $(DEBIAN_PACKAGES) >/dev/null)

test: install system-deps
	$(BIN)/python -m pytest -q

# The full benchmark (about 15 minutes on 2 cores): results in benchmarks/results/
bench: install system-deps
	$(BIN)/lmkg bench

clean:
	rm -rf $(VENV) data .bench
