# The project's commands. Needs only python3 and make: everything else is installed here.
#   make demo   run the quickstart example DAG with real Airflow against the local Publer sandbox
#   make test   lint, type checks, the docs site and every test, on the newest Airflow and on the
#               oldest supported one, on each supported Python found on this machine
#   make docs   serve the docs site on http://127.0.0.1:8000
#   make dist   build the sdist and the wheel into dist/ and check them with twine
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
FLOOR_VENV ?= .venv-floor
UV_VERSION := 0.13.9
export UV_COMPILE_BYTECODE := 1
export UV_LINK_MODE := copy
# Use the interpreters of this machine, never download one.
export UV_PYTHON_DOWNLOADS := never
export AIRFLOW__CORE__LOAD_EXAMPLES := False
# mkdocs-material's notice about its successor, printed on every build.
export NO_MKDOCS_2_WARNING := 1

# The supported Pythons (pyproject.toml's classifiers list exactly these; a test checks it).
PYTHONS := 3.10 3.11 3.12 3.13
NEWEST_AIRFLOW := 3.3
FLOOR_AIRFLOW := 3.1
NEWEST_AIRFLOW_VERSION := $(shell sed -n 's/^apache-airflow==//p' requirements/dev.in)
FLOOR_AIRFLOW_VERSION := $(shell sed -n 's/^apache-airflow==//p' requirements/floor.in)

# The real path of an interpreter of version $(1): `python3.X` on PATH when it runs, else pyenv's
# copy (pyenv's shims only run the versions selected in pyenv), else nothing.
PYENV_ROOT ?= $(HOME)/.pyenv
find_python = $(firstword $(foreach c,python$(1) $(wildcard $(PYENV_ROOT)/versions/$(1).*/bin/python$(1)),\
	$(shell $(c) -c 'import sys; print(sys.executable)' 2>/dev/null)))
