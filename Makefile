# Gongzhi: `make demo` serves the platform with demo data on SQLite; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/gongzhi

.PHONY: setup system demo serve test test-pg lint format messages bench load clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,prod]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages for browser tests and CJK screenshots (chromium, fonts-noto-cjk, gettext).
system:
	bash scripts/setup-system.sh

# GONGZHI_DEMO=true: the demo accounts' published password works only in a demo.
demo: setup
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py demo_data --scale small
	GONGZHI_DEMO=true $(BIN)/python manage.py run_huey --quiet & trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  GONGZHI_DEMO=true $(BIN)/python manage.py runserver $(HOST)

# Serves what is in the database; the demo accounts log in only with GONGZHI_DEMO=true.
serve: setup
	$(BIN)/python manage.py run_huey --quiet & trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST)

test: setup system
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/pytest -n 2 --durations=25 $(PYTEST_ARGS)

# Test databases are throwaway: the key files may be made here (production refuses to).
# A local hot standby (scripts/replica.sh) is started when it can be, for the replica tests
# (tests/core/test_replicas.py); CI requires it (.ci/run starts it first).
REPLICA_TEST_URL ?= postgres://postgres@127.0.0.1:5433/postgres
test-pg: setup system
	DATABASE_URL=$(PG_URL) GONGZHI_GENERATE_KEYS=true $(BIN)/python manage.py collectstatic --noinput -v0
	if bash scripts/replica.sh start; then replica=$(REPLICA_TEST_URL); else replica=; fi; \
	  DATABASE_URL=$(PG_URL) GONGZHI_GENERATE_KEYS=true GONGZHI_TEST_REPLICA_URL=$$replica \
	  $(BIN)/pytest -n 2 --durations=25 $(PYTEST_ARGS)

# mypy reads its config (the covered modules) from pyproject.toml: docs/contributing.md.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Extract strings, fill Chinese from i18n/*.json where empty, compile. Lists what is still missing.
messages: setup system
	cd gongzhi && ../$(BIN)/python ../manage.py makemessages -l zh_Hans --no-obsolete --no-location
	$(BIN)/python scripts/i18n_fill.py
	cd gongzhi && ../$(BIN)/python ../manage.py compilemessages -l zh_Hans

bench: setup
	$(BIN)/python bench/places.py
	$(BIN)/python bench/tickets.py --build

# Ticket submit + lists at ~100 requests/s for 60 s against gunicorn on 127.0.0.1 (bench/README.md).
load: setup
	bash bench/load.sh $(LOAD_ARGS)

clean:
	rm -rf $(VENV) node_modules var
