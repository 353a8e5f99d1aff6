#!/usr/bin/env bash
# The LiteLLM proxy for bench/bench_suite.py's comparison row, in a bench-only virtualenv.
#
#     bash bench/setup_litellm.sh            # creates bench/.venv-litellm (gitignored)
#
# Pinned to the 1.81 line the speed issue (#20) compared against; that line also predates the
# compromised 1.107.0 release. LiteLLM is never a Bulwark dependency: only the suite starts it,
# as `bench/.venv-litellm/bin/litellm --config <generated> --port N`, fronting the simulator.
set -euo pipefail

VERSION="${LITELLM_VERSION:-1.81.16}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/.venv-litellm"
PY="${PYTHON:-python3}"

if [ -x "$VENV/bin/litellm" ] && "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('litellm') != '$VERSION')" 2>/dev/null; then
    echo "litellm $VERSION already in $VENV"
    exit 0
fi
"$PY" -m venv "$VENV"
# (grep: this machine's pip configuration warns about each unused local index, once per package)
"$VENV/bin/pip" install --quiet --upgrade pip 2> >(grep -v "is ignored" >&2)
"$VENV/bin/pip" install --quiet "litellm[proxy]==$VERSION" 2> >(grep -v "is ignored" >&2)
"$VENV/bin/litellm" --version >/dev/null 2>&1 || "$VENV/bin/python" -c "import litellm.proxy.proxy_server"
echo "litellm $VERSION installed in $VENV"
