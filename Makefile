# Two commands on a fresh clone: `make demo` and `make test`. Both run `make install` first.
# `make test-fast` leaves out the tests marked slow, for the edit loop.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-fast lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "uv>=0.4"
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[test]"
	touch $(STAMP)

demo: install
	$(BIN)/python -m attunement.demo

test: install
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

test-fast: install
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not slow"

lint: install
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

# Peers (ChildProject, pylangacq) live in their own venv: they pin old pandas/numpy.
bench: install
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet --upgrade "uv>=0.4"
	.venv-bench/bin/uv pip install --quiet --python .venv-bench/bin/python -e . -r benchmarks/requirements.txt
	.venv-bench/bin/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .venv-bench .pytest_cache .ruff_cache
