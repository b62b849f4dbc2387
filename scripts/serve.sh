#!/usr/bin/env bash
# `make serve`: the production configuration on this machine. Procfile.production's
# release step, then its web (gunicorn) and worker (qcluster) processes under honcho,
# with DEBUG off, on PostgreSQL and Redis.
#
# Secrets come from the environment; any that are missing are generated once into
# .serve.env (git-ignored) so restarts keep the same keys. DATABASE_URL defaults to a
# `skylight` database on the local server (created if missing), REDIS_URL to local Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

if [ ! -f .serve.env ]; then
  $PY - > .serve.env <<'PYTHON'
import secrets
from cryptography.fernet import Fernet
print(f"SECRET_KEY={secrets.token_urlsafe(50)}")
print(f"SKYLIGHT_ENCRYPTION_KEYS={Fernet.generate_key().decode()}")
print(f"SKYLIGHT_API_KEY_PEPPER={secrets.token_urlsafe(32)}")
print(f"SKYLIGHT_METRICS_TOKEN={secrets.token_urlsafe(24)}")
PYTHON
  chmod 600 .serve.env
  echo "Generated secrets into .serve.env (keep it: it holds the encryption key)."
fi
while read -r line; do
  name=${line%%=*}
  if [ -n "$name" ] && [ -z "${!name:-}" ]; then export "$name=${line#*=}"; fi
done < .serve.env

export DJANGO_DEBUG=0
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/skylight}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export PORT=${PORT:-8000}
export CSRF_TRUSTED_ORIGINS=${CSRF_TRUSTED_ORIGINS:-http://localhost:$PORT,http://127.0.0.1:$PORT}

$PY - <<'PYTHON'
import os
import psycopg
server, _, name = os.environ["DATABASE_URL"].rpartition("/")
with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')
        print(f"Created the PostgreSQL database {name}.")
PYTHON

echo "== release =="
bash -c "$(sed -n 's/^release: //p' Procfile.production)"
echo "== web on http://localhost:$PORT, ${SERVE_WORKERS:-2} workers (Ctrl-C stops all) =="
echo "   metrics: curl -H 'Authorization: Bearer $SKYLIGHT_METRICS_TOKEN' localhost:$PORT/metrics"
exec .venv/bin/honcho start -f Procfile.production -c "worker=${SERVE_WORKERS:-2}" web worker
