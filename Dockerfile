# Memo Coach: the Slack bot as a small, non-root image.
#   docker build -t memo-coach .
#   docker run --env-file .env -v memo-coach-data:/app/data memo-coach
# Stage 1 builds a virtual environment (dependencies first, so editing the source does
# not reinstall them); stage 2 copies only that environment onto a clean base.

ARG PYTHON_IMAGE=python:3.12.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

# Dependencies only: this layer is rebuilt when pyproject.toml changes, not the code.
COPY pyproject.toml ./
RUN python -c "import tomllib; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; open('requirements.txt', 'w').write(chr(10).join(deps))" \
    && pip install --no-cache-dir -r requirements.txt

# The application itself (see .dockerignore for what stays out).
COPY README.md ./
COPY bot ./bot
COPY config ./config
COPY evaluation ./evaluation
COPY handlers ./handlers
COPY storage ./storage
RUN pip install --no-cache-dir --no-deps .


FROM ${PYTHON_IMAGE} AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=3000 \
    MPLCONFIGDIR=/tmp/matplotlib

RUN groupadd --system --gid 10001 memo \
    && useradd --system --uid 10001 --gid memo --home-dir /app --no-create-home memo \
    && mkdir -p /app/data /app/backups \
    && chown memo:memo /app/data /app/backups

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
USER 10001:10001

# DATABASE_URL defaults to sqlite:///./data/memo_coach.db, i.e. /app/data: mount a volume
# there. Backups go to /app/backups (coach.yaml backup.dest).
EXPOSE 3000

# OCI image labels. CI (.github/workflows/ci.yml) passes VERSION from pyproject.toml (the
# one version source), REVISION (the commit), CREATED (RFC 3339 build time) and SOURCE (the
# repository URL, which links the GHCR package to it); a local build says "unknown".
# Declared late so a new commit does not invalidate the layers above.
ARG VERSION=unknown
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="memo-coach" \
      org.opencontainers.image.description="A Slack bot that coaches people on their business writing." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.url="${SOURCE}"

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('PORT', '3000'), timeout=4)"]

CMD ["memo-coach", "run"]
