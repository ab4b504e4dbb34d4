# One command to run the service, one to run the tests; both set up what they need first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: install run build test clean

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

test: install
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) data
