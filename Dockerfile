# syntax=docker/dockerfile:1
# The hr image: one image for the web service, the scheduler and the one-off commands (see
# deploy/entrypoint.sh and compose.yaml). Build:  docker build -t hr .

# 1. Front-end packages (DKFDS, htmx, RapiDoc) from the npm registry; not axe-core, which only
#    the tests use.
FROM node:22-bookworm-slim AS frontend
WORKDIR /app/hr/static
COPY hr/static/package.json hr/static/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts --loglevel=error

# 2. Python packages in a virtual environment: the service's dependencies, not the test extras.
FROM python:3.11-slim-bookworm AS python
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /app
COPY pyproject.toml ./
COPY hr ./hr
COPY templates ./templates
COPY deploy ./deploy
# Editable: the code stays in /app beside templates/ and hr/static/, where the service finds them.
RUN /opt/venv/bin/pip install --editable . \
 && find /app -name '__pycache__' -prune -exec rm -rf {} + \
 && /opt/venv/bin/python -m compileall -q /app/hr
COPY --from=frontend /app/hr/static/node_modules ./hr/static/node_modules

# 3. The image: slim Python, PostgreSQL's client programs for hr backup/restore (Debian 12's are
#    version 15: the server must be 15 or older), no compilers, no test packages, not root.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin hr \
 && mkdir -p /data /backups /payroll \
 && chown hr:hr /data /backups /payroll
COPY --from=python /opt/venv /opt/venv
COPY --from=python /app /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HR_MODE=production \
    HR_LOG_FORMAT=json \
    HR_DATABASE_URL=sqlite:////data/hr.sqlite
WORKDIR /app
USER hr
EXPOSE 8000
# The web container lives while the process answers; /health/ready (database, migrations) is for
# the load balancer and the monitoring. A scheduler container checks itself, heartbeat included,
# with `hr health` instead (compose.yaml).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/live', timeout=4)"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
