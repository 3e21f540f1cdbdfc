# Klimatmatch: `make run` serves the API on the sample data; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
export HF_HUB_OFFLINE := 1
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: help install onnx run demo test lint docs docs-serve clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## Create .venv and install the project with pinned dependencies
	$(BIN)/pybabel -q compile -d klimatmatch/core/locales

onnx: install  ## Build the e5 ONNX model for KLIMATMATCH_EMBEDDER=e5-onnx (else built on first use)
	$(BIN)/python -c "from klimatmatch.core.settings import Settings; \
	from matcher.embedders.e5_onnx import ensure_model; \
	from matcher.embedders.e5_quantised import packaged_e5_path; \
	ensure_model(Settings().onnx_dir, packaged_e5_path())"

run: install  ## Install, load the sample data into SQLite, embed it and serve on :8000
	$(BIN)/klimatmatch init --sample
	$(BIN)/klimatmatch serve

demo: install  ## Print shortlists for a few sample challenges
	$(BIN)/klimatmatch demo

test: install  ## Install and run the whole test suite (lint, SQLite, PostgreSQL, Chromium)
	$(BIN)/ruff check .
	bash scripts/ensure-services.sh
	bash scripts/ensure-browser.sh
	$(BIN)/pytest

lint: install  ## Check style, format and the import contracts (layers, no cycle)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo

docs: install  ## Build the documentation site into site/ (MkDocs; a warning fails)
	$(BIN)/mkdocs build --strict --site-dir site

docs-serve: install  ## Serve the documentation at http://127.0.0.1:8001/, rebuilt on edit
	$(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8001

clean:  ## Remove the virtual environment and local database
	rm -rf $(VENV) var site
