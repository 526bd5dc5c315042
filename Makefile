# The project's commands. Needs only python3 and make: everything else is installed here.
#   make demo   run the quickstart example DAG with real Airflow against the local Publer sandbox
#   make test   lint, type-check and run every test on the newest Airflow and on the oldest supported one
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
FLOOR_VENV ?= .venv-floor
UV_VERSION := 0.13.9
export UV_COMPILE_BYTECODE := 1
export UV_LINK_MODE := copy
export AIRFLOW__CORE__LOAD_EXAMPLES := False

.PHONY: demo test lint typecheck unit test-newest test-floor dev floor lock bench clean

dev: $(VENV)/.installed
floor: $(FLOOR_VENV)/.installed

$(VENV)/.installed: requirements/dev-airflow-3.3.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip install -q --python $(VENV)/bin/python -r requirements/dev-airflow-3.3.lock
	$(VENV)/bin/uv pip install -q --python $(VENV)/bin/python --no-deps -e .
	touch $@

$(FLOOR_VENV)/.installed: requirements/floor-airflow-3.1.lock pyproject.toml $(VENV)/.installed
	$(PYTHON) -m venv $(FLOOR_VENV)
	$(VENV)/bin/uv pip install -q --python $(FLOOR_VENV)/bin/python -r requirements/floor-airflow-3.1.lock
	$(VENV)/bin/uv pip install -q --python $(FLOOR_VENV)/bin/python --no-deps -e .
	touch $@

demo: dev
	$(VENV)/bin/python scripts/demo.py

.PHONY: stack browser-deps
stack: dev
	$(VENV)/bin/python scripts/stack.py

browser-deps:
	bash scripts/ensure_chromium.sh

lint: dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: dev
	$(VENV)/bin/mypy

test-newest: dev browser-deps
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider tests

test-floor: floor
	$(FLOOR_VENV)/bin/python -m pytest -q -p no:cacheprovider tests -m "not fullstack and not browser and not chaos"

test: lint typecheck test-newest test-floor

bench: dev
	$(VENV)/bin/python benchmarks/bench_provider.py

lock: dev
	$(VENV)/bin/uv pip compile -q requirements/dev.in --python-version 3.11 -o requirements/dev-airflow-3.3.lock
	$(VENV)/bin/uv pip compile -q requirements/floor.in --python-version 3.11 -o requirements/floor-airflow-3.1.lock

clean:
	rm -rf $(VENV) $(FLOOR_VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .airflow-*
