# nnbook: the two commands are `make book` and `make test` (see README.md).
#
# Every install step is idempotent: a stamp file records that it is done for the
# current requirements.txt / package-lock.json, so repeated runs are fast.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
BUILD := _build
SITE := $(BUILD)/html
PORT ?= 8000
CHAPTERS := $(sort $(wildcard chapters/*.ipynb))

# Keep BLAS to one thread per process: faster on small matrices and steadier timings.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help book serve lab execute test test-unit test-notebooks build-strict test-site lint bench clean

help:
	@echo "make book      create .venv, install pinned dependencies, build the site into $(SITE)"
	@echo "make serve     serve $(SITE) on http://127.0.0.1:$(PORT)/"
	@echo "make test      ruff, unit + property tests, nbval over every chapter, strict site build, browser checks"
	@echo "make lab       open JupyterLab on the chapters, in .venv"
	@echo "make execute   re-run every chapter top to bottom and store outputs and widget state"
	@echo "make lint      ruff over the library, tests and tools"
	@echo "make bench     the gradient and training benchmarks (prints a table)"

# ---------------------------------------------------------------- installs

$(VENV)/.installed: requirements.txt pyproject.toml
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { \
		echo "installing Debian's python3-venv"; apt-get update -qq && apt-get install -y -qq python3-venv; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 (apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Debian's chromium for the browser checks (never `playwright install`: it downloads a browser).
chromium:
	@command -v chromium >/dev/null || { \
		echo "installing Debian's chromium"; apt-get update -qq && apt-get install -y -qq chromium; }

# ---------------------------------------------------------------- the book

$(BUILD)/vendor-site/.staged: node_modules/.installed tools/vendor_assets.py $(VENV)/.installed
	$(PY) tools/vendor_assets.py --dest $(BUILD)/vendor-site
	@touch $@

book: $(VENV)/.installed $(BUILD)/vendor-site/.staged
	$(BIN)/jupyter-book build . --all
	@echo
	@echo "The book is built: open $(abspath $(SITE))/index.html, or run \`make serve\`."

serve:
	@test -f $(SITE)/index.html || { echo "no site yet: run \`make book\` first"; exit 1; }
	@echo "serving http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory $(SITE)

lab: $(VENV)/.installed
	$(BIN)/jupyter lab chapters

execute: $(VENV)/.installed
	$(PY) tools/execute.py $(CHAPTERS)

# ---------------------------------------------------------------- checks

test: $(VENV)/.installed node_modules/.installed chromium
	$(MAKE) --no-print-directory lint test-unit test-notebooks build-strict test-site

test-unit: $(VENV)/.installed
	$(PY) -m pytest -W error -n 2 tests/unit

test-notebooks: $(VENV)/.installed
	@test -n "$(CHAPTERS)" || { echo "no chapter notebooks found in chapters/"; exit 1; }
	$(PY) -m pytest --nbval -n 2 --dist loadfile --nbval-sanitize-with tests/nbval_sanitize.cfg $(CHAPTERS)

build-strict: $(VENV)/.installed $(BUILD)/vendor-site/.staged
	rm -rf $(SITE) $(BUILD)/.doctrees  # no stale pages for the browser checks
	$(BIN)/jupyter-book build . --all -W -n --keep-going

test-site: $(VENV)/.installed node_modules/.installed chromium
	$(PY) -m pytest tests/site

# Code is formatted by hand (compact, as printed in the chapters); ruff checks the rules.
lint: $(VENV)/.installed
	$(BIN)/ruff check nnbook tests tools bench

# The whole benchmark on one core (as the book's timings), then training again with every core
# for both NumPy's BLAS and PyTorch (each library's default). Figures: bench/README.md.
bench: $(VENV)/.installed
	$(PY) bench/bench_gradients.py
	OPENBLAS_NUM_THREADS=$$(getconf _NPROCESSORS_ONLN) OMP_NUM_THREADS=$$(getconf _NPROCESSORS_ONLN) $(PY) bench/bench_gradients.py --part training

clean:
	rm -rf $(BUILD) test-artifacts .pytest_cache
