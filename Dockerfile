# SkyLight's production image: one image, the processes of Procfile.production.
#   web:     .venv/bin/gunicorn --config python:skylight.gunicorn_conf   (the default command)
#   worker:  .venv/bin/python manage.py qcluster
#   release: migrate, collectstatic, ensure_schedule (see compose.yaml and docs/deploy.md)
# CI proves the process list (tests/production/); it does not build this image.

FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=8000 \
    PROMETHEUS_MULTIPROC_DIR=/metrics
WORKDIR /app
RUN useradd --create-home --uid 1000 skylight \
    && mkdir -p /metrics && chown skylight /metrics

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml ./
RUN python -m venv .venv && .venv/bin/pip install --no-cache-dir --quiet .

COPY --from=assets /app/node_modules/htmx.org/dist node_modules/htmx.org/dist
COPY . .
# Static files are collected into the image (WhiteNoise serves them from every web
# container); the values below exist only for this build step and are never used to run.
RUN DJANGO_DEBUG=0 \
    SECRET_KEY=image-build-only-not-a-secret-0000000000000000000000 \
    SKYLIGHT_ENCRYPTION_KEYS=aW1hZ2UtYnVpbGQtb25seS1ub3QtYS1zZWNyZXQtMDA= \
    SKYLIGHT_API_KEY_PEPPER=image-build-only \
    .venv/bin/python manage.py collectstatic --noinput -v 0 \
    && chown -R skylight /app/staticfiles

USER skylight
EXPOSE 8000
CMD [".venv/bin/gunicorn", "--config", "python:skylight.gunicorn_conf"]
