# complaints: every step a fresh machine needs, from Python 3.11 and make.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export COMPLAINTS_HOME ?= $(CURDIR)/data
UV_VERSION := 0.13.9

.PHONY: install demo test dev lint format bench browser lock clean

install: $(VENV)/.installed  ## create .venv and install exactly the locked versions

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q "uv==$(UV_VERSION)"
	# Bytecode compiled at install: imports stay fast even where PYTHONDONTWRITEBYTECODE is set.
	$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

# The demo's people are synthetic: unless COMPLAINTS_PRIVACY__HR_REQUESTERS is set, the account
# running it is the one listed requester, so its HR dossier step passes the same check as any.
demo: install  ## generate the demo register, run the whole pipeline, print where outputs are
	COMPLAINTS_PRIVACY__HR_REQUESTERS="$${COMPLAINTS_PRIVACY__HR_REQUESTERS:-[\"$$(id -un)\"]}" \
	  $(BIN)/complaints demo

test: install browser  ## the test suite (real DuckDB, Dagster, GX and headless Chromium)
	$(BIN)/pytest -n 2 --dist loadfile

browser:  ## Debian's Chromium for the report tests, installed when missing
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { echo "installing chromium (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	    >/dev/null || echo "warning: could not install chromium; browser tests will fail"; }

dev: install  ## Dagster UI on http://localhost:3000 over the same $(COMPLAINTS_HOME)
	mkdir -p $(COMPLAINTS_HOME)/dagster
	test -f $(COMPLAINTS_HOME)/dagster/dagster.yaml || \
	  printf 'telemetry:\n  enabled: false\n' > $(COMPLAINTS_HOME)/dagster/dagster.yaml
	DAGSTER_HOME=$(COMPLAINTS_HOME)/dagster $(BIN)/dagster dev -m pipelines.definitions -p 3000

# The SQL sqlfluff checks: the models, every .sql under pipelines/ (the ingest SQL) and the
# warehouse's schema (base/schema.sql).
SQL_DIRS := models pipelines base

lint: install  ## ruff, SQL style (sqlfluff), types (mypy, every package), import direction; all run, then fail
	@status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/ruff format --check . || status=1; \
	$(BIN)/sqlfluff lint $(SQL_DIRS) || status=1; \
	$(BIN)/mypy || status=1; \
	if grep -q '^\[tool\.importlinter' pyproject.toml; then \
	  $(BIN)/lint-imports || status=1; \
	else echo "lint-imports: no [tool.importlinter] contract in pyproject.toml, skipped"; fi; \
	exit $$status

format: install  ## rewrite Python and SQL in the style `make lint` checks
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/sqlfluff fix $(SQL_DIRS)

bench: install  ## benchmarks/RESULTS.md: floor vs project vs the pandas way (BENCH_ARGS=--big: 5M and 10M too)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

lock:  ## re-resolve requirements.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