pyver = $(shell $(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PY310 := $(call find_python,3.10)
PY311 := $(call find_python,3.11)
PY312 := $(call find_python,3.12)
PY313 := $(call find_python,3.13)

# Main venv: newest Airflow on Python 3.13, or on python3 where there is no 3.13 (make demo needs
# nothing more). Floor venv: Airflow 3.1.8 on Python 3.10, or on the main venv's Python.
MAIN_PYTHON := $(or $(PY313),$(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null))
MAIN_PYVER := $(call pyver,$(MAIN_PYTHON))
FLOOR_PYTHON := $(or $(PY310),$(MAIN_PYTHON))
FLOOR_PYVER := $(call pyver,$(FLOOR_PYTHON))
DEV_LOCK := requirements/dev-airflow-$(NEWEST_AIRFLOW)-py$(MAIN_PYVER).lock
FLOOR_LOCK := requirements/floor-airflow-$(FLOOR_AIRFLOW)-py$(FLOOR_PYVER).lock
UV := $(VENV)/bin/uv
# Fast tests on the Pythons between the two: Airflow 3.1.8 on 3.11, the newest on 3.12.
FAST_TESTS := tests/unit tests/docs tests/packaging
FAST_MARKERS := not packaging

# Stage banners with the time, so a log shows what each stage cost.
stage = @echo "=== $(1) [$$(date +%T)]"

.PHONY: demo test lint typecheck docs-build docs-build-pythons docs dist test-newest test-floor test-py3.11 test-py3.12 \
	dev floor lock bench clean stack browser-deps check-main-python tested-pythons

dev: $(VENV)/.installed-py$(MAIN_PYVER)
floor: $(FLOOR_VENV)/.installed-py$(FLOOR_PYVER)

check-main-python:
	@if [[ -z "$(MAIN_PYVER)" ]]; then echo "No Python found: install python3 (3.10 to 3.13)." >&2; exit 1; fi
	@if [[ ! -f "$(DEV_LOCK)" ]]; then \
		echo "Python $(MAIN_PYVER) ($(MAIN_PYTHON)) is not supported: use one of $(PYTHONS)," \
		"e.g. make PYTHON=python3.12 demo." >&2; exit 1; fi

$(VENV)/.installed-py$(MAIN_PYVER): $(DEV_LOCK) pyproject.toml | check-main-python
	$(call stage,dev venv: Python $(MAIN_PYVER) $(MAIN_PYTHON) + $(DEV_LOCK))
	rm -rf $(VENV)
	$(MAIN_PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q "uv==$(UV_VERSION)"
	$(UV) pip install -q --python $(VENV)/bin/python -r $(DEV_LOCK)
	$(UV) pip install -q --python $(VENV)/bin/python --no-deps -e .
	touch $@

$(FLOOR_VENV)/.installed-py$(FLOOR_PYVER): $(FLOOR_LOCK) pyproject.toml | dev
	$(call stage,floor venv: Python $(FLOOR_PYVER) $(FLOOR_PYTHON) + $(FLOOR_LOCK))
	rm -rf $(FLOOR_VENV)
	$(UV) venv -q --python $(FLOOR_PYTHON) $(FLOOR_VENV)
	$(UV) pip install -q --python $(FLOOR_VENV)/bin/python -r $(FLOOR_LOCK)
	$(UV) pip install -q --python $(FLOOR_VENV)/bin/python --no-deps -e .
	touch $@

# .venv-py3.11 (Airflow 3.1.8) and .venv-py3.12 (newest Airflow), for the fast tests.
LOCK_PY3.11 := requirements/floor-airflow-$(FLOOR_AIRFLOW)-py3.11.lock
LOCK_PY3.12 := requirements/dev-airflow-$(NEWEST_AIRFLOW)-py3.12.lock
.venv-py3.11/.installed: $(LOCK_PY3.11) pyproject.toml | dev
.venv-py3.12/.installed: $(LOCK_PY3.12) pyproject.toml | dev
.venv-py3.11/.installed .venv-py3.12/.installed: .venv-py3.%/.installed:
	$(call stage,.venv-py3.$* venv: Python 3.$* + $(LOCK_PY3.$*))
	rm -rf .venv-py3.$*
	$(UV) venv -q --python $(PY3$*) .venv-py3.$*
	$(UV) pip install -q --python .venv-py3.$*/bin/python -r $(LOCK_PY3.$*)
	$(UV) pip install -q --python .venv-py3.$*/bin/python --no-deps -e .
	touch $@

demo: dev
	$(VENV)/bin/python scripts/demo.py

stack: dev
	$(VENV)/bin/python scripts/stack.py

browser-deps:
	bash scripts/ensure_chromium.sh

lint: dev
	$(call stage,lint: ruff and the import contracts)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: dev
	$(call stage,typecheck: mypy)
	$(VENV)/bin/mypy

# Never with -q: mkdocs --strict fails only on the warnings it prints, and -q hides them.
docs-build: dev
	$(call stage,docs: mkdocs build --strict)
	$(VENV)/bin/mkdocs build --strict

docs: dev
	$(VENV)/bin/mkdocs serve -a 127.0.0.1:8000

# The site also builds on each other supported Python, with that Python's docs tooling: a venv of
# requirements/docs.in alone, at the versions of that Python's dev lock (seconds from the uv cache).
DOCS_PYTHONS := $(filter-out $(MAIN_PYVER),$(PYTHONS))
.venv-docs-py%/.installed: requirements/docs.in requirements/dev-airflow-$(NEWEST_AIRFLOW)-py%.lock | dev
	rm -rf .venv-docs-py$*
	$(UV) venv -q --python $(call find_python,$*) .venv-docs-py$*
	$(UV) pip install -q --python .venv-docs-py$*/bin/python -r requirements/docs.in \
		-c requirements/dev-airflow-$(NEWEST_AIRFLOW)-py$*.lock
	touch $@

$(addprefix docs-build-py,$(DOCS_PYTHONS)): docs-build-py%:
	@if [[ -z "$(call find_python,$*)" ]]; then \
		echo "=== SKIPPED: no Python $* on this machine, the docs were not built with it"; \
	else \
		$(MAKE) --no-print-directory .venv-docs-py$*/.installed && \
		echo "=== docs: mkdocs build --strict on Python $* [$$(date +%T)]" && \
		.venv-docs-py$*/bin/mkdocs build --strict -d build/site-py$*; \
	fi

docs-build-pythons: $(addprefix docs-build-py,$(DOCS_PYTHONS))

dist: dev
	$(call stage,dist: sdist and wheel)
	rm -rf dist
	$(VENV)/bin/python -m build -q --installer uv --outdir dist .
	$(VENV)/bin/twine check --strict dist/*

# The floor venv first: the browser tests also click through Airflow 3.1.8's UI.
test-newest: dev floor browser-deps
	$(call stage,tests: Python $(MAIN_PYVER) + Airflow $(NEWEST_AIRFLOW_VERSION) (all tests))
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider tests

test-floor: floor
	$(call stage,tests: Python $(FLOOR_PYVER) + Airflow $(FLOOR_AIRFLOW_VERSION) (all but fullstack/browser/chaos/packaging))
	$(FLOOR_VENV)/bin/python -m pytest -q -p no:cacheprovider tests \
		-m "not fullstack and not browser and not chaos and not packaging"

test-py3.11 test-py3.12: test-py3.%:
	@if [[ -z "$(PY3$*)" ]]; then \
		echo "=== SKIPPED: no Python 3.$* on this machine, the fast tests did not run on it"; \
	else \
		$(MAKE) --no-print-directory .venv-py3.$*/.installed && \
		echo "=== fast tests: Python 3.$* [$$(date +%T)]" && \
		.venv-py3.$*/bin/python -m pytest -q -p no:cacheprovider $(FAST_TESTS) -m "$(FAST_MARKERS)"; \
	fi

# What ran on which Python, and what this machine could not run.
tested-pythons:
	@echo "=== Pythons tested on this machine:"
	@echo "    Python $(MAIN_PYVER) + Airflow $(NEWEST_AIRFLOW_VERSION): lint, types, docs, all tests"
	@echo "    Python $(FLOOR_PYVER) + Airflow $(FLOOR_AIRFLOW_VERSION): all tests but fullstack/browser/chaos/packaging"
	@echo "    docs site (mkdocs build --strict): Python $(MAIN_PYVER) $(foreach v,$(DOCS_PYTHONS),$(if $(call find_python,$(v)),$(v)))"
	@$(if $(PY311),echo "    Python 3.11 + Airflow $(FLOOR_AIRFLOW_VERSION): fast tests ($(FAST_TESTS))",echo "    SKIPPED Python 3.11: not found")
	@$(if $(PY312),echo "    Python 3.12 + Airflow $(NEWEST_AIRFLOW_VERSION): fast tests ($(FAST_TESTS))",echo "    SKIPPED Python 3.12: not found")
	@$(if $(PY313),,echo "    SKIPPED Python 3.13: not found, the newest Airflow ran on Python $(MAIN_PYVER) instead")
	@$(if $(PY310),,echo "    SKIPPED Python 3.10: not found, Airflow $(FLOOR_AIRFLOW_VERSION) ran on Python $(FLOOR_PYVER) instead")

# The test stages run two at a time: their tests mostly wait on Airflow and the sandbox, and each
# pytest session has its own AIRFLOW_HOME and temporary folder. Each stage's output is printed
# whole when it ends.
test: lint typecheck docs-build docs-build-pythons
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-newest test-floor test-py3.11 test-py3.12
	@$(MAKE) --no-print-directory tested-pythons
	$(call stage,make test passed)

bench: dev
	$(VENV)/bin/python benchmarks/bench_provider.py
	$(VENV)/bin/python benchmarks/bench_calendar.py
	$(VENV)/bin/python benchmarks/bench_ui.py

# One lock per Airflow and Python version (uv resolves for the given Python, not the running one).
lock: dev
	for v in $(PYTHONS); do \
		$(UV) pip compile -q requirements/dev.in --python-version $$v \
			-o requirements/dev-airflow-$(NEWEST_AIRFLOW)-py$$v.lock && \
		$(UV) pip compile -q requirements/floor.in --python-version $$v \
			-o requirements/floor-airflow-$(FLOOR_AIRFLOW)-py$$v.lock || exit 1; \
	done

clean:
	rm -rf $(VENV) $(FLOOR_VENV) .venv-py3.* .venv-docs-py3.* build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache \
		.airflow-*
