#!/usr/bin/env bash
# Lint, render and validate the Helm chart with Helm's own code (helm-sdkpy). See helm/check.py.
#
#   .ci/helm.sh                 make/refresh the venv, then run every check
#   .ci/helm.sh --venv-only     only make/refresh the venv
#   .ci/helm.sh --out DIR       where to write the rendered manifests (default $TMPDIR/bulwark-helm)
#
# helm-sdkpy needs Python >= 3.12; the project itself runs on 3.11, so the tools live in their own
# cached venv (.cache/helm-venv, git-ignored), rebuilt when helm/requirements-check.txt changes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${HELM_VENV:-$root/.cache/helm-venv}"
reqs="$root/helm/requirements-check.txt"

find_python() {
    local c
    for c in "${HELM_PYTHON:-}" python3.12 /root/.pyenv/versions/3.12*/bin/python python3.13 /root/.pyenv/versions/3.13*/bin/python \
             "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python; do
        [ -n "$c" ] || continue
        command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || continue
        if "$c" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
            echo "$c"; return 0
        fi
    done
    return 1
}

stamp="$venv/.requirements.sha256"
want="$(sha256sum "$reqs" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    if ! py="$(find_python)"; then
        echo "helm.sh: helm-sdkpy needs Python >= 3.12 and none was found (tried \$HELM_PYTHON, python3.12, python3.13, pyenv 3.12/3.13)." >&2
        echo "helm.sh: install one (e.g. 'pyenv install 3.12') or point HELM_PYTHON at it." >&2
        exit 3
    fi
    echo "helm.sh: creating $venv with $py ($("$py" -V 2>&1))" >&2
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    "$py" -m venv "$venv"
    if ! "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$reqs" 2> >(grep -v "^WARNING: Location" >&2); then
        echo "helm.sh: could not install $reqs into $venv (is PyPI reachable?)" >&2
        rm -rf "$venv"
        exit 3
    fi
    echo "$want" > "$stamp"
fi

if [ "${1:-}" = "--venv-only" ]; then
    exit 0
fi
export HELM_DRIVER=memory
exec "$venv/bin/python" "$root/helm/check.py" "$@"
