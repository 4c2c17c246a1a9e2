# syntax=docker/dockerfile:1
# projectbot's image: `docker build -t projectbot .`, then see compose.yaml and docs/deploy.md.
# Two stages: the first installs the locked packages (requirements/*.txt, hashes checked) into a virtual environment
# and builds projectbot's own wheel; the second copies only that environment onto a clean slim image, so pip's
# cache, the build tools and the sources stay behind. Every package comes as a binary wheel (--only-binary), so
# neither stage needs a compiler, and the slim base has none.

# The Python the project is tested with (pyproject.toml: python_version). Pin the digest in your registry's build
# (python:3.11-slim-bookworm@sha256:...) to rebuild the very same base.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY requirements/ requirements/
# /opt/build: the pinned pip, setuptools and wheel that build projectbot; /opt/projectbot: what the image runs,
# created without pip (the build venv's pip installs into it), so the final image carries no installer.
RUN python -m venv /opt/build \
    && /opt/build/bin/python -m pip install --require-hashes --only-binary=:all: -r requirements/build.txt \
    && python -m venv --without-pip /opt/projectbot \
    && /opt/build/bin/python -m pip --python /opt/projectbot/bin/python install --require-hashes --only-binary=:all: --no-deps -r requirements/runtime.txt
COPY pyproject.toml README.md ./
COPY bot/ bot/
COPY cards/ cards/
COPY dialogs/ dialogs/
COPY domain/ domain/
COPY manifest/ manifest/
COPY storage/ storage/
RUN /opt/build/bin/python -m pip wheel --no-deps --no-build-isolation --wheel-dir /wheels . \
    && /opt/build/bin/python -m pip --python /opt/projectbot/bin/python install --no-deps /wheels/projectbot-*.whl

FROM ${PYTHON_IMAGE} AS runtime
# A fixed numeric uid/gid, so Kubernetes' runAsNonRoot and volume ownership can rely on it.
RUN groupadd --system --gid 10001 projectbot \
    && useradd --system --uid 10001 --gid projectbot --home-dir /home/projectbot --create-home \
       --shell /usr/sbin/nologin projectbot \
    && mkdir -p /data \
    && chown -R projectbot:projectbot /data
COPY --from=build /opt/projectbot /opt/projectbot
# DATABASE_URL: SQLite in /data when nothing else is set (one instance only; mount a volume on /data to keep it).
# No VOLUME instruction on purpose: with PostgreSQL (compose.yaml) it would leave an unused anonymous volume per
# container. Nothing else is written (the charts' typeface ships inside the package), so the root file system may be
# read-only.
ENV PATH=/opt/projectbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_URL=sqlite:////data/projectbot.db
WORKDIR /home/projectbot
USER 10001:10001
EXPOSE 3978
# /healthz (= /readyz) answers within a second whatever the database does; 503 -> urlopen raises -> unhealthy.
# The start period allows for migrations on start. The slim image has no curl: Python's urllib does it.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3978/healthz', timeout=2)"]
# `serve` migrates the database on start (with several instances on PostgreSQL a lock lets one migrate at a time),
# refuses to start without MICROSOFT_APP_ID and the rest of docs/configuration.md, and stops cleanly on SIGTERM.
ENTRYPOINT ["projectbot"]
CMD ["serve", "--host", "0.0.0.0", "--port", "3978"]
