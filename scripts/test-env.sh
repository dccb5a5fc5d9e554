#!/usr/bin/env bash
# Installs the reference tools the tests use into .venv (ignored by git). Idempotent.
# Pinned versions: see ../shared/design/TEST-INFRA.md (DuckDB extensions load only into 1.5.5).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
stamp="$venv/.cryptoviz-requirements"
req="$root/Tests/Oracles/requirements.txt"
if [ ! -f "$stamp" ] || ! cmp -s "$req" "$stamp"; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
fi
