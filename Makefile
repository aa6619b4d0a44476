# BankCRM developer entry points. `make demo` and `make test` are the only two commands a fresh
# clone needs (see README.md). Everything is installed into .venv from pinned constraints.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= localhost
PORT ?= 8000

.PHONY: demo test lint typecheck check prerequisites browser-prerequisites serve bench bench-peers clean constraints

prerequisites:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 is required"' \
		|| { echo "error: Python 3.11 or newer is required (found $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null \
		|| { echo "error: the Python venv module is missing: apt-get install python3-venv"; exit 1; }

$(STAMP): pyproject.toml constraints.txt | prerequisites
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

$(VENV): $(STAMP)

demo: $(STAMP)
	BANKCRM_ENV=demo BANKCRM_AS_OF=$${BANKCRM_AS_OF:-1998-12-31} $(BIN)/bankcrm demo --host $(HOST) --port $(PORT)

serve: $(STAMP)
	$(BIN)/bankcrm serve --host $(HOST) --port $(PORT)

# Browser tests need Debian's chromium and axe-core (npm, test-only); missing either fails loudly.
CHROMIUM ?= /usr/bin/chromium
browser-prerequisites:
	@test -x $(CHROMIUM) || { echo "error: Debian's chromium is required for the browser tests: apt-get install chromium"; exit 1; }
	@command -v npm >/dev/null || { echo "error: npm is required to install axe-core for the browser tests: apt-get install npm"; exit 1; }

node_modules/.installed: package.json package-lock.json | browser-prerequisites
	npm ci --no-audit --no-fund --silent
	@touch $@

test: $(STAMP) node_modules/.installed browser-prerequisites
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src

check: lint typecheck test

bench: $(STAMP)
	$(BIN)/python benchmarks/berka_import.py
	$(BIN)/python benchmarks/bulk_load.py
	$(BIN)/python benchmarks/latency.py
	$(BIN)/python benchmarks/screening.py
	$(BIN)/python benchmarks/complaints.py
	$(BIN)/python benchmarks/aml_graph.py
	$(BIN)/python benchmarks/monitoring.py

# Screening peers (nomenklatura logic-v2 and ofac) live in their own pinned environment, never in the
# product's: nomenklatura pins duckdb < 2 and needs pyicu, which compiles against libicu-dev.
PEERS_VENV := benchmarks/.venv-peers
bench-peers: $(PEERS_VENV)/.installed

$(PEERS_VENV)/.installed: benchmarks/peers-requirements.txt | prerequisites
	@pkg-config --exists icu-i18n 2>/dev/null \
		|| { echo "error: pyicu needs libicu-dev and pkg-config: apt-get install libicu-dev pkg-config"; exit 1; }
	$(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS_VENV)/bin/python -m pip install --quiet -r benchmarks/peers-requirements.txt
	@touch $@

# Re-pin after changing dependencies in pyproject.toml.
constraints: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) node_modules var/test .pytest_cache .mypy_cache .ruff_cache .hypothesis
