# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ICN := $(BIN)/icn
HOST ?= 127.0.0.1
PORT ?= 8000
export ICN_DEBUG ?= 1

.PHONY: run test install install-dev migrate demo lint typecheck pytest e2e vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

var:
	mkdir -p var

migrate: install var
	$(ICN) migrate --noinput

demo: migrate
	$(ICN) demo
	$(ICN) reindex --changed

# The worker runs beside the web server (text extraction, meeting schedules, e-mails) and
# stops with it. Being the only worker, it first takes back what an earlier one left running.
run: demo
	@$(ICN) requeue-interrupted --minutes 0
	@echo "Serving the ICN Platform on http://$(HOST):$(PORT)/ (with the background worker)"
	@$(ICN) db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(ICN) runserver $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy icn

pytest: install-dev
	ICN_DEBUG=0 $(BIN)/pytest

test: lint typecheck pytest

# The browser tests (tests/e2e): Playwright drives Debian's Chromium, headless, through the
# main flows on the demo network. The browser is the distribution's package, never a
# Playwright download.
e2e: install-dev
	@test -x /usr/bin/chromium || apt-get install -y chromium || \
		(apt-get update && apt-get install -y chromium)
	ICN_DEBUG=0 $(BIN)/pytest -m e2e tests/e2e

# Copies the front-end libraries pinned in package.json into icn/static/vendor (committed),
# so that `make run` needs neither npm nor a CDN.
vendor:
	npm install --no-audit --no-fund
	rm -rf icn/static/vendor && mkdir -p icn/static/vendor/bootstrap icn/static/vendor/htmx icn/static/vendor/world-atlas
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/LICENSE icn/static/vendor/bootstrap/
	# The source maps are not copied, so their references go (collectstatic's manifest
	# storage refuses a reference to a missing file).
	sed -i 's|//# sourceMappingURL=.*||; s|/\*# sourceMappingURL=.* \*/||' icn/static/vendor/bootstrap/bootstrap.bundle.min.js icn/static/vendor/bootstrap/bootstrap.min.css
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE icn/static/vendor/htmx/
	cp node_modules/world-atlas/land-110m.json node_modules/world-atlas/countries-110m.json node_modules/world-atlas/LICENSE icn/static/vendor/world-atlas/

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
