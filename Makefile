# The two set-up commands: `make run` and `make test`. Everything else is in `mpdkg --help`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test test-fast install lint format docs clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TEST_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(STAMP)

install: $(STAMP)

## run: create .venv, install, build + validate + reason + analyse, write everything to dist/
run: $(STAMP)
	$(BIN)/mpdkg run --out dist

# Test files run side by side, one worker per core (at most 4: each holds the real graph and the
# open data, about 3 GB); a file's tests stay in one worker, so module fixtures are built once.
PYTEST_PARALLEL ?= -n auto --maxprocesses 4 --dist loadfile

## test: install the test extras into .venv and run the whole suite (in parallel, one worker per core)
test: $(TEST_STAMP)
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

## test-fast: the suite without the tests marked slow (the README tour, the wheel, benchmarks)
test-fast: $(TEST_STAMP)
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not slow"

## lint: ruff (with complexity C90 <= 15), ruff format, functions <= 80 lines, mypy (see pyproject)
lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/python scripts/check_function_length.py src scripts
	$(BIN)/mypy

format: $(TEST_STAMP)
	$(BIN)/ruff format src tests scripts
	$(BIN)/ruff check --fix src tests scripts

## docs: regenerate the generated documentation (docs/*.md)
docs: $(STAMP)
	$(BIN)/mpdkg docs --out docs

clean:
	rm -rf dist build *.egg-info
