# ShotSpot ⇄ Twizzit: one image for every process kind; compose.yaml (or any orchestrator)
# chooses the process by its command: bin/web (the default), bin/worker or bin/migrate.
# docs/deploy.md has the whole procedure.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A user of its own: the processes never run as root.
RUN groupadd --system --gid 10001 shotspot \
    && useradd --system --uid 10001 --gid shotspot --home-dir /app --shell /usr/sbin/nologin shotspot

WORKDIR /app

# The dependencies in their own layer: rebuilt only when pyproject.toml changes, not on
# every change of the code. (The list is read from pyproject.toml: one source of truth.)
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --requirement /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY --chown=shotspot:shotspot . .

# Static files collected (hashed, gzipped) at build; bin/web skips collecting at start.
# The keys here are throw-away values that only let the settings load for this one step.
RUN DEBUG=false SHOTSPOT_VAR_DIR=/tmp/build-var \
    SECRET_KEY=build-only-not-a-secret-collectstatic-0123456789 \
    TWIZZIT_ENCRYPTION_KEY=0000000000000000000000000000000000000000000000000000000000000000 \
    python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/build-var

ENV COLLECTSTATIC=false \
    PYTHON=python \
    PORT=8000 \
    SHOTSPOT_VAR_DIR=/tmp/shotspot

USER shotspot
EXPOSE 8000

# Can this web process serve? (database and broker; docs/deploy.md: what to watch)
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "bin/healthcheck"]

CMD ["bin/web"]
