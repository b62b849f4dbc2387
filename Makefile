# SkyLight: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The demo's sign-in link and the workers' webhook URLs use the web server's port.
export SKYLIGHT_WEB_PORT := $(PORT)
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: setup run serve test screenshots messages test-sqlite test-postgres lint format bench fuzz migrate demo clean

setup: $(VENV)/.installed node_modules/.package-lock.json

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.package-lock.json: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

# Development commands run with DEBUG on (the development secret key is refused without it).
migrate demo run: export DJANGO_DEBUG := 1

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo --if-empty

# Web server and django-q2 workers together, on the embedded SQLite default.
run: demo
	PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

# The production configuration locally (Procfile.production: release, gunicorn, qcluster)
# on PostgreSQL and Redis; see docs/deploy.md.
serve: setup
	PORT=$(PORT) bash scripts/serve.sh

test: setup
	bash scripts/test.sh

# Browser run that rewrites docs/screenshots/ (the README shows them); `make test` does not.
screenshots: setup
	SKYLIGHT_SCREENSHOTS=1 env -u DATABASE_URL $(PY) -m pytest tests/e2e -q

# Dashboard translations: refresh locale/ar/LC_MESSAGES/django.po, then compile the .mo
# (committed, so running SkyLight needs no gettext).
messages: setup
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l ar --ignore=.venv --ignore=node_modules --ignore=tests --ignore=benchmarks
	msgfmt --check -o locale/ar/LC_MESSAGES/django.mo locale/ar/LC_MESSAGES/django.po

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# schemathesis (all checks, every phase, fixed seed) against a server on a fresh PostgreSQL
# database; scripts/test.sh runs a shorter pass. FUZZ_EXAMPLES bounds cases per operation.
FUZZ_EXAMPLES ?= 100
fuzz: setup
	PG_URL=$(PG_URL) $(PY) scripts/fuzz.py --max-examples $(FUZZ_EXAMPLES)

# The API throughput figures use Debian's wrk (a Python load generator stands in without it).
bench: setup
	command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 || true
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(PY) -m benchmarks

clean:
	rm -rf $(VENV) node_modules staticfiles
