#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL when it is reachable.
# Under CI=true PostgreSQL is required: it is started if it is down.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
# pytest-xdist workers, one per CPU, each with its own test database, given tests one by
# one (`--dist load`: the slow proofs of one file can go to different workers);
# SKYLIGHT_TEST_WORKERS=0 runs in one process. Tests that share something outside their
# database take a lock (tests/foundation/test_architecture.py): xdist_group marks are
# lost under pytest 9.2 with xdist 3.8.
PYTEST=($PY -m pytest -n "${SKYLIGHT_TEST_WORKERS:-logical}" --dist load)

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! pg_up && [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is down: starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi

echo "== lint =="
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports --no-cache
DJANGO_DEBUG=1 $PY manage.py makemigrations --check --dry-run >/dev/null

echo "== suite on SQLite (browser tests included) =="
env -u DATABASE_URL "${PYTEST[@]}" "$@"

if pg_up; then
  # The browser tests drive the dashboard, the same on either database: they ran above.
  echo "== suite on PostgreSQL (browser tests ran on SQLite) =="
  DATABASE_URL=$PG_URL "${PYTEST[@]}" --ignore=tests/e2e "$@"
  if [ "${SKYLIGHT_SKIP_FUZZ:-}" != "1" ]; then
    echo "== schemathesis (short; make fuzz runs the long pass) =="
    PG_URL=$PG_URL $PY scripts/fuzz.py --max-examples 8 --phases examples,fuzzing,stateful
  fi
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is required under CI=true and could not be reached" >&2
  exit 1
else
  echo "PostgreSQL not reachable: skipped the PostgreSQL run"
fi
