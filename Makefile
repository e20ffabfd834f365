# Two commands: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PG_BIN ?= /usr/lib/postgresql/15/bin

.PHONY: run test test-sqlite test-postgres setup setup-dev translations lint db clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

setup: $(VENV)/.installed translations

setup-dev: $(VENV)/.installed-dev system-deps
	$(MAKE) --no-print-directory translations

# Compiled catalogues (*.mo) are build output, never committed.
translations: $(VENV)/.installed
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then $(BIN)/pybabel -q compile -d translations; fi

# Debian's Chromium for the browser tests and PostgreSQL 15 for the database tests (root only).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	[ -x $(PG_BIN)/initdb ] || missing="$$missing postgresql-15"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else echo "Please install:$$missing (e.g. sudo apt-get install$$missing)"; exit 1; fi; \
	fi

db: setup
	$(FLASK) db upgrade
	$(FLASK) topics sync

run: db
	$(FLASK) demo load --if-empty
	@echo ""
	@echo "Demo logins (password demo-pass-2024):"
	@echo "  Coordinator:     koordination@example.org"
	@echo "  Administrator:   admin@example.org"
	@echo "  Representatives: verein01@example.org … verein45@example.org"
	@echo "Serving http://127.0.0.1:5000 — stop with Ctrl+C. Mails are printed here."
	@trap 'kill $$mailer 2>/dev/null' EXIT INT TERM; \
	$(FLASK) mail send --loop --interval 3 & mailer=$$!; \
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup-dev
	$(BIN)/pytest -q -p no:cacheprovider
	$(BIN)/pytest -q -p no:cacheprovider --db=postgresql -m "not browser"

test-sqlite: setup-dev
	$(BIN)/pytest -q -p no:cacheprovider

test-postgres: setup-dev
	$(BIN)/pytest -q -p no:cacheprovider --db=postgresql -m "not browser"

lint: setup-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
