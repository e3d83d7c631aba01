# Fagflyt — the two commands a newcomer needs: `make run` and `make test`.
# Both set up everything they need on a fresh machine (a virtualenv in .venv).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 5000

ASSETS := web/assets
ASSETS_STAMP := $(ASSETS)/node_modules/.installed-$(shell cat $(ASSETS)/package-lock.json | sha1sum | cut -c1-12)

.PHONY: run test lint bench install assets clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Front-end packages (Designsystemet CSS, htmx, bpmn-js, axe-core) from npm, exactly as locked.
$(ASSETS_STAMP): $(ASSETS)/package.json $(ASSETS)/package-lock.json
	npm ci --prefix $(ASSETS) --no-audit --no-fund --loglevel=error
	touch $(ASSETS_STAMP)

assets: $(ASSETS_STAMP)

install: $(STAMP) $(ASSETS_STAMP)

## Run Fagflyt locally: SQLite in ./instance, processes deployed, demo data, the timer worker and the web server.
run: install
	FAGFLYT_ENV=development $(BIN)/flask --app web setup --demo
	@echo "Fagflyt: open http://$(HOST):$(PORT)/"
	FAGFLYT_ENV=development $(BIN)/flask --app web worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	FAGFLYT_ENV=development $(BIN)/flask --app web run --host $(HOST) --port $(PORT)

## Run the whole test suite (SQLite; set DATABASE_URL=postgresql+psycopg://… for PostgreSQL).
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: install
	pg=$$(.ci/postgres.sh start /tmp/fagflyt-bench-pg 55440) && \
	  $(BIN)/python -m tests.bench.engine_complete_task --postgres "$$pg" && \
	  $(BIN)/python -m tests.bench.web_pages --postgres "$$pg" && \
	  $(BIN)/python -m tests.bench.timers --postgres "$$pg"; \
	  status=$$?; .ci/postgres.sh stop /tmp/fagflyt-bench-pg 55440; exit $$status

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache $(ASSETS)/node_modules
