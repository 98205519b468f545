# One task runner. Every target creates .venv and installs into it by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint typecheck demo bench screenshots clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src/indiclass
	$(BIN)/lint-imports

demo: $(STAMP)
	$(BIN)/indiclass demo

bench: $(STAMP)
	$(BIN)/python benchmarks/rules_throughput.py

# A PNG of each console page in docs/console/ (Debian's chromium: apt-get install -y chromium).
screenshots: $(STAMP)
	$(BIN)/python tests/browser/screenshots.py docs/console

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
