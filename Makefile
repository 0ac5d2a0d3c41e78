# The two commands a newcomer needs:  `make demo`  and  `make test`.
VENV   := .venv
BIN    := $(VENV)/bin
PYTHON ?= python3
STAMP  := $(VENV)/.installed
NPM_STAMP := hr/static/node_modules/.installed
IDP_STAMP := devidp/node_modules/.installed

.PHONY: setup demo serve test test-sqlite test-postgres security audit chromium postgres bench-load wrk

setup: $(STAMP) $(NPM_STAMP) $(IDP_STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Front-end packages come from the npm registry into a git-ignored folder.
$(NPM_STAMP): hr/static/package.json hr/static/package-lock.json
	cd hr/static && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

# The local OpenID provider that plays the region's Entra ID in the tests and the demo.
$(IDP_STAMP): devidp/package.json devidp/package-lock.json
	cd devidp && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

## Start the service on SQLite with demo data (logins are printed).
demo: setup
	$(BIN)/hr demo

## Run the whole test suite on SQLite and on PostgreSQL (PostgreSQL is required).
test: setup chromium postgres security test-sqlite test-postgres

## Static checks that gate CI: lint, and no high-severity bandit finding.
security: setup
	$(BIN)/ruff check hr tests benchmarks
	$(BIN)/bandit -q -r hr -lll

## Known vulnerabilities in the installed packages (needs access to PyPI's JSON API or OSV).
audit: setup
	$(BIN)/pip-audit --strict --progress-spinner off

test-sqlite: setup
	HR_TEST_DB=sqlite $(BIN)/pytest

test-postgres: setup postgres
	HR_TEST_DB=postgres $(BIN)/pytest

# Debian's chromium drives the browser tests; Playwright never downloads a browser.
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || true

## Load benchmark (prints its figures): the service under wrk next to a bare one-read route.
bench-load: setup postgres wrk
	$(BIN)/python benchmarks/load.py $(ARGS)

wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
