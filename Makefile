# Balcão — two commands: `make run` and `make test` (both set everything up first).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
ASSETS := balcao/static/vendor/.built

.PHONY: install run test lint bench quality robustness clean assets

install: $(STAMP) $(ASSETS)
	@mkdir -p var
	@scripts/ensure-chromium.sh
	@scripts/ensure-dovecot.sh
	@scripts/ensure-nginx.sh
	$(BIN)/balcao migrate --noinput
	$(BIN)/balcao collectstatic --noinput -v 0

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

$(ASSETS): package.json package-lock.json scripts/build-assets.mjs
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	touch $(ASSETS)

assets: $(ASSETS)

# A local run (balcao/localstate.py): debug off, plain http on this machine, a generated key
# in var/, even if the shell holds a SECRET_KEY or ALLOWED_HOSTS (BALCAO_LOCAL=0 make run: not).
run: export BALCAO_LOCAL ?= 1
run: install
	$(BIN)/balcao demo --once
	@echo ""
	@echo "Balcão: http://$(HOST):$(PORT)/  (console: http://$(HOST):$(PORT)/console/)"
	@$(BIN)/balcao demo --logins --base-url http://$(HOST):$(PORT)
	@echo ""
	$(BIN)/balcao serve --host $(HOST) --port $(PORT)

# The suite runs in TEST_WORKERS processes (pytest-xdist; each has its own test database).
TEST_WORKERS ?= 2
test: install lint
	$(BIN)/balcao makemigrations --check --dry-run
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Style, types and import contracts (docs/architecture.md); also run by pre-commit.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python tests/bench/bench_deadlines.py

# Issue 20's figures on every evaluation set (eval/): summary lines only (docs/quality.md).
quality: install
	$(BIN)/python scripts/quality.py

# The bot's right answers asked again in capitals, without accents, with typos (docs/quality.md).
robustness: install
	$(BIN)/python scripts/robustness.py

clean:
	rm -rf $(VENV) node_modules balcao/static/vendor var
