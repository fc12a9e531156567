# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test lint demo translations

$(BIN)/python:
	bash scripts/make-venv.sh $(PYTHON) $(VENV)

$(VENV)/.app-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.app-installed $@

# I1: the .mo files are built from the committed .po catalogs, never committed (see README,
# Translations). Quiet, and nothing to do, until translations/ holds a catalog.
translations: | $(BIN)/python
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel -q compile -d translations; \
	fi

# A1: a local server writes its own random key to instance/secret_key on first start.
run: export SUMMIT_CREATE_SECRET := 1
run: $(VENV)/.app-installed
	bash scripts/install-run-deps.sh
	$(MAKE) translations
	$(BIN)/flask db upgrade
	$(BIN)/flask summit demo --if-empty
	@echo "Summit is starting on http://127.0.0.1:5000 (the background worker runs beside it)"
	$(BIN)/flask summit worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask run --host 127.0.0.1 --port 5000

# axe-core for the accessibility checks of the browser tests, from the npm registry.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

test: $(VENV)/.dev-installed
	bash scripts/install-run-deps.sh
	bash scripts/install-system-deps.sh
	$(MAKE) node_modules/.installed
	$(MAKE) translations
	bash scripts/check.sh

lint: $(VENV)/.dev-installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
